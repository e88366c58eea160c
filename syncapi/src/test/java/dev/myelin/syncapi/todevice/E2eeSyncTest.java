package dev.myelin.syncapi.todevice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class E2eeSyncTest {

    private static String send(E2eeTestServer s, String token, String txn, Map<String, Object> messages) throws Exception {
        E2eeTestServer.Response r = s.call("PUT", "/_matrix/client/v3/sendToDevice/m.test/" + txn, token, Map.of("messages", messages));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return txn;
    }

    private static List<Integer> toDeviceSeq(JsonNode sync) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : sync.path("to_device").path("events")) {
            assertThat(e.path("sender").asString()).isEqualTo(E2eeTestServer.id("alice"));
            assertThat(e.path("type").asString()).isEqualTo("m.test");
            out.add(e.path("content").path("seq").asInt());
        }
        return out;
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    @DatabaseTest
    void toDeviceMessagesArriveInOrderOncePerTxnAndStayUntilAcknowledgedAcrossARestart(DatabaseConfig config) throws Exception {
        try (E2eeTestServer s = new E2eeTestServer(config)) {
            String alice = s.user("alice", "ALICE");
            String bob1 = s.user("bob", "BOB1");
            String bob2 = s.user("bob", "BOB2");
            String bob = E2eeTestServer.id("bob");
            send(s, alice, "t1", Map.of(bob, Map.of("*", Map.of("seq", 1))));
            send(s, alice, "t1", Map.of(bob, Map.of("*", Map.of("seq", 1)))); // retried: not delivered twice
            send(s, alice, "t2", Map.of(bob, Map.of("BOB2", Map.of("seq", 2), "NOSUCHDEVICE", Map.of("seq", 9))));
            send(s, alice, "t3", Map.of(bob, Map.of("*", Map.of("seq", 3))));

            JsonNode first = s.sync(bob1, "");
            assertThat(toDeviceSeq(first)).containsExactly(1, 3);
            assertThat(toDeviceSeq(s.sync(bob1, ""))).as("not acknowledged yet").containsExactly(1, 3);

            s.restart();
            assertThat(toDeviceSeq(s.sync(bob2, ""))).containsExactly(1, 2, 3);
            String since = first.path("next_batch").asString();
            JsonNode acked = s.sync(bob1, "since=" + enc(since) + "&timeout=0");
            assertThat(toDeviceSeq(acked)).isEmpty();
            assertThat(toDeviceSeq(s.sync(bob1, ""))).as("deleted once acknowledged").isEmpty();

            // a long poll wakes for a new message, and only this device's
            CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.sync(bob1, "since=" + enc(acked.path("next_batch").asString()) + "&timeout=20000");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            send(s, alice, "t4", Map.of(bob, Map.of("BOB1", Map.of("seq", 4))));
            assertThat(toDeviceSeq(poll.get(10, TimeUnit.SECONDS))).containsExactly(4);

            assertThat(s.call("PUT", "/_matrix/client/v3/sendToDevice/m.test/t5", alice, Map.of("messages", 3)).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.call("PUT", "/_matrix/client/v3/sendToDevice/m.test/t5", alice,
                    Map.of("messages", Map.of(bob, Map.of("BOB1", "text")))).errcode()).isEqualTo("M_BAD_JSON");
        }
    }

    /** Polls until {@code check} holds of a sync since {@code since}; returns that response. */
    private static JsonNode syncUntil(E2eeTestServer s, String token, String since, java.util.function.Predicate<JsonNode> check)
            throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            JsonNode r = s.sync(token, "since=" + enc(since) + "&timeout=500");
            if (check.test(r) || System.currentTimeMillis() > deadline) return r;
        }
    }

    private static List<String> list(JsonNode sync, String field) {
        List<String> out = new ArrayList<>();
        sync.path("device_lists").path(field).forEach(n -> out.add(n.asString()));
        return out;
    }

    private static ObjectNode deviceKeys(String userId, String deviceId) {
        SigningKey key = SigningKey.generate(new SecureRandom());
        ObjectNode keys = E2eeTestServer.JSON.createObjectNode();
        keys.put("user_id", userId);
        keys.put("device_id", deviceId);
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2");
        keys.putObject("keys").put("ed25519:" + deviceId, key.publicKeyBase64()).put("curve25519:" + deviceId, "c");
        SignedJson.putSignature(keys, userId, "ed25519:" + deviceId, SignedJson.signature(keys, key));
        return keys;
    }

    @DatabaseTest
    void aLongPollReadsForItsOwnDeviceWhenAnotherDeviceFoundNothingAtTheSameToken(DatabaseConfig config) throws Exception {
        try (E2eeTestServer s = new E2eeTestServer(config)) {
            String alice = s.user("alice", "ALICE");
            String bob1 = s.user("bob", "BOB1");
            String bob2 = s.user("bob", "BOB2");
            String bob = E2eeTestServer.id("bob");
            s.sync(bob2, "");
            String since = s.sync(bob1, "").path("next_batch").asString();
            send(s, alice, "t1", Map.of(bob, Map.of("BOB2", Map.of("seq", 1))));

            // BOB1's poll finds nothing after the token and parks; BOB2 holds the same token but has a message
            CompletableFuture<JsonNode> poll1 = syncAsync(s, bob1, "since=" + enc(since) + "&timeout=20000");
            awaitParked(s, 1);
            CompletableFuture<JsonNode> poll2 = syncAsync(s, bob2, "since=" + enc(since) + "&timeout=20000");
            assertThat(toDeviceSeq(poll2.get(10, TimeUnit.SECONDS))).containsExactly(1);

            send(s, alice, "t2", Map.of(bob, Map.of("BOB1", Map.of("seq", 2))));
            assertThat(toDeviceSeq(poll1.get(10, TimeUnit.SECONDS))).containsExactly(2);
        }
    }

    private static CompletableFuture<JsonNode> syncAsync(E2eeTestServer s, String token, String query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.sync(token, query);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static void awaitParked(E2eeTestServer s, int polls) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.notifier.parkedPolls() < polls) {
            assertThat(System.nanoTime()).as("polls parked in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @DatabaseTest
    void deviceListsFollowSharedRoomsAndKeyCountsAreOnEverySync(DatabaseConfig config) throws Exception {
        try (E2eeTestServer s = new E2eeTestServer(config)) {
            String alice = s.user("alice", "ALICE");
            String bob = s.user("bob", "BOB");
            String carol = s.user("carol", "CAROL");
            String bobId = E2eeTestServer.id("bob");
            String room = s.createRoom(E2eeTestServer.id("alice"));
            JsonNode start = s.sync(alice, "");
            assertThat(start.path("device_one_time_keys_count").path("signed_curve25519").asInt()).isZero();
            assertThat(start.has("device_unused_fallback_key_types")).isTrue();
            String since = start.path("next_batch").asString();

            s.membership(room, bobId, "join");
            JsonNode joined = syncUntil(s, alice, since, r -> list(r, "changed").contains(bobId));
            assertThat(list(joined, "changed")).contains(bobId);
            since = joined.path("next_batch").asString();

            assertThat(s.call("POST", "/_matrix/client/v3/keys/upload", bob, Map.of("device_keys", deviceKeys(bobId, "BOB"),
                    "one_time_keys", Map.of("signed_curve25519:A", Map.of("key", "k")),
                    "fallback_keys", Map.of("signed_curve25519:F", Map.of("key", "f", "fallback", true)))).status()).isEqualTo(200);
            assertThat(s.call("POST", "/_matrix/client/v3/keys/upload", carol, Map.of("device_keys",
                    deviceKeys(E2eeTestServer.id("carol"), "CAROL"))).status()).isEqualTo(200);
            JsonNode keysChanged = syncUntil(s, alice, since, r -> list(r, "changed").contains(bobId));
            assertThat(list(keysChanged, "changed")).containsExactly(bobId);
            assertThat(list(s.sync(alice, "full_state=true&since=" + enc(since)), "changed")).containsExactly(bobId);
            String afterKeys = keysChanged.path("next_batch").asString();

            JsonNode bobSync = s.sync(bob, "");
            assertThat(bobSync.path("device_one_time_keys_count").path("signed_curve25519").asInt()).isEqualTo(1);
            assertThat(bobSync.path("device_unused_fallback_key_types").get(0).asString()).isEqualTo("signed_curve25519");

            s.membership(room, bobId, "leave");
            JsonNode left = syncUntil(s, alice, afterKeys, r -> list(r, "left").contains(bobId));
            assertThat(list(left, "left")).containsExactly(bobId);
            assertThat(list(left, "changed")).doesNotContain(bobId);

            JsonNode changes = s.call("GET", "/_matrix/client/v3/keys/changes?from=" + enc(since) + "&to="
                    + enc(left.path("next_batch").asString()), alice, null).body();
            assertThat(changes.path("left").get(0).asString()).isEqualTo(bobId);
            assertThat(s.call("GET", "/_matrix/client/v3/keys/changes?from=nonsense&to=s", alice, null).errcode())
                    .isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void deletingADeviceAnnouncesItToRoomMates(DatabaseConfig config) throws Exception {
        try (E2eeTestServer s = new E2eeTestServer(config)) {
            String alice = s.user("alice", "ALICE");
            s.user("bob", "BOB");
            String bobId = E2eeTestServer.id("bob");
            String room = s.createRoom(E2eeTestServer.id("alice"));
            s.membership(room, bobId, "join");
            String since = s.sync(alice, "").path("next_batch").asString();
            send(s, alice, "t1", Map.of(bobId, Map.of("BOB", Map.of("seq", 1))));
            s.users.deleteDevice("bob", "BOB");
            JsonNode r = syncUntil(s, alice, since, x -> list(x, "changed").contains(bobId));
            assertThat(list(r, "changed")).containsExactly(bobId);
            // the deleted device's inbox went with it: a new login under the same device ID starts empty
            String again = s.user("bob", "BOB");
            assertThat(toDeviceSeq(s.sync(again, ""))).isEmpty();
        }
    }
}
