package dev.myelin.syncapi;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.internal.SyncComponent;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.PasswordHasher;
import dev.myelin.userapi.internal.UserApiSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Syncapi over HTTP on 127.0.0.1 (port 0) with a real userapi for accounts and tokens and {@link FakeRooms} as
 * the roomserver; {@link #restart()} rebuilds syncapi over the same databases, as a server restart would.
 */
public final class SyncTestServer implements AutoCloseable {
    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.concurrent.Executor POLLS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** An HTTP answer: status and JSON body. */
    public record Response(int status, JsonNode body) {
        public String errcode() { return body.path("errcode").asString(""); }
    }

    public final FakeRooms rooms = new FakeRooms();
    public final LocalUserApi users;
    private final DatabaseConfig config;
    private final SyncComponent.Settings settings;
    private final Clock clock;
    private final Database userDb;
    private Database syncDb;
    private SyncComponent sync;
    private HttpServer server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public SyncTestServer(DatabaseConfig config) throws Exception {
        this(config, SyncComponent.Settings.DEFAULTS);
    }

    public SyncTestServer(DatabaseConfig config, SyncComponent.Settings settings) throws Exception {
        this(config, settings, Clock.systemUTC());
    }

    /** With {@code clock} as syncapi's clock (presence timeouts, typing expiry, ages). */
    public SyncTestServer(DatabaseConfig config, SyncComponent.Settings settings, Clock clock) throws Exception {
        this.config = config;
        this.settings = settings;
        this.clock = clock;
        userDb = Databases.open(config, "userapi");
        users = new LocalUserApi(userDb, new UserApiSettings("test.local", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                Clock.systemUTC(), new SecureRandom());
        start();
    }

    private void start() throws Exception {
        syncDb = Databases.open(config, SyncComponent.DATABASE);
        Notifier notifier = new Notifier();
        sync = new SyncComponent(syncDb, rooms, users, notifier, List.of(), clock, settings);
        rooms.feed(sync.indexer());
        users.onAccountDataChange(notifier::wakeUser);
        Router router = new Router();
        sync.addRoutes(router, new Authenticator(users));
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    /** Stops syncapi and starts it again over the same databases. */
    public void restart() throws Exception {
        server.stop();
        sync.close();
        syncDb.close();
        start();
    }

    public SyncComponent sync() { return sync; }

    /** Creates an account and logs a device in; returns the access token. */
    public String user(String localpart) {
        users.createAccount(localpart, Optional.empty(), false, false);
        LoginResult login = users.login(localpart, Optional.of("DEV" + localpart), Optional.empty(), false, "127.0.0.1",
                Optional.empty());
        return login.accessToken();
    }

    public static String id(String localpart) {
        return "@" + localpart + ":test.local";
    }

    public Response get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response = client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body()));
    }

    public Response call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : body instanceof String str ? str : JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body()));
    }

    /** {@code GET /sync} with the given query (e.g. {@code since=…&timeout=0}); fails unless 200. */
    public JsonNode sync(String token, String query) throws Exception {
        Response r = get("/_matrix/client/v3/sync" + (query.isEmpty() ? "" : "?" + query), token);
        if (r.status() != 200) throw new AssertionError("sync failed: " + r);
        return r.body();
    }

    public CompletableFuture<JsonNode> syncAsync(String token, String query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sync(token, query);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, POLLS);
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            server.stop();
            sync.close();
        } finally {
            syncDb.close();
            userDb.close();
        }
    }
}
