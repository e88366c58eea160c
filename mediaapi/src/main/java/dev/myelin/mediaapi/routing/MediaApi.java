package dev.myelin.mediaapi.routing;

import dev.myelin.mediaapi.api.MediaAuthenticator;
import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.api.RemoteMediaSource;
import dev.myelin.mediaapi.internal.MediaRepository;
import dev.myelin.mediaapi.internal.MediaStore;
import dev.myelin.mediaapi.internal.UrlPreviewer;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The media repository's HTTP endpoints (https://spec.matrix.org/v1.19/client-server-api/#content-repository):
 * uploads under {@code /_matrix/media/v3} and {@code v1/create}, the authenticated
 * {@code /_matrix/client/v1/media/…} endpoints, and the deprecated unauthenticated {@code /_matrix/media/v3/…}
 * ones as {@link MediaSettings.LegacyMedia} says. Built once at start-up; close it to stop its background work.
 */
public final class MediaApi implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_FILE_NAME = 255;

    private final MediaSettings settings;
    private final MediaAuthenticator auth;
    private final MediaRepository repository;
    private final Optional<UrlPreviewer> previewer;

    private MediaApi(MediaSettings settings, MediaAuthenticator auth, MediaRepository repository, Optional<UrlPreviewer> previewer) {
        this.settings = settings;
        this.auth = auth;
        this.repository = repository;
        this.previewer = previewer;
    }

    /** Opens the store under {@code settings.storeDir()} and adds every media endpoint to {@code router}. */
    public static MediaApi addRoutes(Router router, MediaSettings settings, Database db, MediaAuthenticator auth,
            RemoteMediaSource remote, Clock clock, SecureRandom random) {
        MediaRepository repository = new MediaRepository(settings, db, new MediaStore(settings.storeDir()), remote, clock, random);
        Optional<UrlPreviewer> previewer = settings.urlPreview().enabled()
                ? Optional.of(new UrlPreviewer(settings.urlPreview(), repository, db, clock)) : Optional.empty();
        MediaApi api = new MediaApi(settings, auth, repository, previewer);
        api.register(router);
        return api;
    }

    private void register(Router router) {
        long limit = settings.maxUploadSize();
        router.add("POST", "/_matrix/media/v3/upload", limit, this::upload);
        router.post("/_matrix/media/v1/create", this::create);
        router.add("PUT", "/_matrix/media/v3/upload/{serverName}/{mediaId}", limit, this::uploadCreated);

        String v1 = "/_matrix/client/v1/media";
        router.get(v1 + "/config", this::config);
        router.get(v1 + "/download/{serverName}/{mediaId}", call -> download(call, Optional.empty(), true));
        router.get(v1 + "/download/{serverName}/{mediaId}/{fileName}", call -> download(call, Optional.of(call.pathParam("fileName")), true));
        router.get(v1 + "/thumbnail/{serverName}/{mediaId}", call -> thumbnail(call, true));
        previewer.ifPresent(p -> router.get(v1 + "/preview_url", this::previewUrl));

        String v3 = "/_matrix/media/v3";
        // why: the deprecated config and preview_url always required an access token; only download and
        // thumbnail were open, and those are what the freeze is about
        router.get(v3 + "/config", this::config);
        previewer.ifPresent(p -> router.get(v3 + "/preview_url", this::previewUrl));
        if (settings.legacy() != MediaSettings.LegacyMedia.OFF) {
            router.get(v3 + "/download/{serverName}/{mediaId}", call -> download(call, Optional.empty(), false));
            router.get(v3 + "/download/{serverName}/{mediaId}/{fileName}", call -> download(call, Optional.of(call.pathParam("fileName")), false));
            router.get(v3 + "/thumbnail/{serverName}/{mediaId}", call -> thumbnail(call, false));
        }
    }

    // POST /_matrix/media/v3/upload
    private Reply upload(HttpCall call) {
        String user = auth.requireUserId(call);
        Optional<String> fileName = fileNameParam(call);
        repository.checkQuota(user, declaredLength(call));
        String mediaId = repository.upload(user, contentType(call), fileName, call.bodyStream());
        return Reply.json(Map.of("content_uri", mxc(mediaId)));
    }

    // POST /_matrix/media/v1/create
    private Reply create(HttpCall call) {
        String user = auth.requireUserId(call);
        Map.Entry<String, Long> created = repository.create(user);
        return Reply.json(Map.of("content_uri", mxc(created.getKey()), "unused_expires_at", created.getValue()));
    }

    // PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
    private Reply uploadCreated(HttpCall call) {
        String user = auth.requireUserId(call);
        String serverName = call.pathParam("serverName");
        String mediaId = call.pathParam("mediaId");
        Optional<String> fileName = fileNameParam(call);
        repository.checkPendingUpload(user, serverName, mediaId);
        repository.checkQuota(user, declaredLength(call));
        repository.completeUpload(user, mediaId, contentType(call), fileName, call.bodyStream());
        return Reply.empty();
    }

    // GET …/config
    private Reply config(HttpCall call) {
        auth.requireUserId(call);
        return Reply.json(Map.of("m.upload.size", settings.maxUploadSize()));
    }

    // GET …/download/{serverName}/{mediaId}[/{fileName}]
    private Reply download(HttpCall call, Optional<String> fileName, boolean authenticated) {
        if (authenticated) auth.requireUserId(call);
        MediaRepository.Media media = find(call, authenticated);
        Optional<String> name = fileName.or(() -> media.row().uploadName());
        return ServingHeaders.file(ServingHeaders.contentType(media.row().contentType()), media.file(), media.size(), name);
    }

    // GET …/thumbnail/{serverName}/{mediaId}?width&height&method&animated
    private Reply thumbnail(HttpCall call, boolean authenticated) {
        if (authenticated) auth.requireUserId(call);
        int width = dimension(call, "width");
        int height = dimension(call, "height");
        MediaSettings.Method method = switch (call.queryParam("method").orElse("scale")) {
            case "scale" -> MediaSettings.Method.SCALE;
            case "crop" -> MediaSettings.Method.CROP;
            default -> throw MatrixException.invalidParam("method must be crop or scale");
        };
        boolean animated = bool(call, "animated");
        MediaRepository.Media media = find(call, authenticated);
        MediaRepository.ThumbnailFile thumb = repository.thumbnail(media, width, height, method, animated);
        return ServingHeaders.file(thumb.contentType(), thumb.file(), thumb.size(), Optional.empty());
    }

    // GET …/preview_url?url&ts
    private Reply previewUrl(HttpCall call) {
        auth.requireUserId(call);
        String url = call.queryParam("url").orElseThrow(() -> MatrixException.missingParam("url is required"));
        return Reply.json(previewer.orElseThrow().preview(url));
    }

    private MediaRepository.Media find(HttpCall call, boolean authenticated) {
        String serverName = call.pathParam("serverName");
        String mediaId = call.pathParam("mediaId");
        Duration timeout = call.queryParam("timeout_ms").map(t -> Duration.ofMillis(nonNegative(t, "timeout_ms"))).orElse(DEFAULT_TIMEOUT);
        boolean allowRemote = authenticated || !call.queryParam("allow_remote").orElse("true").equals("false");
        MediaRepository.checkIds(serverName, mediaId);
        if (!authenticated && settings.legacy() == MediaSettings.LegacyMedia.FROZEN) {
            // why: the freeze asks for 404 on media newer than the freeze, so find it without waiting or fetching
            MediaRepository.Media media = repository.media(serverName, mediaId, Duration.ZERO, false);
            long freezeAt = settings.legacyFreezeAt().map(java.time.Instant::toEpochMilli).orElse(Long.MIN_VALUE);
            if (media.row().createdTs() >= freezeAt) {
                throw MatrixException.notFound("Media not found: this server serves new media only on the authenticated endpoints");
            }
            return media;
        }
        return repository.media(serverName, mediaId, timeout, allowRemote);
    }

    private String mxc(String mediaId) {
        return "mxc://" + settings.serverName() + "/" + mediaId;
    }

    private static Optional<String> fileNameParam(HttpCall call) {
        Optional<String> name = call.queryParam("filename").filter(n -> !n.isEmpty());
        if (name.isPresent() && (name.get().length() > MAX_FILE_NAME || name.get().chars().anyMatch(Character::isISOControl))) {
            throw MatrixException.invalidParam("filename must be at most " + MAX_FILE_NAME + " characters without control characters");
        }
        return name;
    }

    private static String contentType(HttpCall call) {
        String type = call.header("Content-Type").map(String::strip).filter(t -> !t.isEmpty()).orElse("application/octet-stream");
        return type.length() > 255 ? "application/octet-stream" : type;
    }

    private static long declaredLength(HttpCall call) {
        try {
            return call.header("Content-Length").map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int dimension(HttpCall call, String name) {
        String text = call.queryParam(name).orElseThrow(() -> MatrixException.missingParam(name + " is required"));
        long value = nonNegative(text, name);
        if (value < 1 || value > 10_000) throw MatrixException.invalidParam(name + " must be 1–10000");
        return (int) value;
    }

    private static long nonNegative(String text, String name) {
        try {
            long v = Long.parseLong(text);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(name + " must be a non-negative integer");
        }
    }

    private static boolean bool(HttpCall call, String name) {
        return switch (call.queryParam(name).orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam(name + " must be true or false");
        };
    }

    /** The repository (for the federation media endpoints and tests). */
    public MediaRepository repository() { return repository; }

    @Override
    public void close() {
        previewer.ifPresent(UrlPreviewer::close);
        repository.close();
    }
}
