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
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The account itself: password change and deactivation (both behind UIA), and the third-party identifiers
 * (the list; adding e-mail or phone numbers is refused until Myelin can send mail or SMS).
 */
final class AccountRoutes {
    private static final int MAX_PASSWORD_LENGTH = 512;

    private final UserApi users;
    private final Authenticator auth;
    private final UserInteractiveAuth uia;
    private final RateLimiter limiter;

    AccountRoutes(UserApi users, Authenticator auth, UserInteractiveAuth uia, RateLimiter limiter) {
        this.users = users;
        this.auth = auth;
        this.uia = uia;
        this.limiter = limiter;
    }

    void addTo(Router router) {
        router.post("/_matrix/client/v3/account/password", this::changePassword);
        router.post("/_matrix/client/v3/account/deactivate", this::deactivate);
        router.get("/_matrix/client/v3/account/3pid", this::threepids);
        for (String path : List.of("account/3pid/email/requestToken", "account/3pid/msisdn/requestToken",
                "register/email/requestToken", "register/msisdn/requestToken",
                "account/password/email/requestToken", "account/password/msisdn/requestToken",
                "account/3pid/add", "account/3pid/bind")) {
            router.post("/_matrix/client/v3/" + path, call -> {
                throw new MatrixException("M_THREEPID_MEDIUM_NOT_SUPPORTED",
                        "This server cannot send e-mail or SMS, so third-party identifiers cannot be added", 400);
            });
        }
    }

    /** https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountpassword */
    private Reply changePassword(HttpCall call) {
        Requester requester = auth.require(call);
        ObjectNode body = call.json();
        String newPassword = Fields.string(body, "new_password");
        if (newPassword.isEmpty() || newPassword.length() > MAX_PASSWORD_LENGTH) {
            throw new MatrixException("M_WEAK_PASSWORD", "The password must be 1 to " + MAX_PASSWORD_LENGTH + " characters", 400);
        }
        boolean logoutDevices = Fields.optionalBoolean(body, "logout_devices").orElse(true);
        var outcome = uia.authenticate(body, "POST /account/password " + requester.userId(),
                List.of(Flow.of(AuthStages.PASSWORD)), Map.of(), AuthStages.password(users, limiter, requester));
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        users.setPassword(requester.localpart(), newPassword);
        if (logoutDevices) users.deleteAllDevices(requester.localpart(), Optional.of(requester.deviceId()));
        return Reply.empty();
    }

    /** https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3accountdeactivate */
    private Reply deactivate(HttpCall call) {
        Requester requester = auth.require(call);
        ObjectNode body = call.json();
        boolean erase = Fields.optionalBoolean(body, "erase").orElse(false);
        var outcome = uia.authenticate(body, "POST /account/deactivate " + requester.userId(),
                List.of(Flow.of(AuthStages.PASSWORD)), Map.of(), AuthStages.password(users, limiter, requester));
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        users.deactivate(requester.localpart(), erase);
        return Reply.json(Map.of("id_server_unbind_result", "no-support"));
    }

    private Reply threepids(HttpCall call) {
        Requester requester = auth.require(call);
        return Reply.json(Map.of("threepids", users.threepids(requester.localpart())));
    }
}
