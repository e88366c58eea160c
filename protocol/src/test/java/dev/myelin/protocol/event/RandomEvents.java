package dev.myelin.protocol.event;

import dev.myelin.protocol.json.RandomJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Random events in federation format, with the keys each redaction algorithm treats specially. */
public final class RandomEvents {

    private static final List<String> TYPES = List.of(Pdu.MEMBER, Pdu.CREATE, Pdu.JOIN_RULES, Pdu.POWER_LEVELS,
            Pdu.ALIASES, Pdu.HISTORY_VISIBILITY, Pdu.REDACTION, "m.room.message", "m.room.name", "org.example.x");
    private static final List<String> CONTENT_KEYS = List.of("membership", "join_authorised_via_users_server",
            "third_party_invite", "creator", "room_version", "m.federate", "join_rule", "allow", "ban", "events",
            "events_default", "invite", "kick", "redact", "state_default", "users", "users_default", "notifications",
            "aliases", "history_visibility", "redacts", "body", "displayname");
    private static final List<String> TOP_KEYS = List.of("origin", "membership", "prev_state", "unsigned", "age_ts",
            "redacts", "hashes", "signatures", "state_key", "depth", "other", "age");

    private final Random random;

    public RandomEvents(Random random) {
        this.random = random;
    }

    public ObjectNode event(RoomVersion version) {
        var json = new RandomJson(random, !version.strictCanonicalJson());
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", TYPES.get(random.nextInt(TYPES.size())));
        e.put("sender", "@u" + random.nextInt(100) + ":example.org");
        e.put("room_id", "!room:example.org");
        e.put("origin_server_ts", 1_700_000_000_000L + random.nextInt(1_000_000));
        e.put("depth", random.nextInt(1000));
        if (version.eventFormat() == EventFormat.V1) {
            e.put("event_id", "$" + random.nextInt(1_000_000) + ":example.org");
            e.putArray("prev_events").addArray().add("$p:example.org").addObject().put("sha256", "abc");
            e.putArray("auth_events");
        } else {
            e.putArray("prev_events").add("$prev" + random.nextInt(10));
            e.putArray("auth_events").add("$auth" + random.nextInt(10));
        }
        ObjectNode content = e.putObject("content");
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            String key = CONTENT_KEYS.get(random.nextInt(CONTENT_KEYS.size()));
            if (key.equals("third_party_invite") && random.nextBoolean()) {
                ObjectNode tpi = content.putObject(key);
                tpi.put("display_name", "x");
                if (random.nextBoolean()) tpi.set("signed", json.object(2));
            } else {
                content.set(key, json.value(2));
            }
        }
        if (random.nextInt(4) == 0) content.set(json.string(), json.value(2));
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            String key = TOP_KEYS.get(random.nextInt(TOP_KEYS.size()));
            e.set(key, key.equals("state_key") ? JsonNodeFactory.instance.stringNode(json.string()) : json.value(2));
        }
        return e;
    }
}
