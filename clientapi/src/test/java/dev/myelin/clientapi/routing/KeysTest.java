package dev.myelin.clientapi.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.routing.KeysTestServer.Client;
import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@DatabaseComponent("userapi")
class KeysTest {
    private static final String UPLOAD = "/_matrix/client/v3/keys/upload";
    private static final String QUERY = "/_matrix/client/v3/keys/query";
    private static final String CLAIM = "/_matrix/client/v3/keys/claim";
    private static final String SIGNING_UPLOAD = "/_matrix/client/v3/keys/device_signing/upload";
    private static final String SIGNATURES_UPLOAD = "/_matrix/client/v3/keys/signatures/upload";

    private static Map<String, Object> claimBody(Client target) {
        return Map.of("one_time_keys", Map.of(target.userId(), Map.of(target.deviceId(), "signed_curve25519")));
    }

    @DatabaseTest
    void claimingTheLastOneTimeKeyThenFallsBackToTheFallbackKey(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client alice = s.register("alice");
            Client bob = s.register("bob");
            Map<String, Object> otk = Map.of("key", "otk1", "signatures", Map.of());
            Map<String, Object> fallback = Map.of("key", "fb1", "fallback", true, "signatures", Map.of());
            Response up = s.post(UPLOAD, alice.token(), Map.of("device_keys", KeysTestServer.deviceKeys(alice),
                    "one_time_keys", Map.of("signed_curve25519:AAAAAQ", otk),
                    "fallback_keys", Map.of("signed_curve25519:AAAAAg", fallback)));
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.body().path("one_time_key_counts").path("signed_curve25519").asLong()).isEqualTo(1);
            assertThat(s.keys.counts(alice.userId(), alice.deviceId()).unusedFallbackKeyTypes()).containsExactly("signed_curve25519");

            Response first = s.post(CLAIM, bob.token(), claimBody(alice));
            assertThat(first.body().path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                    .path("signed_curve25519:AAAAAQ").path("key").asString()).isEqualTo("otk1");
            assertThat(s.keys.counts(alice.userId(), alice.deviceId()).oneTimeKeyCounts()).containsEntry("signed_curve25519", 0L);

            for (int i = 0; i < 2; i++) {
                Response next = s.post(CLAIM, bob.token(), claimBody(alice));
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.body().path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                        .path("signed_curve25519:AAAAAg").path("key").asString()).isEqualTo("fb1");
            }
            assertThat(s.keys.counts(alice.userId(), alice.deviceId()).unusedFallbackKeyTypes()).isEmpty();

            // re-uploading the same fallback key keeps it used; a new one is unused again
            s.post(UPLOAD, alice.token(), Map.of("fallback_keys", Map.of("signed_curve25519:AAAAAg", fallback)));
            assertThat(s.keys.counts(alice.userId(), alice.deviceId()).unusedFallbackKeyTypes()).isEmpty();
            s.post(UPLOAD, alice.token(), Map.of("fallback_keys", Map.of("signed_curve25519:AAAAAw",
                    Map.of("key", "fb2", "fallback", true, "signatures", Map.of()))));
            assertThat(s.keys.counts(alice.userId(), alice.deviceId()).unusedFallbackKeyTypes()).containsExactly("signed_curve25519");

            Response none = s.post(CLAIM, bob.token(), Map.of("one_time_keys", Map.of(alice.userId(), Map.of("NODEVICE", "signed_curve25519"))));
            assertThat(none.status()).isEqualTo(200);
            assertThat(none.body().path("one_time_keys").isEmpty()).isTrue();
            assertThat(s.post(CLAIM, bob.token(), Map.of("one_time_keys", 3)).errcode()).isEqualTo("M_BAD_JSON");
        }
    }

    @DatabaseTest
    void twoDevicesOfOneUserAreQueriedTogetherOrOneByOne(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client phone = s.register("alice");
            Client laptop = s.login("alice", "LAPTOP");
            Client bob = s.register("bob");
            s.put("/_matrix/client/v3/devices/LAPTOP", laptop.token(), Map.of("display_name", "Laptop"));
            assertThat(s.post(UPLOAD, phone.token(), Map.of("device_keys", KeysTestServer.deviceKeys(phone))).status()).isEqualTo(200);
            assertThat(s.post(UPLOAD, laptop.token(), Map.of("device_keys", KeysTestServer.deviceKeys(laptop))).status()).isEqualTo(200);

            Response all = s.post(QUERY, bob.token(), Map.of("device_keys", Map.of(phone.userId(), List.of())));
            JsonNode devices = all.body().path("device_keys").path(phone.userId());
            assertThat(devices.propertyNames()).containsExactlyInAnyOrder(phone.deviceId(), "LAPTOP");
            assertThat(devices.path("LAPTOP").path("unsigned").path("device_display_name").asString()).isEqualTo("Laptop");
            assertThat(devices.path("LAPTOP").path("keys").path("ed25519:LAPTOP").asString()).isEqualTo(laptop.key().publicKeyBase64());
            ObjectNode stored = (ObjectNode) devices.path(phone.deviceId()).deepCopy();
            stored.remove("unsigned");
            assertThat(stored).isEqualTo(KeysTestServer.deviceKeys(phone));

            Response one = s.post(QUERY, bob.token(), Map.of("device_keys", Map.of(phone.userId(), List.of("LAPTOP"))));
            assertThat(one.body().path("device_keys").path(phone.userId()).propertyNames()).containsExactly("LAPTOP");

            Response remote = s.post(QUERY, bob.token(), Map.of("device_keys", Map.of("@carol:elsewhere.example", List.of())));
            assertThat(remote.body().path("failures").has("elsewhere.example")).isTrue();
        }
    }

    @DatabaseTest
    void aDevicesKeysCannotBeReplacedByDifferentOnes(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client alice = s.register("alice");
            ObjectNode keys = KeysTestServer.deviceKeys(alice);
            assertThat(s.post(UPLOAD, alice.token(), Map.of("device_keys", keys)).status()).isEqualTo(200);
            assertThat(s.post(UPLOAD, alice.token(), Map.of("device_keys", keys)).status()).isEqualTo(200);

            Client impostor = new Client(alice.userId(), alice.deviceId(), alice.token(), SigningKey.generate(KeysTestServer.RANDOM));
            Response replaced = s.post(UPLOAD, alice.token(), Map.of("device_keys", KeysTestServer.deviceKeys(impostor)));
            assertThat(replaced.status()).isEqualTo(400);
            assertThat(replaced.errcode()).isEqualTo("M_INVALID_PARAM");
            Response stillThere = s.post(QUERY, alice.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(stillThere.body().path("device_keys").path(alice.userId()).path(alice.deviceId()).path("keys")
                    .path("ed25519:" + alice.deviceId()).asString()).isEqualTo(alice.key().publicKeyBase64());

            ObjectNode forged = KeysTestServer.deviceKeys(alice);
            ((ObjectNode) forged.path("keys")).put("curve25519:" + alice.deviceId(), "changed-after-signing");
            Client other = s.login("alice", "OTHER");
            ObjectNode otherKeys = KeysTestServer.deviceKeys(other);
            ((ObjectNode) otherKeys.path("keys")).put("curve25519:OTHER", "changed-after-signing");
            assertThat(s.post(UPLOAD, other.token(), Map.of("device_keys", otherKeys)).errcode()).isEqualTo("M_INVALID_SIGNATURE");
            assertThat(s.post(UPLOAD, other.token(), Map.of("device_keys", keys)).errcode()).isEqualTo("M_INVALID_PARAM");

            assertThat(s.post(UPLOAD, alice.token(), Map.of("one_time_keys", Map.of("signed_curve25519:A", Map.of("key", "k1"))))
                    .status()).isEqualTo(200);
            assertThat(s.post(UPLOAD, alice.token(), Map.of("one_time_keys", Map.of("signed_curve25519:A", Map.of("key", "k1"))))
                    .status()).isEqualTo(200);
            assertThat(s.post(UPLOAD, alice.token(), Map.of("one_time_keys", Map.of("signed_curve25519:A", Map.of("key", "k2"))))
                    .errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(UPLOAD, alice.token(), Map.of("one_time_keys", Map.of("nocolon", "k"))).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.post(UPLOAD, alice.token(), "[1]").status()).isEqualTo(400);
        }
    }

    @DatabaseTest
    void deletingADeviceRemovesItsKeysAndAnnouncesTheChange(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            List<OutputKeyChangeEvent> seen = new CopyOnWriteArrayList<>();
            s.streams.subscribe(OutputKeyChangeEvent.STREAM, "test", db,
                    StreamHandler.transactional(db, (tx, d) -> seen.add(d.message())));
            Client alice = s.register("alice");
            Client phone = s.login("alice", "PHONE");
            s.post(UPLOAD, phone.token(), Map.of("device_keys", KeysTestServer.deviceKeys(phone),
                    "one_time_keys", Map.of("signed_curve25519:A", "k")));
            Response challenge = s.call("DELETE", "/_matrix/client/v3/devices/PHONE", alice.token(), Map.of());
            Response deleted = s.call("DELETE", "/_matrix/client/v3/devices/PHONE", alice.token(), Map.of("auth",
                    TestServer.passwordAuth("alice", "pw", challenge.text("session"))));
            assertThat(deleted.status()).isEqualTo(200);
            Response query = s.post(QUERY, alice.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(query.body().path("device_keys").path(alice.userId()).has("PHONE")).isFalse();
            assertThat(s.post(CLAIM, alice.token(), claimBody(phone)).body().path("one_time_keys").isEmpty()).isTrue();
            long deadline = System.currentTimeMillis() + 5000;
            while (seen.size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(seen).containsExactly(
                    new OutputKeyChangeEvent(alice.userId(), "PHONE", OutputKeyChangeEvent.DEVICE_KEYS),
                    new OutputKeyChangeEvent(alice.userId(), "PHONE", OutputKeyChangeEvent.DEVICE_DELETED));
        }
    }

    @DatabaseTest
    void concurrentIdenticalCrossSigningUploadsAllSucceed(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage);
             var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            Client alice = s.register("alice");
            SigningKey master = SigningKey.generate(KeysTestServer.RANDOM);
            SigningKey self = SigningKey.generate(KeysTestServer.RANDOM);
            Map<String, Object> keys = Map.of(
                    "master_key", KeysTestServer.crossSigningKey(alice.userId(), "master", master, Optional.empty()),
                    "self_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "self_signing", self, Optional.of(master)));
            var uploads = new java.util.ArrayList<java.util.concurrent.Future<Response>>();
            for (int i = 0; i < 8; i++) uploads.add(threads.submit(() -> s.post(SIGNING_UPLOAD, alice.token(), keys)));
            for (var upload : uploads) {
                Response r = upload.get();
                assertThat(r.status()).as("concurrent first upload: %s", r).isEqualTo(200);
            }
        }
    }

    @DatabaseTest
    void crossSigningUploadNeedsAuthOnlyToReplaceKeys(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client alice = s.register("alice");
            Client bob = s.register("bob");
            SigningKey master = SigningKey.generate(KeysTestServer.RANDOM);
            SigningKey self = SigningKey.generate(KeysTestServer.RANDOM);
            SigningKey user = SigningKey.generate(KeysTestServer.RANDOM);
            Map<String, Object> keys = Map.of(
                    "master_key", KeysTestServer.crossSigningKey(alice.userId(), "master", master, Optional.empty()),
                    "self_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "self_signing", self, Optional.of(master)),
                    "user_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "user_signing", user, Optional.of(master)));
            assertThat(s.post(SIGNING_UPLOAD, alice.token(), keys).status()).isEqualTo(200);
            assertThat(s.post(SIGNING_UPLOAD, alice.token(), keys).status()).isEqualTo(200); // the same keys again: no UIA

            Response own = s.post(QUERY, alice.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(own.body().path("master_keys").path(alice.userId()).path("keys").path("ed25519:" + master.publicKeyBase64())
                    .asString()).isEqualTo(master.publicKeyBase64());
            assertThat(own.body().path("self_signing_keys").has(alice.userId())).isTrue();
            assertThat(own.body().path("user_signing_keys").has(alice.userId())).isTrue();
            Response other = s.post(QUERY, bob.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(other.body().path("master_keys").has(alice.userId())).isTrue();
            assertThat(other.body().path("user_signing_keys").has(alice.userId())).isFalse();

            SigningKey newMaster = SigningKey.generate(KeysTestServer.RANDOM);
            Map<String, Object> replacement = Map.of(
                    "master_key", KeysTestServer.crossSigningKey(alice.userId(), "master", newMaster, Optional.empty()),
                    "self_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "self_signing", self, Optional.of(newMaster)));
            Response challenge = s.post(SIGNING_UPLOAD, alice.token(), replacement);
            assertThat(challenge.status()).isEqualTo(401);
            assertThat(challenge.body().path("flows").get(0).path("stages").get(0).asString()).isEqualTo("m.login.password");
            Map<String, Object> withAuth = new java.util.HashMap<>(replacement);
            withAuth.put("auth", TestServer.passwordAuth("alice", "pw", challenge.text("session")));
            assertThat(s.post(SIGNING_UPLOAD, alice.token(), withAuth).status()).isEqualTo(200);
            Response after = s.post(QUERY, alice.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(after.body().path("master_keys").path(alice.userId()).path("keys").has("ed25519:" + newMaster.publicKeyBase64())).isTrue();
            assertThat(after.body().path("user_signing_keys").has(alice.userId())).isFalse(); // signed by the old master

            Response badlySigned = s.post(SIGNING_UPLOAD, bob.token(), Map.of(
                    "master_key", KeysTestServer.crossSigningKey(bob.userId(), "master", master, Optional.empty()),
                    "self_signing_key", KeysTestServer.crossSigningKey(bob.userId(), "self_signing", self, Optional.of(user))));
            assertThat(badlySigned.errcode()).isEqualTo("M_INVALID_SIGNATURE");
            Response noMaster = s.post(SIGNING_UPLOAD, bob.token(), Map.of(
                    "self_signing_key", KeysTestServer.crossSigningKey(bob.userId(), "self_signing", self, Optional.of(master))));
            assertThat(noMaster.errcode()).isEqualTo("M_MISSING_PARAM");
        }
    }

    @DatabaseTest
    void signaturesUploadReportsFailuresPerKey(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client alice = s.register("alice");
            Client bob = s.register("bob");
            Client carol = s.register("carol");
            SigningKey aliceMaster = SigningKey.generate(KeysTestServer.RANDOM);
            SigningKey aliceSelf = SigningKey.generate(KeysTestServer.RANDOM);
            SigningKey aliceUser = SigningKey.generate(KeysTestServer.RANDOM);
            s.post(SIGNING_UPLOAD, alice.token(), Map.of(
                    "master_key", KeysTestServer.crossSigningKey(alice.userId(), "master", aliceMaster, Optional.empty()),
                    "self_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "self_signing", aliceSelf, Optional.of(aliceMaster)),
                    "user_signing_key", KeysTestServer.crossSigningKey(alice.userId(), "user_signing", aliceUser, Optional.of(aliceMaster))));
            SigningKey bobMaster = SigningKey.generate(KeysTestServer.RANDOM);
            s.post(SIGNING_UPLOAD, bob.token(), Map.of(
                    "master_key", KeysTestServer.crossSigningKey(bob.userId(), "master", bobMaster, Optional.empty())));
            s.post(UPLOAD, alice.token(), Map.of("device_keys", KeysTestServer.deviceKeys(alice)));

            ObjectNode device = KeysTestServer.deviceKeys(alice);
            KeysTestServer.sign(device, alice.userId(), "ed25519:" + aliceSelf.publicKeyBase64(), aliceSelf);
            ObjectNode bobMasterSigned = KeysTestServer.crossSigningKey(bob.userId(), "master", bobMaster, Optional.empty());
            KeysTestServer.sign(bobMasterSigned, alice.userId(), "ed25519:" + aliceUser.publicKeyBase64(), aliceSelf); // wrong key
            ObjectNode unknown = KeysTestServer.crossSigningKey(alice.userId(), "master", bobMaster, Optional.empty());
            Response r = s.post(SIGNATURES_UPLOAD, alice.token(), Map.of(
                    alice.userId(), Map.of(alice.deviceId(), device, "NOSUCHKEY", unknown),
                    bob.userId(), Map.of(bobMaster.publicKeyBase64(), bobMasterSigned)));
            assertThat(r.status()).isEqualTo(200);
            JsonNode failures = r.body().path("failures");
            assertThat(failures.path(alice.userId()).has(alice.deviceId())).isFalse();
            assertThat(failures.path(alice.userId()).path("NOSUCHKEY").path("errcode").asString()).isEqualTo("M_NOT_FOUND");
            assertThat(failures.path(bob.userId()).path(bobMaster.publicKeyBase64()).path("errcode").asString())
                    .isEqualTo("M_INVALID_SIGNATURE");

            Response seenByCarol = s.post(QUERY, carol.token(), Map.of("device_keys", Map.of(alice.userId(), List.of())));
            assertThat(seenByCarol.body().path("device_keys").path(alice.userId()).path(alice.deviceId()).path("signatures")
                    .path(alice.userId()).has("ed25519:" + aliceSelf.publicKeyBase64())).isTrue();

            ObjectNode bobMasterGood = KeysTestServer.crossSigningKey(bob.userId(), "master", bobMaster, Optional.empty());
            KeysTestServer.sign(bobMasterGood, alice.userId(), "ed25519:" + aliceUser.publicKeyBase64(), aliceUser);
            Response good = s.post(SIGNATURES_UPLOAD, alice.token(), Map.of(bob.userId(), Map.of(bobMaster.publicKeyBase64(), bobMasterGood)));
            assertThat(good.body().path("failures").isEmpty()).isTrue();
            JsonNode bobAsSeenByAlice = s.post(QUERY, alice.token(), Map.of("device_keys", Map.of(bob.userId(), List.of())))
                    .body().path("master_keys").path(bob.userId()).path("signatures");
            assertThat(bobAsSeenByAlice.path(alice.userId()).has("ed25519:" + aliceUser.publicKeyBase64())).isTrue();
            JsonNode bobAsSeenByCarol = s.post(QUERY, carol.token(), Map.of("device_keys", Map.of(bob.userId(), List.of())))
                    .body().path("master_keys").path(bob.userId()).path("signatures");
            assertThat(bobAsSeenByCarol.has(alice.userId())).isFalse();
        }
    }

    @DatabaseTest
    void concurrentBackupVersionCreationsGetDistinctVersions(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage);
             var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            String t = s.register("alice").token();
            Map<String, Object> info = Map.of("algorithm", "m.megolm_backup.v1.curve25519-aes-sha2",
                    "auth_data", Map.of("public_key", "abc", "signatures", Map.of()));
            var created = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 8; i++) {
                created.add(threads.submit(() -> {
                    var r = s.post("/_matrix/client/v3/room_keys/version", t, info);
                    assertThat(r.status()).as("creating a backup version: %s", r).isEqualTo(200);
                    return r.text("version");
                }));
            }
            var versions = new java.util.HashSet<String>();
            for (var f : created) versions.add(f.get());
            assertThat(versions).hasSize(8).doesNotContainNull();
        }
    }

    @DatabaseTest
    void keyBackupVersionsConflictAndKeysMergeBySpecRules(Database db, DatabaseConfig storage) throws Exception {
        try (KeysTestServer s = new KeysTestServer(db, storage)) {
            Client alice = s.register("alice");
            String t = alice.token();
            assertThat(s.get("/_matrix/client/v3/room_keys/version", t).errcode()).isEqualTo("M_NOT_FOUND");
            Map<String, Object> info = Map.of("algorithm", "m.megolm_backup.v1.curve25519-aes-sha2",
                    "auth_data", Map.of("public_key", "abc", "signatures", Map.of()));
            String v1 = s.post("/_matrix/client/v3/room_keys/version", t, info).text("version");
            Map<String, Object> key = Map.of("first_message_index", 3, "forwarded_count", 0, "is_verified", false,
                    "session_data", Map.of("ciphertext", "c3"));
            Response put = s.put("/_matrix/client/v3/room_keys/keys/!room:test.local/sess1?version=" + v1, t, key);
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.body().path("count").asLong()).isEqualTo(1);
            String etag = put.text("etag");

            Map<String, Object> worse = Map.of("first_message_index", 5, "forwarded_count", 0, "is_verified", false,
                    "session_data", Map.of("ciphertext", "c5"));
            Response kept = s.put("/_matrix/client/v3/room_keys/keys/!room:test.local?version=" + v1, t,
                    Map.of("sessions", Map.of("sess1", worse)));
            assertThat(kept.text("etag")).isEqualTo(etag);
            Map<String, Object> better = Map.of("first_message_index", 0, "forwarded_count", 1, "is_verified", false,
                    "session_data", Map.of("ciphertext", "c0"));
            Response replaced = s.put("/_matrix/client/v3/room_keys/keys?version=" + v1, t,
                    Map.of("rooms", Map.of("!room:test.local", Map.of("sessions", Map.of("sess1", better, "sess2", key)))));
            assertThat(replaced.text("etag")).isNotEqualTo(etag);
            assertThat(replaced.body().path("count").asLong()).isEqualTo(2);
            assertThat(s.get("/_matrix/client/v3/room_keys/keys/!room:test.local/sess1?version=" + v1, t).body()
                    .path("session_data").path("ciphertext").asString()).isEqualTo("c0");
            assertThat(s.get("/_matrix/client/v3/room_keys/keys?version=" + v1, t).body().path("rooms").path("!room:test.local")
                    .path("sessions").propertyNames()).containsExactlyInAnyOrder("sess1", "sess2");

            String v2 = s.post("/_matrix/client/v3/room_keys/version", t, info).text("version");
            Response conflict = s.put("/_matrix/client/v3/room_keys/keys/!room:test.local/sess3?version=" + v1, t, key);
            assertThat(conflict.status()).isEqualTo(403);
            assertThat(conflict.errcode()).isEqualTo("M_WRONG_ROOM_KEYS_VERSION");
            assertThat(conflict.text("current_version")).isEqualTo(v2);
            Response current = s.get("/_matrix/client/v3/room_keys/version", t);
            assertThat(current.text("version")).isEqualTo(v2);
            assertThat(current.body().path("count").asLong()).isZero();
            assertThat(s.get("/_matrix/client/v3/room_keys/version/" + v1, t).body().path("count").asLong()).isEqualTo(2);

            Response badUpdate = s.put("/_matrix/client/v3/room_keys/version/" + v2, t,
                    Map.of("algorithm", "other", "auth_data", Map.of()));
            assertThat(badUpdate.errcode()).isEqualTo("M_INVALID_PARAM");
            Response mismatch = s.put("/_matrix/client/v3/room_keys/version/" + v2, t,
                    Map.of("algorithm", "m.megolm_backup.v1.curve25519-aes-sha2", "auth_data", Map.of(), "version", v1));
            assertThat(mismatch.errcode()).isEqualTo("M_INVALID_PARAM");

            assertThat(s.delete("/_matrix/client/v3/room_keys/keys/!room:test.local/sess1?version=" + v1, t).body()
                    .path("count").asLong()).isEqualTo(1);
            assertThat(s.get("/_matrix/client/v3/room_keys/keys/!room:test.local/sess1?version=" + v1, t).errcode())
                    .isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_matrix/client/v3/room_keys/keys", t).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.delete("/_matrix/client/v3/room_keys/version/" + v2, t).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/room_keys/version", t).text("version")).isEqualTo(v1);
            assertThat(s.get("/_matrix/client/v3/room_keys/version/" + v2, t).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_matrix/client/v3/room_keys/version/nonsense", t).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.put("/_matrix/client/v3/room_keys/keys/!r:test.local/s?version=" + v1, t,
                    Map.of("first_message_index", "x")).errcode()).isEqualTo("M_BAD_JSON");
        }
    }
}
