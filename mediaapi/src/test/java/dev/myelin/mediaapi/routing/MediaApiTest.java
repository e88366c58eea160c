package dev.myelin.mediaapi.routing;

import static dev.myelin.mediaapi.routing.MediaTestServer.ALICE;
import static dev.myelin.mediaapi.routing.MediaTestServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.routing.MediaTestServer.Response;
import dev.myelin.mediaapi.storage.ThumbnailsTable;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

@DatabaseComponent("mediaapi")
class MediaApiTest {
    private static final String V1 = "/_matrix/client/v1/media";

    @TempDir Path dir;

    private MediaSettings settings() {
        return MediaSettings.defaults(MediaTestServer.SERVER_NAME, dir.resolve("media"));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private long filesInStore() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("media").resolve("sha256"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @DatabaseTest
    void uploadsAndDownloadsByteForByteWithSafeHeaders(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            byte[] bytes = randomBytes(300_000, 1);
            String id = s.upload(bytes, "application/x-custom", Optional.of("report ü \"final\".bin"));

            Response r = s.get(V1 + "/download/test.local/" + id, ALICE);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bytes()).isEqualTo(bytes);
            assertThat(r.header("Content-Type")).isEqualTo("application/x-custom");
            assertThat(r.header("Content-Length")).isEqualTo("300000");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Content-Security-Policy")).startsWith("sandbox;").contains("default-src 'none'");
            assertThat(r.header("Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
            assertThat(r.header("Content-Disposition"))
                    .isEqualTo("attachment; filename=\"report _ _final_.bin\"; filename*=utf-8''report%20%C3%BC%20%22final%22.bin");

            // a file name in the path wins over the uploaded one
            Response named = s.get(V1 + "/download/test.local/" + id + "/other.txt", ALICE);
            assertThat(named.bytes()).isEqualTo(bytes);
            assertThat(named.header("Content-Disposition")).startsWith("attachment; filename=\"other.txt\"");

            // safe types are inline, HTML never is, and a broken content type is not echoed
            String png = s.upload(Images.encoded("png", 10, 10), "image/png", Optional.empty());
            assertThat(s.get(V1 + "/download/test.local/" + png, ALICE).header("Content-Disposition")).isEqualTo("inline");
            String html = s.upload("<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8), "text/html", Optional.of("x.html"));
            Response htmlDownload = s.get(V1 + "/download/test.local/" + html, ALICE);
            assertThat(htmlDownload.header("Content-Type")).isEqualTo("text/html");
            assertThat(htmlDownload.header("Content-Disposition")).startsWith("attachment");
            String none = s.upload(new byte[] {1, 2, 3}, null, Optional.empty());
            assertThat(s.get(V1 + "/download/test.local/" + none, ALICE).header("Content-Type")).isEqualTo("application/octet-stream");

            // an empty upload round-trips too
            String empty = s.upload(new byte[0], "text/plain", Optional.empty());
            Response e = s.get(V1 + "/download/test.local/" + empty, ALICE);
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.bytes()).isEmpty();
        }
    }

    @DatabaseTest
    void authenticatedEndpointsNeedATokenAndConfigSaysTheLimit(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            String id = s.upload(new byte[] {1}, "text/plain", Optional.empty());
            assertThat(s.get(V1 + "/download/test.local/" + id, null).errcode()).isEqualTo("M_MISSING_TOKEN");
            assertThat(s.get(V1 + "/download/test.local/" + id, "nope").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32", null).status()).isEqualTo(401);
            assertThat(s.get(V1 + "/config", null).status()).isEqualTo(401);
            assertThat(s.send("POST", "/_matrix/media/v3/upload", null, new byte[] {1}, "text/plain").errcode()).isEqualTo("M_MISSING_TOKEN");
            assertThat(s.send("POST", "/_matrix/media/v1/create", null, null, null).status()).isEqualTo(401);

            Response config = s.get(V1 + "/config", ALICE);
            assertThat(config.json().path("m.upload.size").asLong()).isEqualTo(50L << 20);
            assertThat(s.get("/_matrix/media/v3/config", ALICE).json().path("m.upload.size").asLong()).isEqualTo(50L << 20);
        }
    }

    @DatabaseTest
    void identicalUploadsAreStoredOnce(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            byte[] bytes = randomBytes(50_000, 2);
            String a = s.upload(bytes, "application/octet-stream", Optional.of("a.bin"));
            String b = s.upload(bytes, "application/octet-stream", Optional.of("b.bin"));
            assertThat(a).isNotEqualTo(b);
            assertThat(filesInStore()).isEqualTo(1);
            assertThat(s.get(V1 + "/download/test.local/" + b, ALICE).bytes()).isEqualTo(bytes);
            assertThat(s.get(V1 + "/download/test.local/" + a, ALICE).header("Content-Disposition")).contains("a.bin");
            s.upload(randomBytes(10, 3), "application/octet-stream", Optional.empty());
            assertThat(filesInStore()).isEqualTo(2);
        }
    }

    @DatabaseTest
    void oversizedUploadsAre413BeforeTheBodyIsRead(Database db) throws Exception {
        MediaSettings d = settings();
        MediaSettings small = new MediaSettings(d.serverName(), d.storeDir(), 1000, d.maxImagePixels(), 0, d.thumbnailSizes(),
                d.legacy(), d.legacyFreezeAt(), d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(), d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, small)) {
            assertThat(s.upload(new byte[1000], "application/octet-stream", Optional.empty())).isNotEmpty();
            Response tooBig = s.send("POST", "/_matrix/media/v3/upload", ALICE, new byte[1001], "application/octet-stream");
            assertThat(tooBig.status()).isEqualTo(413);
            assertThat(tooBig.errcode()).isEqualTo("M_TOO_LARGE");
            assertThat(s.get(V1 + "/config", ALICE).json().path("m.upload.size").asLong()).isEqualTo(1000);

            // a client that announces 10 GB and sends 10 bytes gets its 413 at once, without the server waiting
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000000000\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(head).isEqualTo("HTTP/1.1 413");
            }

            // a chunked body (no Content-Length) is cut off when it passes the limit
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 3; i++) {
                    out.write(("400\r\n" + "a".repeat(1024) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(head).isEqualTo("HTTP/1.1 413");
            }
            assertThat(filesInStore()).isEqualTo(1);
            try (Stream<Path> tmp = Files.list(dir.resolve("media").resolve("tmp"))) {
                assertThat(tmp).as("no partial uploads left behind").isEmpty();
            }
        }
    }

    @DatabaseTest
    void perUserQuotaRefusesWhatWouldExceedIt(Database db) throws Exception {
        MediaSettings d = settings();
        MediaSettings quota = new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), d.maxImagePixels(), 1000,
                d.thumbnailSizes(), d.legacy(), d.legacyFreezeAt(), d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(),
                d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, quota)) {
            s.upload(new byte[600], "application/octet-stream", Optional.empty());
            Response second = s.send("POST", "/_matrix/media/v3/upload", ALICE, new byte[600], "application/octet-stream");
            assertThat(second.status()).isEqualTo(403);
            assertThat(second.errcode()).isEqualTo("M_FORBIDDEN");
            Response chunked = s.sendChunked("POST", "/_matrix/media/v3/upload", ALICE, randomBytes(600, 9));
            assertThat(chunked.status()).as("a chunked body is stopped at the quota while it is read").isEqualTo(403);
            assertThat(filesInStore()).isEqualTo(1);
            assertThat(s.send("POST", "/_matrix/media/v3/upload", BOB, new byte[600], "application/octet-stream").status())
                    .as("the quota is per user").isEqualTo(200);
        }
    }

    @DatabaseTest
    void asynchronousUploadCreateThenPut(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            Response created = s.send("POST", "/_matrix/media/v1/create", ALICE, null, null);
            assertThat(created.status()).isEqualTo(200);
            String uri = created.json().path("content_uri").asString();
            assertThat(created.json().path("unused_expires_at").asLong()).isGreaterThan(System.currentTimeMillis());
            String id = uri.substring("mxc://test.local/".length());

            Response notYet = s.get(V1 + "/download/test.local/" + id + "?timeout_ms=0", ALICE);
            assertThat(notYet.status()).isEqualTo(504);
            assertThat(notYet.errcode()).isEqualTo("M_NOT_YET_UPLOADED");

            byte[] bytes = randomBytes(20_000, 4);
            CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.get(V1 + "/download/test.local/" + id + "?timeout_ms=10000", ALICE);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            // why: refusals come before the body is read, so these send small bodies (a large one may see the connection closed)
            assertThat(s.send("PUT", "/_matrix/media/v3/upload/test.local/" + id, BOB, new byte[] {1}, "image/x-thing").errcode())
                    .isEqualTo("M_FORBIDDEN");
            Response put = s.send("PUT", "/_matrix/media/v3/upload/test.local/" + id + "?filename=f.bin", ALICE, bytes, "application/x-thing");
            assertThat(put.status()).isEqualTo(200);
            Response again = s.send("PUT", "/_matrix/media/v3/upload/test.local/" + id, ALICE, new byte[] {1}, "application/x-thing");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.errcode()).isEqualTo("M_CANNOT_OVERWRITE_MEDIA");

            Response waited = waiting.get();
            assertThat(waited.status()).isEqualTo(200);
            assertThat(waited.bytes()).isEqualTo(bytes);
            assertThat(waited.header("Content-Type")).isEqualTo("application/x-thing");
            assertThat(waited.header("Content-Disposition")).contains("f.bin");

            assertThat(s.send("PUT", "/_matrix/media/v3/upload/test.local/unknownId", ALICE, new byte[] {1}, null).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.send("PUT", "/_matrix/media/v3/upload/other.server/" + id, ALICE, new byte[] {1}, null).errcode()).isEqualTo("M_NOT_FOUND");
        }
    }

    @DatabaseTest
    void tooManyPendingCreatesAreRateLimited(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            for (int i = 0; i < 10; i++) assertThat(s.send("POST", "/_matrix/media/v1/create", ALICE, null, null).status()).isEqualTo(200);
            Response limited = s.send("POST", "/_matrix/media/v1/create", ALICE, null, null);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        }
    }

    @DatabaseTest
    void thumbnailsOfPngJpegGifAndWebp(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            for (String format : List.of("png", "jpg", "gif")) {
                String id = s.upload(Images.encoded(format, 400, 300), "image/" + format, Optional.empty());
                Response crop = s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&method=crop", ALICE);
                assertThat(crop.status()).as(format).isEqualTo(200);
                assertThat(crop.header("Content-Type")).isEqualTo(format.equals("jpg") ? "image/jpeg" : "image/png");
                BufferedImage c = Images.decode(crop.bytes());
                assertThat(c.getWidth()).as(format).isEqualTo(32);
                assertThat(c.getHeight()).as(format).isEqualTo(32);

                // 100x100 scale is served by the configured 320x240 scale, which covers it
                BufferedImage scaled = Images.decode(s.get(V1 + "/thumbnail/test.local/" + id + "?width=100&height=100&method=scale", ALICE).bytes());
                assertThat(scaled.getWidth()).as(format).isEqualTo(320);
                assertThat(scaled.getHeight()).as(format).isEqualTo(240);

                // a dynamic size with no configured match: 150x50 crop, the box's aspect ratio
                BufferedImage dynamic = Images.decode(s.get(V1 + "/thumbnail/test.local/" + id + "?width=150&height=50&method=crop", ALICE).bytes());
                assertThat(dynamic.getWidth()).isEqualTo(150);
                assertThat(dynamic.getHeight()).isEqualTo(50);

                // never upscaled: asking for more than the image has returns the original
                Response big = s.get(V1 + "/thumbnail/test.local/" + id + "?width=1000&height=1000", ALICE);
                assertThat(big.bytes()).isEqualTo(Images.encoded(format, 400, 300));
            }

            String webp = s.upload(Images.webp(), "image/webp", Optional.empty());
            Response crop = s.get(V1 + "/thumbnail/test.local/" + webp + "?width=32&height=32&method=crop", ALICE);
            assertThat(crop.status()).isEqualTo(200);
            assertThat(crop.header("Content-Type")).isEqualTo("image/png");
            BufferedImage c = Images.decode(crop.bytes());
            assertThat(c.getWidth()).isEqualTo(32);
            assertThat(c.getHeight()).isEqualTo(32);
            // 40x40 scale is served by the configured 320x240 scale, and the 64x48 image is smaller: the original
            Response small = s.get(V1 + "/thumbnail/test.local/" + webp + "?width=40&height=40&method=scale", ALICE);
            assertThat(small.bytes()).isEqualTo(Images.webp());
            Response original = s.get(V1 + "/thumbnail/test.local/" + webp + "?width=800&height=600", ALICE);
            assertThat(original.header("Content-Type")).isEqualTo("image/webp");
            assertThat(original.bytes()).isEqualTo(Images.webp());
        }
    }

    @DatabaseTest
    void animatedOriginalsAreReturnedOnlyWhenAnimationIsAllowed(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            byte[] gif = Images.animatedGif(20, 20);
            String id = s.upload(gif, "image/gif", Optional.empty());
            Response animated = s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&method=crop&animated=true", ALICE);
            assertThat(animated.bytes()).isEqualTo(gif);
            assertThat(animated.header("Content-Type")).isEqualTo("image/gif");
            for (String query : List.of("&animated=false", "")) {
                Response still = s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&method=crop" + query, ALICE);
                assertThat(still.header("Content-Type")).as(query).isEqualTo("image/png");
                assertThat(Images.decode(still.bytes()).getWidth()).isEqualTo(20);
            }
            assertThat(s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&animated=yes", ALICE).errcode())
                    .isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void configuredSizesArePregeneratedAndThumbnailsAreCached(Database db) throws Exception {
        MediaTestServer s = new MediaTestServer(db, settings());
        String id;
        byte[] first;
        try (s) {
            id = s.upload(Images.encoded("png", 400, 300), "image/png", Optional.empty());
            first = s.get(V1 + "/thumbnail/test.local/" + id + "?width=96&height=96&method=crop", ALICE).bytes();
            assertThat(s.get(V1 + "/thumbnail/test.local/" + id + "?width=96&height=96&method=crop", ALICE).bytes()).isEqualTo(first);
        }
        // closing waits for the background work: 32x32, 96x96 crop and 320x240 scale (the image is smaller than the rest)
        List<ThumbnailsTable.Row> rows = db.read(c -> ThumbnailsTable.selectAll(c, "test.local", id));
        assertThat(rows).extracting(r -> r.width() + "x" + r.height() + " " + r.method())
                .containsExactlyInAnyOrder("32x32 crop", "96x96 crop", "320x240 scale");
    }

    @DatabaseTest
    void imagesOverThePixelLimitAreNotDecoded(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            byte[] bomb = Images.pngBomb(100_000, 100_000); // 10 gigapixels in a few KB
            assertThat(bomb.length).isLessThan(100_000);
            String id = s.upload(bomb, "image/png", Optional.empty());
            Response r = s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&method=crop", ALICE);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.errcode()).isEqualTo("M_TOO_LARGE");
        }
        MediaSettings d = settings();
        MediaSettings tight = new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), 10_000, 0, d.thumbnailSizes(),
                d.legacy(), d.legacyFreezeAt(), d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(), d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, tight)) {
            String id = s.upload(Images.encoded("gif", 200, 100), "image/gif", Optional.empty());
            assertThat(s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32", ALICE).errcode()).isEqualTo("M_TOO_LARGE");
            String ok = s.upload(Images.encoded("gif", 100, 100), "image/gif", Optional.empty());
            assertThat(s.get(V1 + "/thumbnail/test.local/" + ok + "?width=32&height=32", ALICE).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void corruptAndNonImageContentGetAnErrorNotACrash(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            byte[] png = Images.encoded("png", 200, 200);
            byte[] truncated = java.util.Arrays.copyOf(png, png.length / 3);
            byte[] jpeg = Images.encoded("jpg", 200, 200);
            byte[] garbledJpeg = jpeg.clone();
            for (int i = 200; i < garbledJpeg.length - 2; i += 7) garbledJpeg[i] = (byte) 0xff;
            byte[] headerOnly = new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H'};
            for (byte[] bad : List.of(truncated, garbledJpeg, headerOnly, "not an image".getBytes(StandardCharsets.UTF_8), new byte[0])) {
                String id = s.upload(bad, "image/png", Optional.empty());
                Response r = s.get(V1 + "/thumbnail/test.local/" + id + "?width=32&height=32&method=crop", ALICE);
                assertThat(r.status()).isIn(200, 400);
                if (r.status() == 400) assertThat(r.errcode()).isEqualTo("M_UNKNOWN");
            }
            String text = s.upload("hello".getBytes(StandardCharsets.UTF_8), "text/plain", Optional.empty());
            assertThat(s.get(V1 + "/thumbnail/test.local/" + text + "?width=32&height=32", ALICE).status()).isEqualTo(400);
            // the server still works
            String good = s.upload(png, "image/png", Optional.empty());
            assertThat(s.get(V1 + "/thumbnail/test.local/" + good + "?width=32&height=32", ALICE).status()).isEqualTo(200);
            // bad parameters
            assertThat(s.get(V1 + "/thumbnail/test.local/" + good + "?width=32", ALICE).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.get(V1 + "/thumbnail/test.local/" + good + "?width=-3&height=2", ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/thumbnail/test.local/" + good + "?width=x&height=2", ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/thumbnail/test.local/" + good + "?width=3&height=2&method=zoom", ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/download/test.local/" + good + "?timeout_ms=soon", ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void pathTricksInIdsAndFileNamesNeverTouchFilesOutsideTheStore(Database db) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "do not serve");
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            String id = s.upload("content".getBytes(StandardCharsets.UTF_8), "text/plain", Optional.of("../../secret.txt"));
            for (String path : List.of("/download/test.local/..%2F..%2Fsecret.txt", "/download/test.local/..", "/download/test.local/a.b",
                    "/download/..%2F..%2F/" + id, "/download/te%2Fst/" + id,
                    "/thumbnail/test.local/..%2Fsecret.txt?width=1&height=1")) {
                Response r = s.get(V1 + path, ALICE);
                assertThat(r.status()).as(path).isEqualTo(400);
                assertThat(r.errcode()).as(path).isEqualTo("M_INVALID_PARAM");
            }
            assertThat(s.get(V1 + "/download/test.local/%00abc", ALICE).status()).as("refused by the HTTP layer").isEqualTo(400);
            assertThat(s.get(V1 + "/download/test.local/doesNotExist", ALICE).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(V1 + "/download/other.server/doesNotExist", ALICE).errcode()).isEqualTo("M_NOT_FOUND");

            Response r = s.get(V1 + "/download/test.local/" + id + "/..%2F..%2Fsecret.txt", ALICE);
            assertThat(r.text()).isEqualTo("content");
            assertThat(r.header("Content-Disposition")).startsWith("inline; filename=\"../../secret.txt\"");
            Response uploadedName = s.get(V1 + "/download/test.local/" + id, ALICE);
            assertThat(uploadedName.text()).isEqualTo("content");

            assertThat(s.send("POST", "/_matrix/media/v3/upload?filename=a%0Db", ALICE, new byte[1], null).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            try (Stream<Path> all = Files.list(dir.resolve("media"))) {
                assertThat(all.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("sha256", "tmp");
            }
            assertThat(Files.readString(secret)).isEqualTo("do not serve");
        }
    }

    @DatabaseTest
    void legacyEndpointsFollowTheFreeze(Database db) throws Exception {
        byte[] bytes = Images.encoded("png", 50, 50);
        try (MediaTestServer s = new MediaTestServer(db, settings())) {
            String id = s.upload(bytes, "image/png", Optional.empty());
            Response frozen = s.get("/_matrix/media/v3/download/test.local/" + id, null);
            assertThat(frozen.status()).isEqualTo(404);
            assertThat(frozen.errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_matrix/media/v3/thumbnail/test.local/" + id + "?width=32&height=32", null).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(V1 + "/download/test.local/" + id, ALICE).bytes()).isEqualTo(bytes);
            assertThat(s.get("/_matrix/media/v3/config", null).status()).as("legacy config needs a token").isEqualTo(401);
        }
        MediaSettings d = settings();
        MediaSettings beforeFreeze = new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), d.maxImagePixels(), 0,
                d.thumbnailSizes(), MediaSettings.LegacyMedia.FROZEN, Optional.of(Instant.now().plus(Duration.ofDays(1))),
                d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(), d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, beforeFreeze)) {
            String id = s.upload(bytes, "image/png", Optional.empty());
            Response r = s.get("/_matrix/media/v3/download/test.local/" + id + "/pic.png", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bytes()).isEqualTo(bytes);
            assertThat(r.header("Content-Disposition")).startsWith("inline; filename=\"pic.png\"");
            assertThat(s.get("/_matrix/media/v3/thumbnail/test.local/" + id + "?width=32&height=32&method=crop", null).status()).isEqualTo(200);
        }
        MediaSettings open = new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), d.maxImagePixels(), 0,
                d.thumbnailSizes(), MediaSettings.LegacyMedia.OPEN, Optional.empty(), d.unusedExpiry(), d.maxPendingUploads(),
                d.maxDownloadWait(), d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, open)) {
            String id = s.upload(bytes, "image/png", Optional.empty());
            assertThat(s.get("/_matrix/media/v3/download/test.local/" + id, null).bytes()).isEqualTo(bytes);
        }
        MediaSettings off = new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), d.maxImagePixels(), 0,
                d.thumbnailSizes(), MediaSettings.LegacyMedia.OFF, Optional.empty(), d.unusedExpiry(), d.maxPendingUploads(),
                d.maxDownloadWait(), d.urlPreview());
        try (MediaTestServer s = new MediaTestServer(db, off)) {
            String id = s.upload(bytes, "image/png", Optional.empty());
            assertThat(s.get("/_matrix/media/v3/download/test.local/" + id, null).errcode()).isEqualTo("M_UNRECOGNIZED");
        }
    }

    @DatabaseTest
    void remoteMediaComesThroughTheHookAndIsCached(Database db) throws Exception {
        byte[] bytes = randomBytes(1234, 5);
        int[] calls = {0};
        dev.myelin.mediaapi.api.RemoteMediaSource remote = (origin, mediaId, timeout) -> {
            calls[0]++;
            if (!origin.equals("remote.example") || !mediaId.equals("abc")) return Optional.empty();
            InputStream in = new ByteArrayInputStream(bytes);
            return Optional.of(new dev.myelin.mediaapi.api.RemoteMediaSource.Fetched("application/pdf", Optional.of("doc.pdf"), in));
        };
        try (MediaTestServer s = new MediaTestServer(db, settings(), remote)) {
            Response r = s.get(V1 + "/download/remote.example/abc", ALICE);
            assertThat(r.bytes()).isEqualTo(bytes);
            assertThat(r.header("Content-Type")).isEqualTo("application/pdf");
            assertThat(s.get(V1 + "/download/remote.example/abc", ALICE).bytes()).isEqualTo(bytes);
            assertThat(calls[0]).isEqualTo(1);
            assertThat(s.get(V1 + "/download/remote.example/other", ALICE).errcode()).isEqualTo("M_NOT_FOUND");
        }
    }
}
