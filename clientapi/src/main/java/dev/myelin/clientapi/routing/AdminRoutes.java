package dev.myelin.clientapi.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.UserId;
import dev.myelin.userapi.api.Account;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.RegistrationToken;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.clientapi.auth.SharedSecretRegistration;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Synapse-compatible admin API that account tools use: shared-secret registration
 * ({@code /_synapse/admin/v1/register}, as {@code register_new_matrix_user} and synadm speak it), registration
 * tokens ({@code /_synapse/admin/v1/registration_tokens}) and one user's account
 * ({@code GET /_synapse/admin/v2/users/{userId}}), the last two for admins only.
 */
final class AdminRoutes {
    private static final String TOKENS = "/_synapse/admin/v1/registration_tokens";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
    /** The user types Synapse knows ({@code synapse.api.constants.UserTypes}). */
    private static final java.util.Set<String> USER_TYPES = java.util.Set.of("support", "bot");

    private final UserApi users;
    private final Authenticator auth;
    private final ClientApiSettings settings;
    private final RateLimiter limiter;
    private final SecureRandom random;
    private final Clock clock;
    private final Cache<String, Boolean> nonces = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).build();

    AdminRoutes(UserApi users, Authenticator auth, ClientApiSettings settings, RateLimiter limiter, SecureRandom random,
            Clock clock) {
        this.users = users;
        this.auth = auth;
        this.settings = settings;
        this.limiter = limiter;
        this.random = random;
        this.clock = clock;
    }

    void addTo(Router router) {
        router.get("/_synapse/admin/v1/register", call -> {
            sharedSecret();
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String nonce = HexFormat.of().formatHex(bytes);
            nonces.put(nonce, true);
            return Reply.json(Map.of("nonce", nonce));
        });
        router.post("/_synapse/admin/v1/register", this::sharedSecretRegister);

        router.get(TOKENS, call -> {
            auth.requireAdmin(call);
            Optional<Boolean> valid = call.queryParam("valid").map(v -> switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw MatrixException.invalidParam("'valid' must be true or false");
            });
            return Reply.json(Map.of("registration_tokens", users.registrationTokens(valid).stream().map(AdminRoutes::render).toList()));
        });
        router.post(TOKENS + "/new", call -> {
            auth.requireAdmin(call);
            ObjectNode body = call.json();
            Optional<String> token = Fields.optionalString(body, "token");
            if (token.isPresent() && !TOKEN.matcher(token.get()).matches()) {
                throw MatrixException.invalidParam("A token is 1 to 64 characters of A-Z a-z 0-9 . _ ~ -");
            }
            int length = optionalInt(body, "length").orElse(16);
            if (length < 1 || length > 64) throw MatrixException.invalidParam("'length' must be between 1 and 64");
            return Reply.json(render(users.createRegistrationToken(token, length, optionalInt(body, "uses_allowed"),
                    expiry(body))));
        });
        router.get(TOKENS + "/{token}", call -> {
            auth.requireAdmin(call);
            return Reply.json(render(users.registrationToken(call.pathParam("token"))
                    .orElseThrow(() -> MatrixException.notFound("No such registration token"))));
        });
        router.put(TOKENS + "/{token}", call -> {
            auth.requireAdmin(call);
            ObjectNode body = call.json();
            Optional<Optional<Integer>> uses = body.has("uses_allowed") ? Optional.of(optionalInt(body, "uses_allowed")) : Optional.empty();
            Optional<Optional<Long>> expiry = body.has("expiry_time") ? Optional.of(expiry(body)) : Optional.empty();
            return Reply.json(render(users.updateRegistrationToken(call.pathParam("token"), uses, expiry)));
        });
        router.delete(TOKENS + "/{token}", call -> {
            auth.requireAdmin(call);
            users.deleteRegistrationToken(call.pathParam("token"));
            return Reply.empty();
        });
        router.get("/_synapse/admin/v2/users/{userId}", call -> {
            auth.requireAdmin(call);
            return Reply.json(userDetails(call.pathParam("userId")));
        });
    }

    /** https://element-hq.github.io/synapse/latest/admin_api/user_admin_api.html#query-user-account */
    private Map<String, Object> userDetails(String userId) {
        String localpart;
        try {
            UserId id = UserId.parse(userId);
            if (!id.server().value().equals(users.serverName())) throw MatrixException.notFound("User not found");
            localpart = id.localpart();
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("'" + userId + "' is not a user ID");
        }
        Account account = users.account(localpart).orElseThrow(() -> MatrixException.notFound("User not found"));
        ObjectNode profile = users.profile(localpart).orElseGet(tools.jackson.databind.node.JsonNodeFactory.instance::objectNode);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", account.userId());
        out.put("displayname", profile.path("displayname").isString() ? profile.get("displayname").asString() : null);
        out.put("avatar_url", profile.path("avatar_url").isString() ? profile.get("avatar_url").asString() : null);
        out.put("threepids", users.threepids(localpart));
        out.put("external_ids", java.util.List.of());
        out.put("admin", account.isAdmin());
        out.put("deactivated", account.deactivated());
        out.put("erased", account.erased());
        out.put("is_guest", account.isGuest());
        out.put("user_type", account.userType().orElse(null));
        out.put("creation_ts", account.createdTs() / 1000); // why: Synapse gives seconds here
        out.put("appservice_id", null);
        out.put("shadow_banned", false);
        out.put("locked", false);
        return out;
    }

    private String sharedSecret() {
        return settings.registrationSharedSecret()
                .orElseThrow(() -> new MatrixException("M_FORBIDDEN", "Shared-secret registration is not enabled", 400));
    }

    /** https://element-hq.github.io/synapse/latest/admin_api/register_api.html */
    private Reply sharedSecretRegister(HttpCall call) {
        limiter.acquire("register:" + call.remoteAddress());
        String secret = sharedSecret();
        ObjectNode body = call.json();
        String nonce = Fields.string(body, "nonce");
        String username = Fields.string(body, "username");
        String password = Fields.string(body, "password");
        boolean admin = Fields.optionalBoolean(body, "admin").orElse(false);
        String mac = Fields.string(body, "mac");
        if (nonces.asMap().remove(nonce) == null) throw new MatrixException("M_UNKNOWN", "Unrecognised nonce", 400);
        Optional<String> userType = Fields.optionalString(body, "user_type");
        if (!SharedSecretRegistration.verify(secret, nonce, username, password, admin, userType, mac)) {
            throw MatrixException.forbidden("HMAC incorrect");
        }
        if (userType.isPresent() && !USER_TYPES.contains(userType.get())) {
            throw MatrixException.invalidParam("'user_type' must be one of " + new java.util.TreeSet<>(USER_TYPES));
        }
        String localpart = username.toLowerCase(java.util.Locale.ROOT);
        users.createAccount(localpart, Optional.of(password), false, admin, userType);
        Fields.optionalString(body, "displayname").ifPresent(name ->
                users.setProfileField(localpart, "displayname", Optional.of(tools.jackson.databind.node.StringNode.valueOf(name))));
        LoginResult login = users.login(localpart, Optional.empty(), Optional.empty(), false, call.remoteAddress(),
                call.header("User-Agent"));
        return Reply.json(Map.of("user_id", login.userId(), "access_token", login.accessToken(),
                "device_id", login.deviceId(), "home_server", users.serverName()));
    }

    private Optional<Long> expiry(ObjectNode body) {
        JsonNode node = body.get("expiry_time");
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isIntegralNumber()) throw MatrixException.invalidParam("'expiry_time' must be a timestamp in milliseconds");
        if (node.asLong() < clock.millis()) throw MatrixException.invalidParam("'expiry_time' must be in the future");
        return Optional.of(node.asLong());
    }

    private static Optional<Integer> optionalInt(ObjectNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > Integer.MAX_VALUE) {
            throw MatrixException.invalidParam("'" + name + "' must be a non-negative integer");
        }
        return Optional.of(node.asInt());
    }

    private static Map<String, Object> render(RegistrationToken t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", t.token());
        out.put("uses_allowed", t.usesAllowed().orElse(null));
        out.put("pending", t.pending());
        out.put("completed", t.completed());
        out.put("expiry_time", t.expiryTime().orElse(null));
        return out;
    }
}
