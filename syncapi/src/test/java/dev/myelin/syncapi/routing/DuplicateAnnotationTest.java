package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.RoomsAndSyncServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.RoomsAndSyncServer;
import java.util.Map;

/** A user may not send the same annotation (event type, target, key) twice unless the first was redacted. */
class DuplicateAnnotationTest {

    @DatabaseTest
    void refusesASecondIdenticalAnnotation(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.createRoom(alice, Map.of("preset", "public_chat"));
            s.join(bob, room);
            String message = s.send(alice, room, "react to me");
            String r = "/_matrix/client/v3/rooms/" + enc(room);
            Map<String, Object> thumbs = Map.of("m.relates_to", Map.of("rel_type", "m.annotation", "event_id", message, "key", "👍"));

            String first = s.call("PUT", r + "/send/m.reaction/a1", alice, thumbs).path("event_id").asString();
            // a retry of the same request is not a duplicate: it gets the same event
            assertThat(s.call("PUT", r + "/send/m.reaction/a1", alice, thumbs).path("event_id").asString()).isEqualTo(first);
            RoomsAndSyncServer.Response again = s.request("PUT", r + "/send/m.reaction/a2", alice, thumbs);
            assertThat(again.status()).isEqualTo(400);
            assertThat(again.errcode()).isEqualTo("M_DUPLICATE_ANNOTATION");
            // another key, another user, another event type are not duplicates
            s.call("PUT", r + "/send/m.reaction/a3", alice,
                    Map.of("m.relates_to", Map.of("rel_type", "m.annotation", "event_id", message, "key", "🎉")));
            s.call("PUT", r + "/send/m.reaction/b1", bob, thumbs);
            s.call("PUT", r + "/send/org.example.vote/a4", alice, thumbs);
            // once the first is redacted, the annotation may be sent again
            s.call("PUT", r + "/redact/" + enc(first) + "/x1", alice, Map.of());
            assertThat(s.request("PUT", r + "/send/m.reaction/a5", alice, thumbs).status()).isEqualTo(200);
            assertThat(s.request("PUT", r + "/send/m.reaction/a6", alice, thumbs).errcode()).isEqualTo("M_DUPLICATE_ANNOTATION");
        }
    }
}
