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
 * The account itself: password change and deactivation (both behind UIA), and the third-party identifiers: the
 * list, removal, and unbinding (Myelin talks to no identity server, so unbinding answers {@code no-support}).
 * Adding e-mail addresses or phone numbers is refused until Myelin can send mail or SMS: requesting a validation
 * token answers {@code M_THREEPID_MEDIUM_NOT_SUPPORTED} (the spec's code for "this server does not support adding
 * this medium"), adding with a session ID {@code M_THREEPID_AUTH_FAILED} (no session can have been validated), and
 * binding through an identity server {@code M_SERVER_NOT_TRUSTED}.
 */
final class AccountRoutes {
    private static final int MAX_PASSWORD_LENGTH = 512;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccountRoutes.class);

    private final UserApi users;
    private final Authenticator auth;
    private final UserInteractiveAuth uia;
    private final RateLimiter limiter;
    private final AccountRooms rooms;

    AccountRoutes(UserApi users, Authenticator auth, UserInteractiveAuth uia, RateLimiter limiter, AccountRooms rooms) {
        this.users = users;
        this.auth = auth;
        this.uia = uia;
        this.limiter = limiter;
        this.rooms = rooms;
    }

    void addTo(Router router) {
        router.post("/_matrix/client/v3/account/password", this::changePassword);
        router.post("/_matrix/client/v3/account/deactivate", this::deactivate);
        router.get("/_matrix/client/v3/account/3pid", this::threepids);
        router.post("/_matrix/client/v3/account/3pid/delete", this::deleteThreepid);
        router.post("/_matrix/client/v3/account/3pid/unbind", this::unbindThreepid);
        for (String path : List.of("account/3pid/email/requestToken", "account/3pid/msisdn/requestToken",
                "register/email/requestToken", "register/msisdn/requestToken",
                "account/password/email/requestToken", "account/password/msisdn/requestToken")) {
            router.post("/_matrix/client/v3/" + path, call -> {
                call.json();
                throw new MatrixException("M_THREEPID_MEDIUM_NOT_SUPPORTED",
                        "This server cannot send e-mail or SMS, so third-party identifiers cannot be validated", 400);
            });
        }
        router.post("/_matrix/client/v3/account/3pid/add", call -> {
            auth.require(call);
            ObjectNode body = call.json();
            Fields.string(body, "client_secret");
            throw noValidatedSession(Fields.string(body, "sid"));
        });
        // the deprecated form of /3pid/add (three_pid_creds instead of sid)
        router.post("/_matrix/client/v3/account/3pid", call -> {
            auth.require(call);
            ObjectNode creds = Fields.optionalObject(call.json(), "three_pid_creds")
                    .orElseThrow(() -> MatrixException.missingParam("'three_pid_creds' is required"));
            throw noValidatedSession(Fields.string(creds, "sid"));
        });
        router.post("/_matrix/client/v3/account/3pid/bind", call -> {
            auth.require(call);
            ObjectNode body = call.json();
            for (String field : List.of("client_secret", "id_server", "id_access_token", "sid")) Fields.string(body, field);
            throw new MatrixException("M_SERVER_NOT_TRUSTED",
                    "This server does not talk to identity servers, so it cannot bind identifiers through one", 400);
        });
    }

    private static MatrixException noValidatedSession(String sid) {
        return new MatrixException("M_THREEPID_AUTH_FAILED", "No validated session " + sid
                + ": this server cannot send e-mail or SMS, so no third-party identifier can be validated", 400);
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
                Optional.of(requester.userId()), List.of(Flow.of(AuthStages.PASSWORD)), Map.of(),
                AuthStages.password(users, limiter, requester));
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
                Optional.of(requester.userId()), List.of(Flow.of(AuthStages.PASSWORD)), Map.of(),
                AuthStages.password(users, limiter, requester));
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        users.deactivate(requester.localpart(), erase);
        // why: after the account is closed (its tokens stop at once); the profile is already gone when erasing, so
        // no leave event carries a name. A crash in between is finished at the next start (resumeDeactivations).
        try {
            leaveRooms(users, rooms, requester.userId());
        } catch (RuntimeException e) {
            // why: the account is closed already and the answer must say so; the next start tries the rooms again
            LOG.warn("{} was deactivated but leaving their rooms failed", requester.userId(), e);
        }
        return Reply.json(Map.of("id_server_unbind_result", "no-support"));
    }

    private static void leaveRooms(UserApi users, AccountRooms rooms, String userId) {
        rooms.deactivated(userId);
        users.roomsLeft(userId.substring(1, userId.indexOf(':')));
    }

    /** Takes users whose deactivation was interrupted (a crash, a failure) out of their rooms; returns how many. */
    static int resumeDeactivations(UserApi users, AccountRooms rooms) {
        int done = 0;
        for (String userId : users.usersLeavingRooms()) {
            try {
                leaveRooms(users, rooms, userId);
                done++;
            } catch (RuntimeException e) {
                LOG.warn("leaving the rooms of deactivated {} failed again", userId, e);
            }
        }
        if (done > 0) LOG.info("finished the deactivation of {} users", done);
        return done;
    }

    /** https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3account3piddelete */
    private Reply deleteThreepid(HttpCall call) {
        Requester requester = auth.require(call);
        ObjectNode body = call.json();
        Threepid threepid = threepid(body);
        users.deleteThreepid(requester.localpart(), threepid.medium(), threepid.address());
        // why: Myelin never bound an identifier at an identity server, so it knows none to unbind from
        return Reply.json(Map.of("id_server_unbind_result", "no-support"));
    }

    /** https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3account3pidunbind */
    private Reply unbindThreepid(HttpCall call) {
        auth.require(call);
        threepid(call.json());
        return Reply.json(Map.of("id_server_unbind_result", "no-support"));
    }

    private record Threepid(String medium, String address) {}

    /** The {@code medium} and {@code address} of a 3PID request ({@code id_server}, if given, must be a string). */
    private static Threepid threepid(ObjectNode body) {
        String medium = Fields.string(body, "medium");
        String address = Fields.string(body, "address");
        Fields.optionalString(body, "id_server");
        if (!medium.equals("email") && !medium.equals("msisdn")) {
            throw MatrixException.invalidParam("'medium' must be 'email' or 'msisdn'");
        }
        return new Threepid(medium, address);
    }

    private Reply threepids(HttpCall call) {
        Requester requester = auth.require(call);
        return Reply.json(Map.of("threepids", users.threepids(requester.localpart())));
    }
}
