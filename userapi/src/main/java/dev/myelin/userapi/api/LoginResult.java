package dev.myelin.userapi.api;

import java.util.Optional;

/**
 * What a successful registration or login hands to the client: the device and its tokens. {@code expiresInMs}
 * and {@code refreshToken} are present only when the client asked for a refresh token.
 */
public record LoginResult(String userId, String deviceId, String accessToken, Optional<String> refreshToken,
        Optional<Long> expiresInMs) {

    @Override
    public String toString() { // why: results get logged by accident; tokens must not be
        return "LoginResult[userId=" + userId + ", deviceId=" + deviceId + ", accessToken=***]";
    }
}
