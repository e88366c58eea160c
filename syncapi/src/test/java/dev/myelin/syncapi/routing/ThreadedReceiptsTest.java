package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.Map;

/** Threaded receipts name {@code main} or the root of the thread their event is in (spec: receipts, 400 otherwise). */
class ThreadedReceiptsTest {

    @DatabaseTest
    void aThreadedReceiptMustNameTheThreadOfItsEvent(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String root = s.rooms.message(room, id("alice"), "root");
            String reply = s.rooms.send(room, id("alice"), "m.room.message", null, Map.of("msgtype", "m.text", "body", "reply",
                    "m.relates_to", Map.of("rel_type", "m.thread", "event_id", root)), null, null);
            String reaction = s.rooms.send(room, id("alice"), "m.reaction", null, Map.of("m.relates_to",
                    Map.of("rel_type", "m.annotation", "event_id", reply, "key", "👍")), null, null);
            String other = s.rooms.message(room, id("alice"), "not in the thread");
            String path = "/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.read/";

            assertThat(s.call("POST", path + enc(reply), alice, Map.of("thread_id", root)).status()).isEqualTo(200);
            assertThat(s.call("POST", path + enc(root), alice, Map.of("thread_id", root)).status()).isEqualTo(200);
            assertThat(s.call("POST", path + enc(reaction), alice, Map.of("thread_id", root)).status()).isEqualTo(200);
            assertThat(s.call("POST", path + enc(other), alice, Map.of("thread_id", "main")).status()).isEqualTo(200);
            assertThat(s.call("POST", path + enc(other), alice, Map.of("thread_id", root)).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.call("POST", path + enc(other), alice, Map.of("thread_id", "")).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.call("POST", "/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.fully_read/" + enc(other), alice,
                    Map.of("thread_id", "main")).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }
}
