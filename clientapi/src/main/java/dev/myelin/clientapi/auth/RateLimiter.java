package dev.myelin.clientapi.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.myelin.platform.http.MatrixException;
import java.time.Clock;
import java.time.Duration;

/**
 * Token buckets keyed by a string (an IP address, a user): each key may spend {@code burst} actions at once and
 * regains {@code perSecond} per second. An action over the limit is refused with 429 {@code M_LIMIT_EXCEEDED}
 * and the {@code retry_after_ms} until one more is allowed.
 */
public final class RateLimiter {

    /** A bucket's refill rate and size; {@link #UNLIMITED} turns limiting off (tests, trusted deployments). */
    public record Limit(double perSecond, int burst) {
        public static final Limit UNLIMITED = new Limit(Double.POSITIVE_INFINITY, Integer.MAX_VALUE);

        public Limit {
            if (!(perSecond > 0) || burst < 1) throw new IllegalArgumentException("a rate limit needs perSecond > 0 and burst >= 1");
        }

        boolean unlimited() { return Double.isInfinite(perSecond); }
    }

    private static final class Bucket {
        double tokens;
        long updatedMs;
    }

    private final Limit limit;
    private final Clock clock;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterAccess(Duration.ofHours(1))
            .build();

    public RateLimiter(Limit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** Spends one action for {@code key}, or throws 429 with how long to wait. */
    public void acquire(String key) {
        if (limit.unlimited()) return;
        Bucket bucket = buckets.get(key, k -> {
            Bucket b = new Bucket();
            b.tokens = limit.burst();
            b.updatedMs = clock.millis();
            return b;
        });
        synchronized (bucket) {
            long now = clock.millis();
            bucket.tokens = Math.min(limit.burst(), bucket.tokens + (now - bucket.updatedMs) / 1000.0 * limit.perSecond());
            bucket.updatedMs = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return;
            }
            long waitMs = (long) Math.ceil((1 - bucket.tokens) / limit.perSecond() * 1000);
            throw MatrixException.limitExceeded(Math.max(1, waitMs));
        }
    }
}
