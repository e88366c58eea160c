package dev.myelin.server;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.api.RemoteMediaSource;
import dev.myelin.mediaapi.routing.MediaApi;
import dev.myelin.platform.config.ConfigException;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.UserApi;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Wires the media repository: its settings from {@code media:}, its store under {@code <data_dir>/media}, its routes. */
final class MediaComponent {
    private MediaComponent() {}

    /** Adds the media routes to {@code router}; close the result when the server stops. */
    static MediaApi start(Router router, MyelinConfig config, Database db, UserApi users, Clock clock, SecureRandom random) {
        Authenticator auth = new Authenticator(users);
        try {
            // why: remote media needs federation; until that component exists the hook finds nothing
            return MediaApi.addRoutes(router, settings(config), db, call -> auth.require(call).userId(), RemoteMediaSource.NONE,
                    clock, random);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("media.url_preview", e.getMessage());
        }
    }

    static MediaSettings settings(MyelinConfig config) {
        MyelinConfig.MediaConfig m = config.media();
        List<MediaSettings.ThumbnailSize> sizes = new ArrayList<>();
        for (String size : m.thumbnailSizes()) {
            try {
                sizes.add(MediaSettings.ThumbnailSize.parse(size));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("media.thumbnail_sizes", e.getMessage());
            }
        }
        MediaSettings.LegacyMedia legacy = MediaSettings.LegacyMedia.valueOf(m.legacyEndpoints().toUpperCase(java.util.Locale.ROOT));
        MyelinConfig.UrlPreviewConfig up = m.urlPreview();
        var preview = new MediaSettings.UrlPreview(up.enabled(), up.denyIpRanges(), up.allowIpRanges(), up.maxSize(),
                Duration.ofSeconds(up.timeoutSeconds()), Duration.ofHours(1), "Myelin (URL preview)");
        MediaSettings d = MediaSettings.defaults(config.serverName(), config.dataDir().resolve("media"));
        return new MediaSettings(config.serverName(), d.storeDir(), m.maxUploadSize(), m.maxImagePixels(), m.userQuota(), sizes,
                legacy, m.legacyFreezeAt().map(Instant::parse), d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(), preview);
    }
}
