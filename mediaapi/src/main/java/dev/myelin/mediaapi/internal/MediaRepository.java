package dev.myelin.mediaapi.internal;

import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.api.MediaSettings.Method;
import dev.myelin.mediaapi.api.MediaSettings.ThumbnailSize;
import dev.myelin.mediaapi.api.RemoteMediaSource;
import dev.myelin.mediaapi.storage.MediaTable;
import dev.myelin.mediaapi.storage.ThumbnailsTable;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media repository's behaviour: uploads (direct and asynchronous), quota, lookups for download (waiting for
 * pending uploads, fetching remote media through the hook) and thumbnails (pre-generated sizes, dynamic ones,
 * cached). The routes parse and render; the store keeps the bytes; the tables keep the metadata.
 */
public final class MediaRepository implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaRepository.class);
    // https://spec.matrix.org/v1.19/client-server-api/#matrix-content-mxc-uris
    private static final Pattern MEDIA_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern SERVER_NAME = Pattern.compile("([A-Za-z0-9.-]{1,255}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final Duration POLL = Duration.ofMillis(200);

    private final MediaSettings settings;
    private final Database db;
    private final MediaStore store;
    private final Thumbnailer thumbnailer;
    private final RemoteMediaSource remote;
    private final Clock clock;
    private final SecureRandom random;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    /** A medium ready to serve: its metadata and its file. */
    public record Media(MediaTable.Row row, Path file) {
        public long size() { return row.size().orElseThrow(); }
    }

    /** A thumbnail to serve: a generated one, or the original when it is already small enough. */
    public record ThumbnailFile(String contentType, Path file, long size) {}

    public MediaRepository(MediaSettings settings, Database db, MediaStore store, RemoteMediaSource remote, Clock clock,
            SecureRandom random) {
        this.settings = settings;
        this.db = db;
        this.store = store;
        this.thumbnailer = new Thumbnailer(settings.maxImagePixels());
        this.remote = remote;
        this.clock = clock;
        this.random = random;
    }

    public MediaSettings settings() { return settings; }

    // --- upload -------------------------------------------------------------------------------------------

    /**
     * Refuses an upload before its body is read when the user's quota would be exceeded by {@code declaredSize}
     * (the Content-Length, or -1 when unknown).
     */
    public void checkQuota(String userId, long declaredSize) {
        if (settings.userQuotaBytes() <= 0) return;
        long used = db.read(c -> MediaTable.totalSizeOf(c, userId));
        if (used + Math.max(0, declaredSize) > settings.userQuotaBytes()) throw quotaExceeded();
    }

    /** Stores a new upload ({@code POST /upload}); returns its media ID. */
    public String upload(String userId, String contentType, Optional<String> fileName, InputStream body) {
        MediaStore.Stored stored = storeBody(userId, body);
        String mediaId = newMediaId();
        long now = clock.millis();
        db.write(c -> MediaTable.insert(c, new MediaTable.Row(settings.serverName(), mediaId, Optional.of(userId),
                Optional.of(contentType), fileName, Optional.of(stored.size()), Optional.of(stored.sha256()), now, Optional.of(now))));
        log.debug("stored upload {} of {} ({} bytes)", mediaId, userId, stored.size());
        pregenerateThumbnails(mediaId, stored.sha256());
        return mediaId;
    }

    /** Reserves a media ID for an asynchronous upload ({@code POST /create}); returns it and when it expires. */
    public Map.Entry<String, Long> create(String userId) {
        long now = clock.millis();
        long expiresAt = now + settings.unusedExpiry().toMillis();
        String mediaId = newMediaId();
        db.write(c -> {
            if (MediaTable.pendingCount(c, userId, now - settings.unusedExpiry().toMillis()) >= settings.maxPendingUploads()) {
                throw MatrixException.limitExceeded(settings.unusedExpiry().toMillis() / 10);
            }
            return MediaTable.insert(c, new MediaTable.Row(settings.serverName(), mediaId, Optional.of(userId), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), now, Optional.empty()));
        });
        return Map.entry(mediaId, expiresAt);
    }

    /**
     * Checks that {@code userId} may upload the bytes of a created media ID ({@code PUT /upload/{serverName}/{mediaId}})
     * before the body is read: 404 unknown or expired, 403 someone else's, 409 already uploaded.
     */
    public void checkPendingUpload(String userId, String serverName, String mediaId) {
        checkIds(serverName, mediaId);
        if (!serverName.equals(settings.serverName())) throw MatrixException.notFound("Media not found");
        MediaTable.Row row = db.read(c -> MediaTable.select(c, serverName, mediaId))
                .orElseThrow(() -> MatrixException.notFound("Media not found"));
        if (!row.userId().equals(Optional.of(userId))) throw MatrixException.forbidden("This media ID was created by another user");
        if (row.uploaded()) throw new MatrixException("M_CANNOT_OVERWRITE_MEDIA", "This media has already been uploaded", 409);
        if (clock.millis() > row.createdTs() + settings.unusedExpiry().toMillis()) {
            throw MatrixException.notFound("This media ID has expired");
        }
    }

    /** Stores the bytes of a created media ID (after {@link #checkPendingUpload}). */
    public void completeUpload(String userId, String mediaId, String contentType, Optional<String> fileName, InputStream body) {
        MediaStore.Stored stored = storeBody(userId, body);
        boolean done = db.write(c -> MediaTable.completeUpload(c, settings.serverName(), mediaId, contentType, fileName,
                stored.size(), stored.sha256(), clock.millis()));
        if (!done) throw new MatrixException("M_CANNOT_OVERWRITE_MEDIA", "This media has already been uploaded", 409);
        pregenerateThumbnails(mediaId, stored.sha256());
    }

    private MediaStore.Stored storeBody(String userId, InputStream body) {
        InputStream in = body;
        if (settings.userQuotaBytes() > 0) {
            // why: Content-Length was checked up front, but a chunked body has none; stop it at the quota while
            // reading, before anything reaches the store
            long left = Math.max(0, settings.userQuotaBytes() - db.read(c -> MediaTable.totalSizeOf(c, userId)));
            in = new CappedInputStream(body, left, () -> quotaExceeded());
        }
        try (InputStream closing = in) {
            return store.store(closing);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private MatrixException quotaExceeded() {
        return MatrixException.forbidden("This upload would exceed your media quota of " + settings.userQuotaBytes() + " bytes");
    }

    // --- download -----------------------------------------------------------------------------------------

    /**
     * The medium {@code mxc://serverName/mediaId}, waiting up to {@code timeout} for a pending upload and
     * fetching remote media through the hook when {@code allowRemote}.
     *
     * @throws MatrixException 400 {@code M_INVALID_PARAM} malformed IDs, 404 {@code M_NOT_FOUND}, 504
     *                         {@code M_NOT_YET_UPLOADED}
     */
    public Media media(String serverName, String mediaId, Duration timeout, boolean allowRemote) {
        checkIds(serverName, mediaId);
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), settings.maxDownloadWait().toNanos());
        while (true) {
            Optional<MediaTable.Row> row = db.read(c -> MediaTable.select(c, serverName, mediaId));
            if (row.isEmpty()) {
                if (serverName.equals(settings.serverName()) || !allowRemote) throw MatrixException.notFound("Media not found");
                return fetchRemote(serverName, mediaId, timeout);
            }
            MediaTable.Row r = row.get();
            if (r.uploaded()) return new Media(r, store.path(r.sha256().orElseThrow()));
            if (clock.millis() > r.createdTs() + settings.unusedExpiry().toMillis()) throw MatrixException.notFound("Media not found");
            if (System.nanoTime() >= deadline) {
                throw new MatrixException("M_NOT_YET_UPLOADED", "The media has not been uploaded yet", 504);
            }
            sleep(POLL);
        }
    }

    private Media fetchRemote(String origin, String mediaId, Duration timeout) {
        RemoteMediaSource.Fetched fetched = remote.fetch(origin, mediaId, timeout)
                .orElseThrow(() -> MatrixException.notFound("Media not found"));
        MediaStore.Stored stored;
        try (InputStream in = fetched.content()) {
            stored = store.store(new CappedInputStream(in, settings.maxUploadSize(),
                    () -> new MatrixException("M_TOO_LARGE", "The remote media is larger than " + settings.maxUploadSize() + " bytes", 502)));
        } catch (IOException e) {
            throw new MatrixException("M_UNKNOWN", "Could not fetch the remote media", 502);
        }
        long now = clock.millis();
        db.write(c -> MediaTable.insert(c, new MediaTable.Row(origin, mediaId, Optional.empty(), Optional.of(fetched.contentType()),
                fetched.uploadName(), Optional.of(stored.size()), Optional.of(stored.sha256()), now, Optional.of(now))));
        MediaTable.Row row = db.read(c -> MediaTable.select(c, origin, mediaId)).orElseThrow();
        return new Media(row, store.path(row.sha256().orElseThrow()));
    }

    // --- thumbnails ---------------------------------------------------------------------------------------

    /**
     * A thumbnail of at least {@code width}×{@code height} where the image allows: a configured size of the same
     * method that covers the request if there is one, otherwise exactly the request; made once and cached. When
     * the original is no bigger than that, the original itself (unless it is animated and {@code animated} is false).
     */
    public ThumbnailFile thumbnail(Media media, int width, int height, Method method, boolean animated) {
        MediaTable.Row row = media.row();
        Thumbnailer.Probe probe = thumbnailer.probe(media.file());
        ThumbnailSize target = settings.thumbnailSizes().stream()
                .filter(s -> s.method() == method && s.width() >= width && s.height() >= height)
                .min(Comparator.comparingLong(s -> (long) s.width() * s.height()))
                .orElse(new ThumbnailSize(width, height, method));
        boolean smaller = probe.width() <= target.width() && probe.height() <= target.height();
        if (smaller && (animated || !probe.animated())) {
            return new ThumbnailFile(probe.contentType(), media.file(), media.size());
        }
        Optional<ThumbnailsTable.Row> cached = db.read(c -> ThumbnailsTable.select(c, row.origin(), row.mediaId(),
                target.width(), target.height(), method.specName()));
        ThumbnailsTable.Row thumb = cached.orElseGet(() -> generate(row.origin(), row.mediaId(), media.file(), target));
        return new ThumbnailFile(thumb.contentType(), store.path(thumb.sha256()), thumb.size());
    }

    private ThumbnailsTable.Row generate(String origin, String mediaId, Path file, ThumbnailSize size) {
        Thumbnailer.Thumbnail t = thumbnailer.thumbnail(file, size.width(), size.height(), size.method());
        MediaStore.Stored stored;
        try {
            stored = store.store(t.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ThumbnailsTable.Row row = new ThumbnailsTable.Row(origin, mediaId, size.width(), size.height(), size.method().specName(),
                t.contentType(), stored.sha256(), stored.size());
        db.write(c -> {
            ThumbnailsTable.insert(c, row);
            return null;
        });
        return row;
    }

    // why: in the background so an upload is answered as soon as its bytes are safe; a thumbnail request that
    // comes first simply makes the thumbnail itself (the insert ignores the second copy)
    private void pregenerateThumbnails(String mediaId, String sha256) {
        if (settings.thumbnailSizes().isEmpty()) return;
        Path file = store.path(sha256);
        try {
            background.execute(() -> {
                try {
                    Thumbnailer.Probe probe = thumbnailer.probe(file);
                    for (ThumbnailSize size : settings.thumbnailSizes()) {
                        if (probe.width() <= size.width() && probe.height() <= size.height()) continue;
                        generate(settings.serverName(), mediaId, file, size);
                    }
                } catch (MatrixException e) {
                    // not an image we thumbnail, or too large: nothing to pre-generate
                } catch (RuntimeException e) {
                    log.warn("could not pre-generate thumbnails of {}: {}", mediaId, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: thumbnails will be made on demand
        }
    }

    /** Waits for background thumbnail work (for tests and shutdown). */
    @Override
    public void close() {
        background.shutdown();
        try {
            if (!background.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) background.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------

    /** Stores bytes fetched by the server itself (URL preview images) as local media without an uploader. */
    public String storeFetched(String contentType, Optional<String> fileName, InputStream in) {
        MediaStore.Stored stored;
        try (in) {
            stored = store.store(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String mediaId = newMediaId();
        long now = clock.millis();
        db.write(c -> MediaTable.insert(c, new MediaTable.Row(settings.serverName(), mediaId, Optional.empty(),
                Optional.of(contentType), fileName, Optional.of(stored.size()), Optional.of(stored.sha256()), now, Optional.of(now))));
        return mediaId;
    }

    /** The image header of a stored medium, if it is an image we thumbnail. */
    public Optional<Thumbnailer.Probe> probe(String mediaId) {
        try {
            Media m = media(settings.serverName(), mediaId, Duration.ZERO, false);
            return Optional.of(thumbnailer.probe(m.file()));
        } catch (MatrixException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks the two parts of an {@code mxc://} URI against the spec's grammar before they reach a query or a
     * path: 400 {@code M_INVALID_PARAM} otherwise.
     */
    public static void checkIds(String serverName, String mediaId) {
        if (!SERVER_NAME.matcher(serverName).matches()) throw MatrixException.invalidParam("Invalid server name");
        if (!MEDIA_ID.matcher(mediaId).matches()) throw MatrixException.invalidParam("Invalid media ID");
    }

    private String newMediaId() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        return new String(id);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException("M_NOT_YET_UPLOADED", "The media has not been uploaded yet", 504);
        }
    }

    /** Stops a stream of unknown length as soon as it passes a limit, with the given error. */
    static final class CappedInputStream extends java.io.FilterInputStream {
        private final long limit;
        private final java.util.function.Supplier<MatrixException> error;
        private long count;

        CappedInputStream(InputStream in, long limit, java.util.function.Supplier<MatrixException> error) {
            super(in);
            this.limit = limit;
            this.error = error;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
            if (n > 0 && (count += n) > limit) throw error.get();
            return n;
        }
    }
}
