package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.UserId;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Profiles (https://spec.matrix.org/v1.19/client-server-api/#profiles): the whole profile and single fields,
 * {@code displayname}, {@code avatar_url} and custom fields (v1.16), for local users. Remote users' profiles
 * need federation and answer 404 until it exists.
 */
final class ProfileRoutes {
    // why: the spec's keyName grammar (profile.yaml); custom fields are namespaced like Java packages
    private static final Pattern KEY = Pattern.compile("avatar_url|displayname|m\\.tz|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    private final UserApi users;
    private final Authenticator auth;

    private final java.util.function.Consumer<String> profileChanged;

    ProfileRoutes(UserApi users, Authenticator auth, java.util.function.Consumer<String> profileChanged) {
        this.users = users;
        this.auth = auth;
        this.profileChanged = profileChanged;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v3/profile/{userId}", call -> Reply.json(profileOf(call.pathParam("userId"))));
        router.get("/_matrix/client/v3/profile/{userId}/{keyName}", call -> {
            String key = call.pathParam("keyName");
            JsonNode value = profileOf(call.pathParam("userId")).get(key);
            if (value == null) throw MatrixException.notFound("The profile has no field " + key);
            ObjectNode out = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            out.set(key, value);
            return Reply.json(out);
        });
        router.put("/_matrix/client/v3/profile/{userId}/{keyName}", this::setField);
        router.delete("/_matrix/client/v3/profile/{userId}/{keyName}", call -> {
            Requester r = ownProfile(call);
            String key = checkKey(call.pathParam("keyName"), r);
            users.setProfileField(r.localpart(), key, Optional.empty());
            if (key.equals("displayname") || key.equals("avatar_url")) profileChanged.accept(r.userId());
            return Reply.empty();
        });
    }

    private ObjectNode profileOf(String userId) {
        Optional<String> localpart = localpartOf(userId);
        return localpart.flatMap(users::profile)
                .orElseThrow(() -> MatrixException.notFound("Profile not found"));
    }

    private Reply setField(HttpCall call) {
        Requester r = ownProfile(call);
        String key = checkKey(call.pathParam("keyName"), r);
        ObjectNode body = call.json();
        JsonNode value = body.get(key);
        if (value == null) throw MatrixException.missingParam("The body must contain '" + key + "'");
        if ((key.equals("displayname") || key.equals("avatar_url")) && !value.isString() && !value.isNull()) {
            throw MatrixException.badJson("'" + key + "' must be a string");
        }
        users.setProfileField(r.localpart(), key, Optional.of(value));
        // why: display name and avatar are copied into the user's membership events (the roomserver re-sends them)
        if (key.equals("displayname") || key.equals("avatar_url")) profileChanged.accept(r.userId());
        return Reply.empty();
    }

    private Requester ownProfile(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        Fields.requireSelf(r, call.pathParam("userId"));
        return r;
    }

    private static String checkKey(String key, Requester r) {
        if (key.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new MatrixException("M_KEY_TOO_LARGE", "A profile key may be at most 255 bytes", 400);
        }
        if (!KEY.matcher(key).matches()) throw MatrixException.invalidParam("Invalid profile key.");
        if (r.isGuest() && !key.equals("displayname")) {
            throw new MatrixException("M_GUEST_ACCESS_FORBIDDEN", "Guests may change only their display name", 403);
        }
        return key;
    }

    private Optional<String> localpartOf(String userId) {
        UserId id;
        try {
            id = UserId.parse(userId);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("Not a user ID: " + e.getMessage());
        }
        return id.server().value().equals(users.serverName()) ? Optional.of(id.localpart()) : Optional.empty();
    }
}
