package dev.myelin.userapi.api;

import java.util.Optional;

/** A registration token (m.login.registration_token) as the admin API shows it. */
public record RegistrationToken(String token, Optional<Integer> usesAllowed, int pending, int completed,
        Optional<Long> expiryTime) {}
