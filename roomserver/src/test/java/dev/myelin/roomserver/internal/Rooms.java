package dev.myelin.roomserver.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.api.Sender;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A roomserver over a test database, and small builders for request bodies. */
final class Rooms implements AutoCloseable {
    static final String SERVER = "test.local";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Sender ALICE = new Sender("@alice:test.local", "ADEV");
    static final Sender BOB = new Sender("@bob:test.local", "BDEV");
    static final Sender CAROL = new Sender("@carol:test.local", "CDEV");

    final InProcessStreams streams = new InProcessStreams();
    final LocalRoomserver rs;
    final Database db;

    Rooms(Database db) {
        this.db = db;
        rs = new LocalRoomserver(db, streams, new LocalRoomserver.Settings(SERVER, SigningKey.generate(new SecureRandom()),
                RoomVersions.DEFAULT), userId -> Optional.of(new ProfileLookup.Profile(userId.substring(1, userId.indexOf(':')), null)),
                Clock.systemUTC(), new SecureRandom());
    }

    static ObjectNode obj(Map<String, ?> map) {
        return JSON.valueToTree(map);
    }

    String createRoom(Sender who, Map<String, ?> body) {
        return rs.createRoom(who, obj(body));
    }

    String message(Sender who, String roomId, String text) {
        return rs.send(who, roomId, "m.room.message", null, obj(Map.of("msgtype", "m.text", "body", text)), Optional.empty());
    }

    @Override
    public void close() {
        streams.close();
    }
}
