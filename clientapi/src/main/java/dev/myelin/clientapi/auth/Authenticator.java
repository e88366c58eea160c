package dev.myelin.clientapi.auth;

import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.TokenLookup;
import dev.myelin.userapi.api.UserApi;
import java.util.Map;

/**
 * Turns a request's access token ({@code Authorization: Bearer …} or the deprecated {@code access_token} query
 * parameter) into the {@link Requester} it belongs to, or the spec's 401: {@code M_MISSING_TOKEN} without one,
 * {@code M_UNKNOWN_TOKEN} for an unknown one, with {@code soft_logout: true} when it merely expired
 * (https://spec.matrix.org/v1.19/client-server-api/#using-access-tokens).
 */
public final class Authenticator {
    private final UserApi users;

    public Authenticator(UserApi users) {
        this.users = users;
    }

    /** The requester, or 401; guests get 403 {@code M_GUEST_ACCESS_FORBIDDEN}. */
    public Requester require(HttpCall call) {
        Requester requester = requireAllowingGuests(call);
        if (requester.isGuest()) {
            throw new MatrixException("M_GUEST_ACCESS_FORBIDDEN", "Guest accounts may not use this endpoint", 403);
        }
        return requester;
    }

    /** The requester, guests included (for the endpoints the spec opens to guests), or 401. */
    public Requester requireAllowingGuests(HttpCall call) {
        String token = call.accessToken()
                .filter(t -> !t.isEmpty())
                .orElseThrow(() -> new MatrixException("M_MISSING_TOKEN", "Missing access token", 401));
        TokenLookup lookup = users.lookupAccessToken(token, call.remoteAddress(), call.header("User-Agent"));
        return switch (lookup) {
            case TokenLookup.Valid v -> v.requester();
            case TokenLookup.Expired e -> throw new MatrixException("M_UNKNOWN_TOKEN", "Access token has expired", 401,
                    Map.of("soft_logout", true));
            case TokenLookup.Unknown u -> throw new MatrixException("M_UNKNOWN_TOKEN", "Unrecognised access token", 401,
                    Map.of("soft_logout", false));
        };
    }

    /** The requester, who must be a server admin (403 otherwise). */
    public Requester requireAdmin(HttpCall call) {
        Requester requester = require(call);
        if (!requester.isAdmin()) throw MatrixException.forbidden("You are not a server admin");
        return requester;
    }
}
