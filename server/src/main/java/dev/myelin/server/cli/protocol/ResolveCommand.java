package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.protocol.stateres.StateResolution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code myelin protocol resolve}: state resolution of the room version. Input
 * {@code {"state_sets": [[event_id…]…], "events": {event_id: PDU}}} ({@code events} holds the states' events and
 * their auth chains; each event's ID is its key); answer the resolved state as a JSON array of
 * {@code [type, state_key, event_id]}, sorted by type then state key.
 */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = "Resolve state: {\"state_sets\": [[event_id...]...], \"events\": {event_id: PDU}} -> [[type, state_key, event_id]...]")
final class ResolveCommand extends LineCommand {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--room-version", required = true, description = "The room version (1-12).")
    String roomVersion;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            RoomVersion version = RoomVersions.get(roomVersion);
            JsonNode root = ProtocolJson.parse(version, input);
            if (!(root.get("events") instanceof ObjectNode eventsJson)) throw new CaseFailure("events must be an object");
            JsonNode setsJson = root.get("state_sets");
            if (setsJson == null || !setsJson.isArray()) throw new CaseFailure("state_sets must be an array");
            // why: parse lazily, so an event the algorithm never reads cannot fail the whole resolution
            var parsed = new HashMap<String, Pdu>();
            var sets = new ArrayList<Map<StateKey, String>>();
            for (JsonNode setJson : setsJson) {
                if (!setJson.isArray()) throw new CaseFailure("each state set must be an array of event IDs");
                var set = new HashMap<StateKey, String>();
                for (JsonNode idNode : setJson) {
                    if (!idNode.isString()) throw new CaseFailure("state sets hold event IDs (strings)");
                    String id = idNode.stringValue();
                    Pdu e = event(version, eventsJson, parsed, id);
                    if (e == null) throw new CaseFailure("event " + id + " of a state set is not in events");
                    if (!e.isState()) throw new CaseFailure("event " + id + " of a state set is not a state event");
                    String previous = set.put(StateKey.of(e.type(), e.stateKey()), id);
                    if (previous != null && !previous.equals(id)) {
                        throw new CaseFailure("a state set holds two events for (" + e.type() + ", " + e.stateKey() + ")");
                    }
                }
                sets.add(set);
            }
            Map<StateKey, String> resolved = StateResolution.resolve(version, sets,
                    id -> event(version, eventsJson, parsed, id), AuthRules.standard());
            ArrayNode out = JSON.createArrayNode();
            for (Map.Entry<StateKey, String> e : new TreeMap<>(resolved).entrySet()) {
                out.addArray().add(e.getKey().type()).add(e.getKey().stateKey()).add(e.getValue());
            }
            return JSON.writeValueAsString(out);
        } catch (ProtocolException | JacksonException e) {
            throw new CaseFailure(e.getMessage());
        }
    }

    private static Pdu event(RoomVersion version, ObjectNode eventsJson, Map<String, Pdu> parsed, String id) {
        Pdu e = parsed.get(id);
        if (e != null) return e;
        JsonNode json = eventsJson.get(id);
        if (json == null) return null;
        if (!(json instanceof ObjectNode obj)) throw new ProtocolException("event " + id + " must be an object");
        e = Pdu.parse(version, id, obj);
        parsed.put(id, e);
        return e;
    }
}
