package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.clientapi.auth.UserInteractiveAuth.Flow;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.keys.KeyApi;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * End-to-end encryption key endpoints (https://spec.matrix.org/v1.19/client-server-api/#end-to-end-encryption):
 * {@code /keys/upload}, {@code /keys/query}, {@code /keys/claim}, cross-signing uploads and server-side key backup
 * ({@code /room_keys/*}). {@code /keys/changes} is served by syncapi, which owns sync tokens.
 */
public final class KeysRoutes {
    private final UserApi users;
    private final KeyApi keys;
    private final Authenticator auth;
    private final UserInteractiveAuth uia;
    private final RateLimiter passwordLimiter;

    private KeysRoutes(Database clientDb, UserApi users, KeyApi keys, ClientApiSettings settings, Clock clock, SecureRandom random) {
        this.users = users;
        this.keys = keys;
        this.auth = new Authenticator(users);
        this.uia = new UserInteractiveAuth(clientDb, random, clock);
        this.passwordLimiter = new RateLimiter(settings.loginLimit(), clock);
    }

    /** Adds the key and key-backup endpoints to {@code router}; {@code clientDb} holds UIA sessions. */
    public static void addRoutes(Router router, Database clientDb, UserApi users, KeyApi keys, ClientApiSettings settings,
            Clock clock, SecureRandom random) {
        KeysRoutes routes = new KeysRoutes(clientDb, users, keys, settings, clock, random);
        routes.addKeys(router);
        routes.addBackup(router);
    }

    private void addKeys(Router router) {
        router.post("/_matrix/client/v3/keys/upload", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(Map.of("one_time_key_counts", keys.upload(r.userId(), r.deviceId(), call.json())));
        });
        router.post("/_matrix/client/v3/keys/query", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(keys.query(r.userId(), call.json()));
        });
        router.post("/_matrix/client/v3/keys/claim", call -> {
            auth.requireAllowingGuests(call);
            return Reply.json(keys.claim(call.json()));
        });
        router.post("/_matrix/client/v3/keys/device_signing/upload", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            if (keys.crossSigningUploadNeedsAuth(r.userId(), body)) {
                var outcome = uia.authenticate(body, call.method() + " " + call.template() + " " + r.userId(),
                        Optional.of(r.userId()), List.of(Flow.of(AuthStages.PASSWORD)), Map.of(),
                        AuthStages.password(users, passwordLimiter, r));
                if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
            }
            keys.uploadCrossSigningKeys(r.userId(), body);
            return Reply.empty();
        });
        router.post("/_matrix/client/v3/keys/signatures/upload", call -> {
            Requester r = auth.require(call);
            return Reply.json(keys.uploadSignatures(r.userId(), call.json()));
        });
    }

    private void addBackup(Router router) {
        router.post("/_matrix/client/v3/room_keys/version", call -> {
            Requester r = auth.require(call);
            return Reply.json(Map.of("version", keys.createBackup(r.userId(), call.json())));
        });
        router.get("/_matrix/client/v3/room_keys/version", call ->
                Reply.json(keys.backupInfo(auth.require(call).userId(), Optional.empty())));
        router.get("/_matrix/client/v3/room_keys/version/{version}", call ->
                Reply.json(keys.backupInfo(auth.require(call).userId(), Optional.of(call.pathParam("version")))));
        router.put("/_matrix/client/v3/room_keys/version/{version}", call -> {
            Requester r = auth.require(call);
            keys.updateBackup(r.userId(), call.pathParam("version"), call.json());
            return Reply.empty();
        });
        router.delete("/_matrix/client/v3/room_keys/version/{version}", call -> {
            Requester r = auth.require(call);
            keys.deleteBackup(r.userId(), call.pathParam("version"));
            return Reply.empty();
        });

        router.put("/_matrix/client/v3/room_keys/keys", call -> {
            Requester r = auth.require(call);
            return Reply.json(keys.putRoomKeys(r.userId(), version(call), call.json()));
        });
        router.put("/_matrix/client/v3/room_keys/keys/{roomId}", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            ObjectNode wrapped = body.objectNode();
            wrapped.putObject("rooms").set(call.pathParam("roomId"), body);
            return Reply.json(keys.putRoomKeys(r.userId(), version(call), wrapped));
        });
        router.put("/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            ObjectNode wrapped = body.objectNode();
            wrapped.putObject("rooms").putObject(call.pathParam("roomId")).putObject("sessions")
                    .set(call.pathParam("sessionId"), body);
            return Reply.json(keys.putRoomKeys(r.userId(), version(call), wrapped));
        });
        router.get("/_matrix/client/v3/room_keys/keys", call ->
                Reply.json(keys.roomKeys(auth.require(call).userId(), version(call), Optional.empty(), Optional.empty())));
        router.get("/_matrix/client/v3/room_keys/keys/{roomId}", call ->
                Reply.json(keys.roomKeys(auth.require(call).userId(), version(call), Optional.of(call.pathParam("roomId")),
                        Optional.empty())));
        router.get("/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}", call ->
                Reply.json(keys.roomKeys(auth.require(call).userId(), version(call), Optional.of(call.pathParam("roomId")),
                        Optional.of(call.pathParam("sessionId")))));
        router.delete("/_matrix/client/v3/room_keys/keys", call ->
                Reply.json(keys.deleteRoomKeys(auth.require(call).userId(), version(call), Optional.empty(), Optional.empty())));
        router.delete("/_matrix/client/v3/room_keys/keys/{roomId}", call ->
                Reply.json(keys.deleteRoomKeys(auth.require(call).userId(), version(call), Optional.of(call.pathParam("roomId")),
                        Optional.empty())));
        router.delete("/_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}", call ->
                Reply.json(keys.deleteRoomKeys(auth.require(call).userId(), version(call), Optional.of(call.pathParam("roomId")),
                        Optional.of(call.pathParam("sessionId")))));
    }

    private static String version(dev.myelin.platform.http.HttpCall call) {
        return call.queryParam("version").orElseThrow(() -> MatrixException.missingParam("The 'version' query parameter is required"));
    }
}
