package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.PasswordHasher;
import dev.myelin.userapi.internal.UserApiSettings;
import dev.myelin.userapi.keys.LocalKeyServer;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A running HTTP server with the client API and the key endpoints over a test database, and a JSON client for it. */
final class KeysTestServer implements AutoCloseable {
    static final SecureRandom RANDOM = new SecureRandom();

    final TestServer.MovableClock clock = new TestServer.MovableClock();
    final LocalUserApi users;
    final LocalKeyServer keys;
    final InProcessStreams streams = new InProcessStreams();
    private final Database clientDb;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    KeysTestServer(Database db, DatabaseConfig storage) throws Exception {
        clientDb = Databases.open(storage, "clientapi");
        StreamTables.migrate(db);
        users = new LocalUserApi(db, new UserApiSettings(TestServer.SERVER_NAME, PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                clock, RANDOM);
        keys = new LocalKeyServer(db, streams.producer(OutputKeyChangeEvent.STREAM, db), TestServer.SERVER_NAME, clock);
        users.onDeviceRemoved(keys::deviceRemoved);
        Router router = new Router();
        ClientApi.addRoutes(router, clientDb, users, TestServer.openSettings(), clock, RANDOM);
        KeysRoutes.addRoutes(router, clientDb, users, keys, TestServer.openSettings(), clock, RANDOM);
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    Response call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : body instanceof String s ? s : TestServer.JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? TestServer.JSON.createObjectNode() : TestServer.JSON.readTree(response.body());
        return new Response(response.statusCode(), json);
    }

    Response post(String path, String token, Object body) throws Exception { return call("POST", path, token, body); }

    Response put(String path, String token, Object body) throws Exception { return call("PUT", path, token, body); }

    Response get(String path, String token) throws Exception { return call("GET", path, token, null); }

    Response delete(String path, String token) throws Exception { return call("DELETE", path, token, null); }

    /** A logged-in device of a test user, holding the ed25519 key its "client" signs with. */
    record Client(String userId, String deviceId, String token, SigningKey key) {}

    /** Registers {@code name} (password "pw") through the dummy flow; the device gets a fresh signing key. */
    Client register(String name) throws Exception {
        Response first = post("/_matrix/client/v3/register", null, Map.of("username", name, "password", "pw"));
        Response r = post("/_matrix/client/v3/register", null, Map.of("username", name, "password", "pw",
                "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))));
        if (r.status() != 200) throw new AssertionError("registration failed: " + r);
        return new Client(r.text("user_id"), r.text("device_id"), r.text("access_token"), SigningKey.generate(RANDOM));
    }

    /** Logs {@code name} in on another device. */
    Client login(String name, String deviceId) throws Exception {
        Response r = post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", name, "password", "pw",
                "device_id", deviceId));
        if (r.status() != 200) throw new AssertionError("login failed: " + r);
        return new Client(r.text("user_id"), r.text("device_id"), r.text("access_token"), SigningKey.generate(RANDOM));
    }

    /** The device_keys object of {@code c}, self-signed as a client does. */
    static ObjectNode deviceKeys(Client c) {
        ObjectNode keys = TestServer.JSON.createObjectNode();
        keys.put("user_id", c.userId());
        keys.put("device_id", c.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + c.deviceId(), "curve" + c.deviceId())
                .put("ed25519:" + c.deviceId(), c.key().publicKeyBase64());
        sign(keys, c.userId(), "ed25519:" + c.deviceId(), c.key());
        return keys;
    }

    /** A cross-signing key object of {@code userId} for {@code usage}, signed by {@code signer} when given. */
    static ObjectNode crossSigningKey(String userId, String usage, SigningKey key, Optional<SigningKey> signer) {
        ObjectNode k = TestServer.JSON.createObjectNode();
        k.put("user_id", userId);
        k.putArray("usage").add(usage);
        k.putObject("keys").put("ed25519:" + key.publicKeyBase64(), key.publicKeyBase64());
        signer.ifPresent(s -> sign(k, userId, "ed25519:" + s.publicKeyBase64(), s));
        return k;
    }

    static void sign(ObjectNode object, String userId, String keyId, SigningKey key) {
        SignedJson.putSignature(object, userId, keyId, SignedJson.signature(object, key));
    }

    @Override
    public void close() {
        server.stop();
        streams.close();
        clientDb.close();
    }
}
