package dev.myelin.mediaapi.api;

import dev.myelin.platform.http.HttpCall;

/**
 * The one thing the media routes need from the account system: who made this request. The server wires it to
 * the client API's access-token check; tests use a fake.
 */
@FunctionalInterface
public interface MediaAuthenticator {
    /**
     * The full user ID ({@code @alice:example.org}) of the request's access token.
     *
     * @throws dev.myelin.platform.http.MatrixException 401 {@code M_MISSING_TOKEN} / {@code M_UNKNOWN_TOKEN}
     */
    String requireUserId(HttpCall call);
}
