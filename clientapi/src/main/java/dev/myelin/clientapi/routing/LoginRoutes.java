package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.clientapi.auth.UserInteractiveAuth.Flow;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Login and logout: {@code GET/POST /login} ({@code m.login.password}, {@code m.login.token}),
 * {@code POST /login/get_token}, {@code POST /refresh}, {@code POST /logout}, {@code POST /logout/all} and
 * {@code GET /account/whoami} (https://spec.matrix.org/v1.19/client-server-api/#login).
 */
final class LoginRoutes {
    static final long LOGIN_TOKEN_LIFETIME_MS = 120_000;

    private final UserApi users;
    private final Authenticator auth;
    private final UserInteractiveAuth uia;
    private final RateLimiter limiter;
    private final Sessions sessions;

    LoginRoutes(UserApi users, Authenticator auth, UserInteractiveAuth uia, RateLimiter limiter, Sessions sessions) {
        this.users = users;
        this.auth = auth;
        this.uia = uia;
        this.limiter = limiter;
        this.sessions = sessions;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v3/login", call -> Reply.json(Map.of("flows", List.of(
                Map.of("type", "m.login.password"),
                Map.of("type", "m.login.token", "get_login_token", true)))));
        router.post("/_matrix/client/v3/login", this::login);
        router.post("/_matrix/client/v1/login/get_token", this::getToken);
        router.post("/_matrix/client/v3/refresh", this::refresh);
        router.post("/_matrix/client/v3/logout", this::logout);
        router.post("/_matrix/client/v3/logout/all", this::logoutAll);
        router.get("/_matrix/client/v3/account/whoami", this::whoami);
    }

    private Reply login(HttpCall call) {
        limiter.acquire("login-ip:" + call.remoteAddress());
        ObjectNode body = call.json();
        String type = Fields.string(body, "type");
        String localpart = switch (type) {
            case "m.login.password" -> {
                String user = AuthStages.userOf(users, body)
                        .orElseThrow(() -> MatrixException.forbidden("Invalid username or password"));
                // why: per account too, so a brute force spread over many addresses is slowed as well
                limiter.acquire("login-user:" + user);
                yield users.checkPassword(user, Fields.string(body, "password")).localpart();
            }
            case "m.login.token" -> users.consumeLoginToken(Fields.string(body, "token"));
            default -> throw new MatrixException("M_UNKNOWN", "Unsupported login type: " + type, 400);
        };
        return Reply.json(sessions.start(call, localpart, body));
    }

    private Reply getToken(HttpCall call) {
        Requester requester = auth.require(call);
        limiter.acquire("login-user:" + requester.localpart());
        UserInteractiveAuth.Outcome outcome = uia.authenticate(call.json(), "POST /login/get_token " + requester.userId(),
                java.util.Optional.of(requester.userId()), List.of(Flow.of(AuthStages.PASSWORD)), Map.of(),
                AuthStages.password(users, limiter, requester));
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        String token = users.createLoginToken(requester.localpart(), LOGIN_TOKEN_LIFETIME_MS);
        return Reply.json(Map.of("login_token", token, "expires_in_ms", LOGIN_TOKEN_LIFETIME_MS));
    }

    private Reply refresh(HttpCall call) {
        String refreshToken = Fields.string(call.json(), "refresh_token");
        return Reply.json(Sessions.render(users.refresh(refreshToken)));
    }

    private Reply logout(HttpCall call) {
        Requester requester = auth.requireAllowingGuests(call);
        users.deleteDevice(requester.localpart(), requester.deviceId());
        return Reply.empty();
    }

    private Reply logoutAll(HttpCall call) {
        Requester requester = auth.requireAllowingGuests(call);
        users.deleteAllDevices(requester.localpart(), java.util.Optional.empty());
        return Reply.empty();
    }

    private Reply whoami(HttpCall call) {
        Requester requester = auth.requireAllowingGuests(call);
        return Reply.json(Map.of("user_id", requester.userId(), "device_id", requester.deviceId(),
                "is_guest", requester.isGuest()));
    }
}
