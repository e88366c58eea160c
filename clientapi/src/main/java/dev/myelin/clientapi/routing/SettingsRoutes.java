package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The small endpoints a client calls at start or in its settings: {@code GET /capabilities},
 * {@code GET /pushers}, {@code GET /thirdparty/protocols}, {@code GET /voip/turnServer} and
 * {@code POST /user/{userId}/openid/request_token}; and the federation side of OpenID, which a third party asks
 * to learn whose token it was given ({@code GET /_matrix/federation/v1/openid/userinfo}).
 */
final class SettingsRoutes {
    static final long OPENID_LIFETIME_MS = 3_600_000;

    private final UserApi users;
    private final Authenticator auth;
    private final ClientApiSettings settings;
    private final Clock clock;

    SettingsRoutes(UserApi users, Authenticator auth, ClientApiSettings settings, Clock clock) {
        this.users = users;
        this.auth = auth;
        this.settings = settings;
        this.clock = clock;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v3/capabilities", call -> {
            auth.requireAllowingGuests(call);
            return Reply.json(Map.of("capabilities", capabilities()));
        });
        // why: creating pushers is a later piece of work; until then no user has any, and the list says so
        router.get("/_matrix/client/v3/pushers", call -> {
            auth.require(call);
            return Reply.json(Map.of("pushers", List.of()));
        });
        // why: Myelin bridges no third-party networks itself; application services will add theirs here
        router.get("/_matrix/client/v3/thirdparty/protocols", call -> {
            auth.require(call);
            return Reply.json(Map.of());
        });
        router.get("/_matrix/client/v3/voip/turnServer", call -> Reply.json(turnServer(auth.requireAllowingGuests(call))));
        router.post("/_matrix/client/v3/user/{userId}/openid/request_token", call -> {
            Requester r = auth.require(call);
            Fields.requireSelf(r, call.pathParam("userId"));
            call.json(); // the body is an empty object; reject what is not JSON
            String token = users.createOpenIdToken(r.localpart(), OPENID_LIFETIME_MS);
            return Reply.json(Map.of("access_token", token, "token_type", "Bearer",
                    "matrix_server_name", users.serverName(), "expires_in", OPENID_LIFETIME_MS / 1000));
        });
        // why here: the federation API has no module yet; this one query reads only the userapi's OpenID tokens
        // https://spec.matrix.org/v1.19/server-server-api/#get_matrixfederationv1openiduserinfo
        router.get("/_matrix/federation/v1/openid/userinfo", call -> {
            String token = call.queryParam("access_token").orElse("");
            String userId = token.isEmpty() ? null : users.openIdUser(token).orElse(null);
            if (userId == null) {
                throw new MatrixException("M_UNKNOWN_TOKEN", "The OpenID token is unknown or has expired", 401);
            }
            return Reply.json(Map.of("sub", userId));
        });
    }

    private static Map<String, Object> capabilities() {
        Map<String, String> available = new LinkedHashMap<>();
        for (RoomVersion v : RoomVersions.all()) available.put(v.id(), "stable");
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("m.change_password", Map.of("enabled", true));
        caps.put("m.room_versions", Map.of("default", RoomVersions.DEFAULT.id(), "available", available));
        caps.put("m.set_displayname", Map.of("enabled", true));
        caps.put("m.set_avatar_url", Map.of("enabled", true));
        caps.put("m.3pid_changes", Map.of("enabled", false));
        caps.put("m.get_login_token", Map.of("enabled", true));
        caps.put("m.profile_fields", Map.of("enabled", true));
        return caps;
    }

    /**
     * Time-limited TURN credentials in coturn's REST scheme: user {@code <expiry>:<user ID>}, password the base64
     * HMAC-SHA1 of that user under the shared secret. Without configured TURN servers, an empty answer.
     */
    private Map<String, Object> turnServer(Requester r) {
        ClientApiSettings.Turn turn = settings.turn();
        if (turn.uris().isEmpty() || turn.sharedSecret().isEmpty()) return Map.of();
        long expiry = clock.millis() / 1000 + turn.ttl().toSeconds();
        String username = expiry + ":" + r.userId();
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(turn.sharedSecret().get().getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String password = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
            return Map.of("username", username, "password", password, "uris", turn.uris(), "ttl", turn.ttl().toSeconds());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw MatrixException.unknown("TURN credentials are unavailable");
        }
    }
}
