package dev.myelin.mediaapi.internal;

import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.storage.UrlPreviewsTable;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code preview_url}: fetches a web page (or image) and answers its OpenGraph data, with the image stored as
 * local media. Fetching is guarded against server-side request forgery: only http(s), every address a host
 * resolves to is checked against {@link IpRanges} at connection time (by the HTTP client's resolver, so a
 * second DNS answer cannot slip past and every redirect hop is checked), redirects are followed by hand (at most
 * five), and size and time are limited. Answers are cached per URL.
 *
 * @see <a href="https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1mediapreview_url">preview_url</a>
 */
public final class UrlPreviewer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UrlPreviewer.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_REDIRECTS = 5;

    private final MediaSettings.UrlPreview settings;
    private final IpRanges ranges;
    private final MediaRepository media;
    private final Database db;
    private final Clock clock;
    private final HttpClient client;

    public UrlPreviewer(MediaSettings.UrlPreview settings, MediaRepository media, Database db, Clock clock) {
        this.settings = settings;
        this.ranges = new IpRanges(settings.denyIpRanges(), settings.allowIpRanges());
        this.media = media;
        this.db = db;
        this.clock = clock;
        this.client = new HttpClient();
        client.setFollowRedirects(false);
        client.setConnectTimeout(settings.timeout().toMillis());
        client.setIdleTimeout(settings.timeout().toMillis());
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, settings.userAgent()));
        client.setSocketAddressResolver(new CheckedResolver(ranges));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the URL preview HTTP client", e);
        }
    }

    /** Refuses every address outside the allowed ranges; the client connects only to what this returns. */
    private record CheckedResolver(IpRanges ranges) implements SocketAddressResolver {
        @Override
        public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
            try {
                InetAddress[] all = InetAddress.getAllByName(host);
                List<InetSocketAddress> result = new ArrayList<>();
                for (InetAddress a : all) {
                    // why: if any address is refused the whole name is, so round-robin DNS cannot mix one in
                    if (!ranges.permits(a)) {
                        promise.failed(new RefusedAddress());
                        return;
                    }
                    result.add(new InetSocketAddress(a, port));
                }
                promise.succeeded(result);
            } catch (UnknownHostException e) {
                promise.failed(e);
            }
        }
    }

    /** The destination resolved to an address the policy refuses. */
    static final class RefusedAddress extends IOException {
        RefusedAddress() {
            super("address refused by the URL preview IP policy", null);
        }
    }

    /** The preview of {@code url} (from the cache when fresh). */
    public ObjectNode preview(String url) {
        URI uri = parse(url);
        Optional<UrlPreviewsTable.Row> cached = db.read(c -> UrlPreviewsTable.select(c, url));
        if (cached.isPresent() && cached.get().fetchedTs() + settings.cacheFor().toMillis() > clock.millis()) {
            return (ObjectNode) JSON.readTree(cached.get().previewJson());
        }
        ObjectNode preview = fetchPreview(uri);
        db.write(c -> {
            UrlPreviewsTable.upsert(c, new UrlPreviewsTable.Row(url, JSON.writeValueAsString(preview), clock.millis()));
            return null;
        });
        return preview;
    }

    private ObjectNode fetchPreview(URI uri) {
        Fetched page = fetch(uri);
        ObjectNode og = JSON.createObjectNode();
        if (page.contentType().startsWith("image/")) {
            addImage(og, page, fileName(page.uri()));
            return og;
        }
        if (!page.contentType().equals("text/html") && !page.contentType().equals("application/xhtml+xml")) return og;
        Document doc;
        try {
            doc = Jsoup.parse(new ByteArrayInputStream(page.body()), page.charset().map(Charset::name).orElse(null),
                    page.uri().toString());
        } catch (IOException e) {
            throw fetchFailed();
        }
        for (Element meta : doc.select("meta[property^=og:], meta[name^=og:]")) {
            String key = meta.hasAttr("property") ? meta.attr("property") : meta.attr("name");
            String content = meta.attr("content");
            if (!content.isEmpty() && !og.has(key) && key.length() <= 128) og.put(key, truncate(content, 2000));
        }
        if (!og.has("og:title")) {
            String title = doc.title();
            if (!title.isBlank()) og.put("og:title", truncate(title.strip(), 2000));
        }
        if (!og.has("og:description")) {
            Element description = doc.selectFirst("meta[name=description]");
            if (description != null && !description.attr("content").isBlank()) {
                og.put("og:description", truncate(description.attr("content").strip(), 2000));
            }
        }
        JsonNode image = og.get("og:image");
        og.remove(List.of("og:image", "og:image:type", "og:image:width", "og:image:height", "og:image:secure_url"));
        if (image != null && image.isString()) {
            try {
                URI imageUri = page.uri().resolve(image.stringValue().strip());
                Fetched img = fetch(parse(imageUri.toString()));
                if (img.contentType().startsWith("image/")) addImage(og, img, fileName(imageUri));
            } catch (MatrixException | IllegalArgumentException e) {
                log.debug("no preview image for {}: {}", page.uri().getHost(), e.getMessage());
            }
        }
        return og;
    }

    private void addImage(ObjectNode og, Fetched image, Optional<String> fileName) {
        String mediaId = media.storeFetched(image.contentType(), fileName, new ByteArrayInputStream(image.body()));
        og.put("og:image", "mxc://" + media.settings().serverName() + "/" + mediaId);
        og.put("og:image:type", image.contentType());
        og.put("matrix:image:size", image.body().length);
        media.probe(mediaId).ifPresent(p -> {
            og.put("og:image:width", p.width());
            og.put("og:image:height", p.height());
        });
    }

    /** A fetched response: final URI, media type (lower case, no parameters), charset if given, body. */
    record Fetched(URI uri, String contentType, Optional<Charset> charset, byte[] body) {}

    private Fetched fetch(URI start) {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            InputStreamResponseListener listener = new InputStreamResponseListener();
            client.newRequest(uri).timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS).send(listener);
            Response response;
            try {
                response = listener.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (hasCause(e, RefusedAddress.class)) throw MatrixException.forbidden("This URL's address may not be previewed");
                throw fetchFailed();
            } catch (java.util.concurrent.TimeoutException e) {
                throw fetchFailed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fetchFailed();
            }
            try (InputStream body = listener.getInputStream()) {
                int status = response.getStatus();
                if (status >= 300 && status < 400 && response.getHeaders().get(HttpHeader.LOCATION) != null) {
                    uri = parse(uri.resolve(response.getHeaders().get(HttpHeader.LOCATION).strip()).toString());
                    continue;
                }
                if (status != 200) throw fetchFailed();
                long declared = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
                if (declared > settings.maxBytes()) throw new MatrixException("M_TOO_LARGE", "The page is too large to preview", 502);
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBytes() + 1));
                if (bytes.length > settings.maxBytes()) throw new MatrixException("M_TOO_LARGE", "The page is too large to preview", 502);
                String type = Optional.ofNullable(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse("application/octet-stream");
                return new Fetched(uri, mediaType(type), charset(type), bytes);
            } catch (IOException e) {
                throw fetchFailed();
            } finally {
                response.abort(new IOException("done"));
            }
        }
        throw new MatrixException("M_UNKNOWN", "Too many redirects", 502);
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw MatrixException.invalidParam("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw MatrixException.invalidParam("url must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) throw MatrixException.invalidParam("url must not contain credentials");
        return uri;
    }

    private static String mediaType(String header) {
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static Optional<Charset> charset(String header) {
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                try {
                    return Optional.of(Charset.forName(p.substring(8).replace("\"", "").strip()));
                } catch (RuntimeException e) {
                    return Optional.of(StandardCharsets.UTF_8);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> fileName(URI uri) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) return Optional.empty();
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.isEmpty() ? Optional.empty() : Optional.of(truncate(name, 255));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
        return false;
    }

    private static MatrixException fetchFailed() {
        return new MatrixException("M_UNKNOWN", "Could not fetch the URL to preview", 502);
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            log.debug("stopping the preview HTTP client: {}", e.toString());
        }
    }
}
