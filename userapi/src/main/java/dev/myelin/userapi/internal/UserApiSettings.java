package dev.myelin.userapi.internal;

import java.time.Duration;

/**
 * How the user API behaves: the server name, the password hashing cost and how long a refreshable access token
 * lives.
 */
public record UserApiSettings(String serverName, PasswordHasher.Cost passwordCost, Duration refreshableTokenLifetime) {

    public static UserApiSettings defaults(String serverName) {
        return new UserApiSettings(serverName, PasswordHasher.Cost.PRODUCTION, Duration.ofMinutes(5));
    }
}
