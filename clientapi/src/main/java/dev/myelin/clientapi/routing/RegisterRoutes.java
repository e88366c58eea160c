package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.clientapi.auth.UserInteractiveAuth.Flow;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Account;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.TokenLookup;
import dev.myelin.userapi.api.UserApi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registration: {@code POST /register} with user-interactive auth, {@code GET /register/available} and the
 * registration token validity check (https://spec.matrix.org/v1.19/client-server-api/#account-registration).
 */
final class RegisterRoutes {
    private final UserApi users;
    private final ClientApiSettings settings;
    private final UserInteractiveAuth uia;
    private final RateLimiter limiter;
    private final Sessions sessions;

    RegisterRoutes(UserApi users, ClientApiSettings settings, UserInteractiveAuth uia, RateLimiter limiter, Sessions sessions) {
        this.users = users;
        this.settings = settings;
        this.uia = uia;
        this.limiter = limiter;
        this.sessions = sessions;
    }

    void addTo(Router router) {
        router.post("/_matrix/client/v3/register", this::register);
        router.get("/_matrix/client/v3/register/available", this::available);
        router.get("/_matrix/client/v1/register/m.login.registration_token/validity", this::tokenValidity);
    }

    private Reply register(HttpCall call) {
        limiter.acquire("register:" + call.remoteAddress());
        String kind = call.queryParam("kind").orElse("user");
        ObjectNode body = call.json();
        if (kind.equals("guest")) return registerGuest(call, body);
        if (!kind.equals("user")) throw MatrixException.invalidParam("'kind' must be 'user' or 'guest'");
        if (!settings.registrationEnabled()) throw MatrixException.forbidden("Registration is disabled on this server");

        Optional<String> username = Fields.optionalString(body, "username").map(u -> u.toLowerCase(java.util.Locale.ROOT));
        Optional<String> password = Fields.optionalString(body, "password");
        Optional<Requester> guest = guestToUpgrade(call, body, username);
        // why: refuse a taken or invalid name before the client walks through the auth stages
        if (guest.isEmpty()) username.ifPresent(users::checkUsernameAvailable);
        if (body.hasNonNull("auth") && password.isEmpty()) throw MatrixException.missingParam("'password' is required");

        List<Flow> flows = settings.registrationRequiresToken()
                ? List.of(Flow.of(AuthStages.REGISTRATION_TOKEN))
                : List.of(Flow.of(AuthStages.DUMMY));
        Map<String, UserInteractiveAuth.StageCheck> checks = Map.of(
                AuthStages.DUMMY, (auth, session) -> { },
                AuthStages.REGISTRATION_TOKEN, AuthStages.registrationToken(users));
        UserInteractiveAuth.Outcome outcome = uia.authenticate(body, "POST /register", flows, Map.of(), checks);
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        UserInteractiveAuth.Session session = ((UserInteractiveAuth.Done) outcome).session();

        String localpart = username.orElseGet(users::generateLocalpart);
        String token = session.data().get(AuthStages.TOKEN_KEY);
        Account account;
        try {
            account = guest.isPresent()
                    ? users.upgradeGuest(localpart, password.orElseThrow())
                    : users.createAccount(localpart, password, false, false);
        } catch (RuntimeException e) {
            // why: the name was taken between the check above and now; give back the token's reserved use
            if (token != null) users.releaseRegistrationToken(token);
            throw e;
        }
        if (token != null) users.completeRegistrationToken(token);
        if (Fields.optionalBoolean(body, "inhibit_login").orElse(false)) {
            return Reply.json(Map.of("user_id", account.userId()));
        }
        return Reply.json(sessions.start(call, localpart, body));
    }

    /**
     * The guest account a registration upgrades (https://spec.matrix.org/v1.19/client-server-api/#guest-access):
     * {@code guest_access_token} names it, and {@code username} must be its localpart.
     */
    private Optional<Requester> guestToUpgrade(HttpCall call, ObjectNode body, Optional<String> username) {
        Optional<String> guestToken = Fields.optionalString(body, "guest_access_token");
        if (guestToken.isEmpty()) return Optional.empty();
        Requester guest = switch (users.lookupAccessToken(guestToken.get(), call.remoteAddress(), call.header("User-Agent"))) {
            case TokenLookup.Valid v when v.requester().isGuest() -> v.requester();
            default -> throw MatrixException.forbidden("'guest_access_token' is not the token of a guest account");
        };
        if (!username.equals(Optional.of(guest.localpart()))) {
            throw MatrixException.forbidden("'username' must be the guest's own localpart, " + guest.localpart());
        }
        return Optional.of(guest);
    }

    private Reply registerGuest(HttpCall call, ObjectNode body) {
        if (!settings.guestsEnabled()) throw MatrixException.forbidden("Guest access is disabled on this server");
        String localpart = users.generateLocalpart();
        users.createAccount(localpart, Optional.empty(), true, false);
        return Reply.json(sessions.start(call, localpart, body));
    }

    private Reply available(HttpCall call) {
        limiter.acquire("register:" + call.remoteAddress());
        String username = call.queryParam("username").orElseThrow(() -> MatrixException.missingParam("'username' is required"));
        users.checkUsernameAvailable(username.toLowerCase(java.util.Locale.ROOT));
        return Reply.json(Map.of("available", true));
    }

    private Reply tokenValidity(HttpCall call) {
        limiter.acquire("register:" + call.remoteAddress());
        if (!settings.registrationEnabled()) throw MatrixException.forbidden("Registration is disabled on this server");
        String token = call.queryParam("token").orElseThrow(() -> MatrixException.missingParam("'token' is required"));
        return Reply.json(Map.of("valid", users.registrationTokenValid(token)));
    }
}
