package dev.myelin.server.cli.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code myelin protocol auth} and {@code resolve}, run in-process through picocli on a small hand-built room. */
class AuthAndResolveCommandTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";

    /** A tiny linear room of one version whose event IDs are computed as the version says. */
    static final class Room {
        final RoomVersion version;
        final Map<String, ObjectNode> events = new LinkedHashMap<>();
        final Map<String, String> state = new LinkedHashMap<>(); // "type|state_key" -> event ID
        String roomId = "!room:example.org";
        String last;
        int depth;

        Room(RoomVersion version) {
            this.version = version;
        }

        String send(String type, String stateKey, String sender, String content, String... authKeys) {
            ObjectNode e = build(type, stateKey, sender, content, authKeys);
            String id = EventIds.eventId(version, e);
            if (type.equals("m.room.create") && version.roomIdFromCreateEvent()) roomId = "!" + id.substring(1);
            events.put(id, e);
            if (stateKey != null) state.put(type + "|" + stateKey, id);
            last = id;
            return id;
        }

        ObjectNode build(String type, String stateKey, String sender, String content, String... authKeys) {
            ObjectNode e = JSON.createObjectNode();
            depth++;
            if (!(type.equals("m.room.create") && version.roomIdFromCreateEvent())) e.put("room_id", roomId);
            e.put("type", type).put("sender", sender).put("depth", depth).put("origin_server_ts", 1000 + depth);
            if (version.eventIdFormat() == RoomVersion.EventIdFormat.SERVER_ASSIGNED) e.put("event_id", "$" + depth + ":example.org");
            if (stateKey != null) e.put("state_key", stateKey);
            e.set("content", JSON.readTree(content));
            ArrayNode prev = e.putArray("prev_events");
            if (last != null) ref(prev, last);
            ArrayNode auth = e.putArray("auth_events");
            for (String k : authKeys) {
                if (k.equals("m.room.create|") && version.roomIdFromCreateEvent()) continue; // v12: implied by room_id
                String id = state.get(k);
                if (id != null) ref(auth, id);
            }
            e.putObject("signatures").putObject("example.org").put("ed25519:a", "c2ln");
            EventHashes.addContentHash(e);
            return e;
        }

        void ref(ArrayNode arr, String id) {
            if (version.eventFormat() == RoomVersion.EventFormat.V1) {
                ArrayNode pair = arr.addArray();
                pair.add(id);
                pair.addObject().put("sha256", "aGFzaA");
            } else {
                arr.add(id);
            }
        }

        /** Create, Alice joins, power levels, public join rules, Bob joins. */
        static Room standard(RoomVersion v) {
            Room r = new Room(v);
            r.send("m.room.create", "", ALICE, v.creatorFromSender() ? "{}" : "{\"creator\":\"" + ALICE + "\"}");
            r.send("m.room.member", ALICE, ALICE, "{\"membership\":\"join\"}", "m.room.create|");
            r.send("m.room.power_levels", "", ALICE, v.privilegedCreators() ? "{}" : "{\"users\":{\"" + ALICE + "\":100}}",
                    "m.room.create|", "m.room.member|" + ALICE);
            r.send("m.room.join_rules", "", ALICE, "{\"join_rule\":\"public\"}",
                    "m.room.create|", "m.room.power_levels|", "m.room.member|" + ALICE);
            r.send("m.room.member", BOB, BOB, "{\"membership\":\"join\"}",
                    "m.room.create|", "m.room.power_levels|", "m.room.join_rules|");
            return r;
        }

        ArrayNode authEventsOf(ObjectNode e) {
            ArrayNode out = JSON.createArrayNode();
            for (var ref : e.get("auth_events")) {
                String id = ref.isArray() ? ref.get(0).stringValue() : ref.stringValue();
                out.add(events.get(id));
            }
            if (version.roomIdFromCreateEvent()) out.add(events.values().iterator().next());
            return out;
        }
    }

    record Run(int exit, String out, String err) {}

    static Run run(String input, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new ProtocolCommand()).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8).strip());
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String authInput(Room room, ObjectNode event) {
        ObjectNode in = JSON.createObjectNode();
        in.set("event", event);
        in.set("auth_events", room.authEventsOf(event));
        return in.toString();
    }

    @Test
    void authAllowsAMessageFromAMemberInEveryRoomVersion() {
        for (RoomVersion v : RoomVersions.all()) {
            Room room = Room.standard(v);
            ObjectNode msg = room.build("m.room.message", null, BOB, "{\"body\":\"hi\"}",
                    "m.room.create|", "m.room.power_levels|", "m.room.member|" + BOB);
            Run r = run(authInput(room, msg), "auth", "--room-version", v.id());
            assertThat(r.out()).as("v" + v.id() + " " + r.err()).isEqualTo("allowed");
            assertThat(r.exit()).isZero();
        }
    }

    @Test
    void authRejectsAStateEventBelowStateDefaultWithTheReason() {
        Room room = Room.standard(RoomVersions.V10);
        ObjectNode topic = room.build("m.room.topic", "", BOB, "{\"topic\":\"t\"}",
                "m.room.create|", "m.room.power_levels|", "m.room.member|" + BOB);
        Run r = run(authInput(room, topic), "auth", "--room-version", "10");
        assertThat(r.out()).startsWith("rejected: ").contains("required power level");
    }

    @Test
    void authFailsWhenANamedAuthEventIsMissing() {
        Room room = Room.standard(RoomVersions.V11);
        ObjectNode msg = room.build("m.room.message", null, BOB, "{\"body\":\"hi\"}",
                "m.room.create|", "m.room.power_levels|", "m.room.member|" + BOB);
        Run r = run("{\"event\":" + msg + ",\"auth_events\":[]}", "auth", "--room-version", "11");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("not supplied");
    }

    @Test
    void authAnswersEachLineWithLinesAndReportsBadInput() {
        Room room = Room.standard(RoomVersions.V12);
        ObjectNode msg = room.build("m.room.message", null, BOB, "{\"body\":\"hi\"}",
                "m.room.power_levels|", "m.room.member|" + BOB);
        String input = authInput(room, msg) + "\n{\"event\": 5}\nnot json\n";
        Run r = run(input, "auth", "--room-version", "12", "--lines");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("allowed");
        assertThat(lines.get(1)).startsWith("error: ");
        assertThat(lines.get(2)).startsWith("error: ");
    }

    @Test
    void resolveKeepsTheDemotionOverAConcurrentKick() {
        for (RoomVersion v : List.of(RoomVersions.V1, RoomVersions.V2, RoomVersions.V11, RoomVersions.V12)) {
            Room room = Room.standard(v);
            String modPl = room.send("m.room.power_levels", "", ALICE,
                    v.privilegedCreators() ? "{\"users\":{\"" + BOB + "\":50}}" : "{\"users\":{\"" + ALICE + "\":100,\"" + BOB + "\":50}}",
                    "m.room.create|", "m.room.power_levels|", "m.room.member|" + ALICE);
            room.send("m.room.member", "@carol:example.org", "@carol:example.org", "{\"membership\":\"join\"}",
                    "m.room.create|", "m.room.power_levels|", "m.room.join_rules|");
            var base = new LinkedHashMap<>(room.state);
            String baseLast = room.last;
            // branch A: Alice demotes Bob
            String demote = room.send("m.room.power_levels", "", ALICE,
                    v.privilegedCreators() ? "{}" : "{\"users\":{\"" + ALICE + "\":100}}",
                    "m.room.create|", "m.room.power_levels|", "m.room.member|" + ALICE);
            var a = new ArrayList<>(room.state.values());
            // branch B: Bob kicks Carol, from the base
            room.state.clear();
            room.state.putAll(base);
            room.last = baseLast;
            room.send("m.room.member", "@carol:example.org", BOB, "{\"membership\":\"leave\"}",
                    "m.room.create|", "m.room.power_levels|", "m.room.member|" + BOB, "m.room.member|@carol:example.org");
            var b = new ArrayList<>(room.state.values());

            ObjectNode in = JSON.createObjectNode();
            ArrayNode sets = in.putArray("state_sets");
            a.forEach(sets.addArray()::add);
            ArrayNode setB = sets.addArray();
            b.forEach(setB::add);
            ObjectNode events = in.putObject("events");
            room.events.forEach(events::set);

            Run r = run(in.toString(), "resolve", "--room-version", v.id());
            assertThat(r.exit()).as("v" + v.id() + " " + r.err()).isZero();
            ArrayNode resolved = (ArrayNode) JSON.readTree(r.out());
            var byKey = new LinkedHashMap<String, String>();
            String previous = "";
            for (var row : resolved) {
                String key = row.get(0).stringValue() + "|" + row.get(1).stringValue();
                assertThat(key).isGreaterThanOrEqualTo(previous);
                previous = key;
                byKey.put(key, row.get(2).stringValue());
            }
            assertThat(byKey.get("m.room.power_levels|")).as("v" + v.id()).isEqualTo(demote);
            assertThat(modPl).isNotEqualTo(demote);
            if (!v.id().equals("1")) {
                assertThat(JSON.readTree(room.events.get(byKey.get("m.room.member|@carol:example.org")).toString())
                        .get("content").get("membership").stringValue()).as("v" + v.id()).isEqualTo("join");
            }
        }
    }

    @Test
    void resolveFailsOnAnUnknownEventOrRoomVersion() {
        Run r = run("{\"state_sets\":[[\"$nope\"]],\"events\":{}}", "resolve", "--room-version", "11");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("$nope");
        Run bad = run("{\"state_sets\":[],\"events\":{}}", "resolve", "--room-version", "99");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("99");
    }
}
