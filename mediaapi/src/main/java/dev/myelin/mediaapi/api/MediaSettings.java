package dev.myelin.mediaapi.api;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the media repository is configured with (the {@code media:} section of the configuration, plus
 * the server name and where the store lives).
 *
 * @param maxUploadSize    largest upload in bytes (also {@code m.upload.size})
 * @param maxImagePixels   images with more pixels (width × height) are never decoded (decompression bombs)
 * @param userQuotaBytes   total bytes one user may upload; 0 for no quota
 * @param thumbnailSizes   sizes made at upload time and preferred when a client asks for a thumbnail
 * @param legacy           what the unauthenticated {@code /_matrix/media/v3/download|thumbnail} endpoints serve
 * @param legacyFreezeAt   with {@link LegacyMedia#FROZEN}: media created before this instant stays available
 *                         there; empty means everything is frozen
 * @param unusedExpiry     how long a media ID from {@code /create} waits for its bytes
 * @param maxPendingUploads how many unexpired created-but-not-uploaded IDs one user may hold
 * @param maxDownloadWait  the cap on a download's {@code timeout_ms} (waiting for a pending upload)
 */
public record MediaSettings(String serverName, Path storeDir, long maxUploadSize, long maxImagePixels, long userQuotaBytes,
        List<ThumbnailSize> thumbnailSizes, LegacyMedia legacy, Optional<Instant> legacyFreezeAt, Duration unusedExpiry,
        int maxPendingUploads, Duration maxDownloadWait, UrlPreview urlPreview) {

    public MediaSettings {
        thumbnailSizes = List.copyOf(thumbnailSizes);
    }

    /** {@code crop} or {@code scale}, as in the thumbnail endpoint's {@code method}. */
    public enum Method {
        CROP, SCALE;

        public String specName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** One thumbnail size, e.g. 96×96 crop. */
    public record ThumbnailSize(int width, int height, Method method) {
        /** Parses {@code 96x96 crop}. */
        public static ThumbnailSize parse(String text) {
            String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("\\s+");
            String[] dims = parts[0].split("x");
            if (parts.length != 2 || dims.length != 2) throw new IllegalArgumentException("expected WIDTHxHEIGHT crop|scale, got '" + text + "'");
            Method method = switch (parts[1]) {
                case "crop" -> Method.CROP;
                case "scale" -> Method.SCALE;
                default -> throw new IllegalArgumentException("method must be crop or scale, got '" + parts[1] + "'");
            };
            int w = Integer.parseInt(dims[0]);
            int h = Integer.parseInt(dims[1]);
            if (w < 1 || h < 1 || w > 4096 || h > 4096) throw new IllegalArgumentException("sizes must be 1–4096, got '" + text + "'");
            return new ThumbnailSize(w, h, method);
        }

        @Override
        public String toString() { return width + "x" + height + " " + method.specName(); }
    }

    /** The spec's recommended thumbnail sizes. */
    public static final List<ThumbnailSize> DEFAULT_THUMBNAIL_SIZES = List.of(
            new ThumbnailSize(32, 32, Method.CROP), new ThumbnailSize(96, 96, Method.CROP),
            new ThumbnailSize(320, 240, Method.SCALE), new ThumbnailSize(640, 480, Method.SCALE),
            new ThumbnailSize(800, 600, Method.SCALE));

    /** How the deprecated unauthenticated download and thumbnail endpoints behave (spec v1.11 "freeze"). */
    public enum LegacyMedia {
        /** They serve every medium, as before v1.11. */
        OPEN,
        /** They serve only media created before {@code legacyFreezeAt}; other media is 404 {@code M_NOT_FOUND}. */
        FROZEN,
        /** They are not served at all. */
        OFF
    }

    /**
     * URL previews.
     *
     * @param denyIpRanges  CIDR ranges refused besides the built-in private, loopback, link-local and reserved ones
     * @param allowIpRanges CIDR ranges allowed even if denied (e.g. 127.0.0.1/32 in tests)
     */
    public record UrlPreview(boolean enabled, List<String> denyIpRanges, List<String> allowIpRanges, long maxBytes,
            Duration timeout, Duration cacheFor, String userAgent) {
        public UrlPreview {
            denyIpRanges = List.copyOf(denyIpRanges);
            allowIpRanges = List.copyOf(allowIpRanges);
        }

        public static UrlPreview disabled() {
            return new UrlPreview(false, List.of(), List.of(), 10L << 20, Duration.ofSeconds(10), Duration.ofHours(1), "Myelin");
        }
    }

    /** The defaults, with the store in {@code storeDir}. */
    public static MediaSettings defaults(String serverName, Path storeDir) {
        return new MediaSettings(serverName, storeDir, 50L << 20, 32_000_000L, 0, DEFAULT_THUMBNAIL_SIZES, LegacyMedia.FROZEN,
                Optional.empty(), Duration.ofHours(24), 10, Duration.ofSeconds(60), UrlPreview.disabled());
    }
}
