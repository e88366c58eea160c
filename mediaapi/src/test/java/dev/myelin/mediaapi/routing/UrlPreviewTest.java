package dev.myelin.mediaapi.routing;

import static dev.myelin.mediaapi.routing.MediaTestServer.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.routing.MediaTestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** URL previews against a local web server on 127.0.0.1, and the SSRF protection that normally forbids it. */
@DatabaseComponent("mediaapi")
class UrlPreviewTest {
    private static final String V1 = "/_matrix/client/v1/media";
    private static final byte[] PNG = Images.encoded("png", 120, 80);

    @TempDir Path dir;
    private HttpServer web;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    @BeforeEach
    void startWebServer() throws Exception {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page("/article", "text/html; charset=utf-8", ("<html><head><title>Fallback title</title>"
                + "<meta property=\"og:title\" content=\"Matrix Blog Post\">"
                + "<meta property=\"og:description\" content=\"Ein schöner Beitrag\">"
                + "<meta property=\"og:image\" content=\"/img/logo.png\">"
                + "</head><body><p>hello</p></body></html>").getBytes(StandardCharsets.UTF_8));
        page("/plain", "text/html", "<html><head><title> Just a title </title><meta name=\"description\" content=\"desc\"></head></html>"
                .getBytes(StandardCharsets.UTF_8));
        page("/img/logo.png", "image/png", PNG);
        page("/huge", "text/html", new byte[3 << 20]);
        web.createContext("/redirect", ex -> {
            hits.computeIfAbsent("/redirect", k -> new AtomicInteger()).incrementAndGet();
            ex.getResponseHeaders().add("Location", "/article");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        web.createContext("/redirect-elsewhere", ex -> {
            // why: 127.0.0.2 is loopback too but outside the test's allow range: the hop must be refused
            ex.getResponseHeaders().add("Location", "http://127.0.0.2:" + web.getAddress().getPort() + "/article");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        web.start();
    }

    private void page(String path, String type, byte[] body) {
        web.createContext(path, ex -> {
            hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
    }

    @AfterEach
    void stopWebServer() {
        web.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + web.getAddress().getPort() + path;
    }

    private static String q(String url) {
        return URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    private MediaSettings settings(List<String> allow) {
        MediaSettings d = MediaSettings.defaults(MediaTestServer.SERVER_NAME, dir.resolve("media"));
        var preview = new MediaSettings.UrlPreview(true, List.of(), allow, 1 << 20, Duration.ofSeconds(5), Duration.ofHours(1), "Myelin test");
        return new MediaSettings(d.serverName(), d.storeDir(), d.maxUploadSize(), d.maxImagePixels(), 0, d.thumbnailSizes(),
                d.legacy(), d.legacyFreezeAt(), d.unusedExpiry(), d.maxPendingUploads(), d.maxDownloadWait(), preview);
    }

    @DatabaseTest
    void previewsOpenGraphWithTheImageStoredAsMediaAndCachesPerUrl(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings(List.of("127.0.0.1/32")))) {
            Response r = s.get(V1 + "/preview_url?url=" + q(url("/article")) + "&ts=1", ALICE);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            var og = r.json();
            assertThat(og.path("og:title").asString()).isEqualTo("Matrix Blog Post");
            assertThat(og.path("og:description").asString()).isEqualTo("Ein schöner Beitrag");
            assertThat(og.path("og:image:type").asString()).isEqualTo("image/png");
            assertThat(og.path("og:image:width").asInt()).isEqualTo(120);
            assertThat(og.path("og:image:height").asInt()).isEqualTo(80);
            assertThat(og.path("matrix:image:size").asLong()).isEqualTo(PNG.length);
            String mxc = og.path("og:image").asString();
            assertThat(mxc).startsWith("mxc://test.local/");
            assertThat(s.get(V1 + "/download/test.local/" + mxc.substring("mxc://test.local/".length()), ALICE).bytes()).isEqualTo(PNG);

            Response again = s.get(V1 + "/preview_url?url=" + q(url("/article")), ALICE);
            assertThat(again.json()).isEqualTo(og);
            assertThat(hits.get("/article").get()).as("cached per URL").isEqualTo(1);

            Response plain = s.get("/_matrix/media/v3/preview_url?url=" + q(url("/plain")), ALICE);
            assertThat(plain.json().path("og:title").asString()).isEqualTo("Just a title");
            assertThat(plain.json().path("og:description").asString()).isEqualTo("desc");

            Response image = s.get(V1 + "/preview_url?url=" + q(url("/img/logo.png")), ALICE);
            assertThat(image.json().path("og:image:width").asInt()).isEqualTo(120);

            Response redirected = s.get(V1 + "/preview_url?url=" + q(url("/redirect")), ALICE);
            assertThat(redirected.json().path("og:title").asString()).isEqualTo("Matrix Blog Post");

            Response huge = s.get(V1 + "/preview_url?url=" + q(url("/huge")), ALICE);
            assertThat(huge.status()).isEqualTo(502);
            assertThat(huge.errcode()).isEqualTo("M_TOO_LARGE");

            assertThat(s.get(V1 + "/preview_url?url=" + q(url("/missing")), ALICE).status()).isEqualTo(502);
            assertThat(s.get(V1 + "/preview_url", ALICE).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.get(V1 + "/preview_url?url=" + q("file:///etc/passwd"), ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/preview_url?url=" + q("gopher://127.0.0.1/"), ALICE).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/preview_url?url=" + q(url("/article")), null).status()).isEqualTo(401);
        }
    }

    @DatabaseTest
    void refusesLoopbackAndPrivateAddressesByDefaultAndOnEveryRedirect(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, settings(List.of()))) {
            int port = web.getAddress().getPort();
            for (String target : List.of(url("/article"), "http://localhost:" + port + "/article", "http://[::1]:" + port + "/article",
                    "http://2130706433:" + port + "/article", "http://[::ffff:127.0.0.1]:" + port + "/article", "http://0.0.0.0:" + port + "/")) {
                Response r = s.get(V1 + "/preview_url?url=" + q(target), ALICE);
                assertThat(r.status()).as(target + " " + r.text()).isEqualTo(403);
                assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
            }
            // a shorthand IPv4 form is not a host name a URL may carry: refused before any lookup
            for (String target : List.of("http://127.1:" + port + "/article")) {
                assertThat(s.get(V1 + "/preview_url?url=" + q(target), ALICE).errcode()).as(target).isEqualTo("M_INVALID_PARAM");
            }
            assertThat(hits).as("nothing reached the web server").isEmpty();
        }
        try (MediaTestServer s = new MediaTestServer(db, settings(List.of("127.0.0.1/32")))) {
            Response r = s.get(V1 + "/preview_url?url=" + q(url("/redirect-elsewhere")), ALICE);
            assertThat(r.status()).as(r.text()).isEqualTo(403);
            assertThat(hits.containsKey("/article")).isFalse();
        }
    }

    @DatabaseTest
    void previewsAreOffUnlessEnabled(Database db) throws Exception {
        try (MediaTestServer s = new MediaTestServer(db, MediaSettings.defaults(MediaTestServer.SERVER_NAME, dir.resolve("media")))) {
            assertThat(s.get(V1 + "/preview_url?url=" + q(url("/article")), ALICE).errcode()).isEqualTo("M_UNRECOGNIZED");
            assertThat(hits).isEmpty();
        }
    }
}
