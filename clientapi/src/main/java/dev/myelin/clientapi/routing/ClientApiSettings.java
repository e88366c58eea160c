package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the client API's account endpoints allow: open registration (already resolved from {@code auto}),
 * whether it needs a registration token, guest accounts, the shared secret of Synapse-style admin registration,
 * rate limits, and the TURN servers handed to clients.
 */
public record ClientApiSettings(
        boolean registrationEnabled,
        boolean registrationRequiresToken,
        boolean guestsEnabled,
        Optional<String> registrationSharedSecret,
        RateLimiter.Limit loginLimit,
        RateLimiter.Limit registrationLimit,
        Turn turn) {

    /** TURN servers and the shared secret (coturn's {@code static-auth-secret}) that credentials are derived from. */
    public record Turn(List<String> uris, Optional<String> sharedSecret, Duration ttl) {
        public Turn {
            uris = List.copyOf(uris);
        }

        public static Turn none() { return new Turn(List.of(), Optional.empty(), Duration.ofDays(1)); }

        @Override
        public String toString() { return "Turn[uris=" + uris + ", sharedSecret=***, ttl=" + ttl + "]"; }
    }

    @Override
    public String toString() { // why: settings get logged; secrets must not be
        return "ClientApiSettings[registrationEnabled=" + registrationEnabled + ", requiresToken=" + registrationRequiresToken
                + ", guests=" + guestsEnabled + ", sharedSecret=" + (registrationSharedSecret.isPresent() ? "***" : "none")
                + ", loginLimit=" + loginLimit + ", registrationLimit=" + registrationLimit + ", " + turn + "]";
    }

    /** Defaults: registration closed, limits of 0.2/s with a burst of 5 per IP and per user. */
    public static ClientApiSettings defaults() {
        RateLimiter.Limit limit = new RateLimiter.Limit(0.2, 5);
        return new ClientApiSettings(false, false, false, Optional.empty(), limit, limit, Turn.none());
    }
}
