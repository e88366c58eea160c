package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.UserId;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The UIA stages Myelin offers and how each is checked: {@code m.login.dummy}, {@code m.login.password} (the
 * requester re-proves their password before a sensitive action) and {@code m.login.registration_token}.
 */
final class AuthStages {
    static final String DUMMY = "m.login.dummy";
    static final String PASSWORD = "m.login.password";
    static final String REGISTRATION_TOKEN = "m.login.registration_token";
    static final String TOKEN_KEY = "registration_token";

    private AuthStages() {}

    /** Re-authentication of a logged-in user by password: the flows and checks for account changes. */
    static Map<String, UserInteractiveAuth.StageCheck> password(UserApi users, RateLimiter limiter, Requester requester) {
        return Map.of(PASSWORD, (auth, session) -> {
            // why: a stolen access token must not become a way to guess the account's password quickly
            limiter.acquire("login-user:" + requester.localpart());
            String localpart = userOf(users, auth).orElseThrow(() -> MatrixException.forbidden("Invalid username or password"));
            if (!localpart.equals(requester.localpart())) {
                throw MatrixException.forbidden("You may only authenticate as yourself");
            }
            users.checkPassword(localpart, Fields.string(auth, "password"));
        });
    }

    /**
     * {@code m.login.password} completed on the fallback page: the password of the user who started the session
     * (a session without a user, such as a registration's, cannot be completed this way).
     */
    static UserInteractiveAuth.StageCheck passwordOfSessionUser(UserApi users, RateLimiter limiter) {
        return (auth, session) -> {
            String userId = session.userId()
                    .orElseThrow(() -> MatrixException.forbidden("This session does not re-authenticate a user"));
            String localpart = UserId.parse(userId).localpart();
            limiter.acquire("login-user:" + localpart);
            users.checkPassword(localpart, Fields.string(auth, "password"));
        };
    }

    /**
     * {@code m.login.registration_token}: reserves one use of a valid token for this session (once; submitting the
     * same token again in the session is accepted without another reservation).
     */
    static UserInteractiveAuth.StageCheck registrationToken(UserApi users) {
        return (auth, session) -> {
            String token = Fields.string(auth, "token");
            if (token.equals(session.data().get(TOKEN_KEY))) return;
            if (!users.reserveRegistrationToken(token)) {
                throw MatrixException.forbidden("The registration token is invalid, used up or expired");
            }
            session.data().put(TOKEN_KEY, token);
        };
    }

    /** The localpart named by a login or UIA dict: {@code identifier} of type {@code m.id.user}, or the old {@code user}. */
    static Optional<String> userOf(UserApi users, ObjectNode dict) {
        Optional<ObjectNode> identifier = Fields.optionalObject(dict, "identifier");
        String user;
        if (identifier.isPresent()) {
            String type = Fields.string(identifier.get(), "type");
            if (!type.equals("m.id.user")) {
                throw new MatrixException("M_UNKNOWN", "Only m.id.user identifiers are supported", 400);
            }
            user = Fields.string(identifier.get(), "user");
        } else {
            user = Fields.optionalString(dict, "user")
                    .orElseThrow(() -> MatrixException.missingParam("'identifier' is required"));
        }
        if (user.startsWith("@")) {
            try {
                UserId id = UserId.parse(user);
                if (!id.server().value().equals(users.serverName())) return Optional.empty();
                user = id.localpart();
            } catch (ProtocolException e) {
                return Optional.empty();
            }
        }
        return Optional.of(user.toLowerCase(java.util.Locale.ROOT));
    }
}
