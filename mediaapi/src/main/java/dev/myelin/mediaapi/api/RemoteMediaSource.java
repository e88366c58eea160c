package dev.myelin.mediaapi.api;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * Where media of other servers comes from: the federation component implements it with
 * {@code GET /_matrix/federation/v1/media/download/{mediaId}}; the media repository caches what it returns.
 */
@FunctionalInterface
public interface RemoteMediaSource {

    /** Remote media as fetched: the caller stores {@code content} and closes it. */
    record Fetched(String contentType, Optional<String> uploadName, InputStream content) {}

    /** The media, or empty when the origin does not have it (or cannot be reached within {@code timeout}). */
    Optional<Fetched> fetch(String origin, String mediaId, Duration timeout);

    /** No federation: remote media is never found. */
    RemoteMediaSource NONE = (origin, mediaId, timeout) -> Optional.empty();
}
