package dev.myelin.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.KeyRing;
import dev.myelin.protocol.crypto.PduChecks;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.event.EventLimits;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.event.RandomEvents;
import dev.myelin.protocol.event.Redaction;
import dev.myelin.protocol.id.EventId;
import dev.myelin.protocol.id.RoomAlias;
import dev.myelin.protocol.id.RoomId;
import dev.myelin.protocol.id.ServerName;
import dev.myelin.protocol.id.UserId;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.json.RandomJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** No input, however broken, makes the protocol library throw anything but a {@link ProtocolException}. */
class RobustnessProperties {

    private static final SigningKey KEY = SigningKey.of("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));
    private static final KeyRing KEYS = KeyRing.of(Map.of("example.org", Map.of("ed25519:1", VerifyKey.of(KEY))));
    private static final String SYNTAX = "{}[]:,\"\\ 0123456789.eE+-truefalsn\u0000\u001f\u00e9\ud83d\ude00\ud800\u2028";

    /** Runs {@code action}; a {@link ProtocolException} is a fine answer, anything else fails the property. */
    private static <T> T tolerate(Supplier<T> action) {
        try {
            return action.get();
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            return null;
        }
    }

    private static void tolerateRun(Runnable action) {
        tolerate(() -> {
            action.run();
            return null;
        });
    }

    @Property(tries = 400)
    void parsersThrowOnlyProtocolExceptions(@ForAll("jsonish") String text) {
        tolerate(() -> ProtocolJson.parseStrict(text));
        tolerate(() -> ProtocolJson.parseLenient(text));
        tolerate(() -> ProtocolJson.parseStrict(text.getBytes(StandardCharsets.UTF_8)));
        JsonNode tree = tolerate(() -> ProtocolJson.parseLenient(text.getBytes(StandardCharsets.UTF_8)));
        if (tree != null) everythingOn(tree);
    }

    @Property(tries = 300)
    void parsersSurviveArbitraryBytes(@ForAll byte[] bytes) {
        tolerate(() -> ProtocolJson.parseStrict(bytes));
        JsonNode tree = tolerate(() -> ProtocolJson.parseLenient(bytes));
        if (tree != null) everythingOn(tree);
    }

    @Property(tries = 400)
    void mutatedEventsThrowOnlyProtocolExceptions(@ForAll("seeds") long seed) {
        var random = new Random(seed);
        RoomVersion version = RoomVersions.all().get(random.nextInt(RoomVersions.all().size()));
        ObjectNode original = new RandomEvents(random).event(version);
        ObjectNode signed = tolerate(() -> EventSigning.hashAndSign(version, original, "example.org", KEY));
        ObjectNode event = signed != null ? signed : original;
        String text = CanonicalJson.encodeToString(event);
        var mutated = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && !mutated.isEmpty(); i++) {
            int at = random.nextInt(mutated.length());
            switch (random.nextInt(3)) {
                case 0 -> mutated.deleteCharAt(at);
                case 1 -> mutated.insert(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                default -> mutated.setCharAt(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
            }
        }
        JsonNode tree = tolerate(() -> ProtocolJson.parse(version, mutated.toString()));
        if (tree != null) everythingOn(tree);
    }

    @Property(tries = 300)
    void randomTreesInEventShapesThrowOnlyProtocolExceptions(@ForAll("seeds") long seed) {
        var random = new Random(seed);
        var json = new RandomJson(random, true);
        RoomVersion version = RoomVersions.all().get(random.nextInt(RoomVersions.all().size()));
        ObjectNode event = new RandomEvents(random).event(version);
        // replace some fields by random values of any type
        String[] fields = {"type", "sender", "content", "event_id", "room_id", "signatures", "hashes", "state_key",
            "origin_server_ts", "prev_events", "auth_events", "depth"};
        for (int i = random.nextInt(4); i > 0; i--) event.set(fields[random.nextInt(fields.length)], json.value(2));
        if (random.nextBoolean()) {
            ObjectNode content = event.get("content") instanceof ObjectNode c ? c : event.putObject("content");
            content.set("membership", random.nextBoolean() ? json.value(1) : content.stringNode("join"));
            content.set("join_authorised_via_users_server", json.value(1));
            if (random.nextBoolean()) content.set("third_party_invite", json.value(2));
            event.put("type", "m.room.member");
        }
        everythingOn(event);
    }

    @Property(tries = 500)
    void identifierParsersThrowOnlyProtocolExceptions(@ForAll("identifiers") String id) {
        tolerate(() -> UserId.parse(id));
        tolerate(() -> UserId.parseNew(id));
        tolerate(() -> RoomId.parse(id));
        tolerate(() -> EventId.parse(id));
        tolerate(() -> RoomAlias.parse(id));
        tolerate(() -> ServerName.parse(id));
        for (RoomVersion v : RoomVersions.all()) {
            tolerate(() -> EventId.parse(v, id));
            tolerate(() -> RoomId.parse(v, id));
        }
        ServerName server = tolerate(() -> ServerName.parse(id));
        if (server != null) {
            server.host();
            server.port();
            server.isIpLiteral();
        }
    }

    private static void everythingOn(JsonNode tree) {
        tolerate(() -> CanonicalJson.encode(tree));
        tolerateRun(() -> ProtocolJson.requireStrict(tree));
        if (!(tree instanceof ObjectNode event)) return;
        tolerate(() -> CanonicalJson.encodeWithout(event, "signatures", "unsigned"));
        tolerate(() -> EventHashes.contentHash(event));
        tolerate(() -> EventHashes.contentHashMatches(event));
        tolerateRun(() -> EventLimits.check(event));
        tolerateRun(() -> SignedJson.verify(event, "example.org", KEYS, 0));
        tolerate(() -> SignedJson.sign(event, "example.org", KEY));
        for (RoomVersion v : RoomVersions.all()) {
            tolerate(() -> Redaction.redact(v, event));
            String eventId = tolerate(() -> EventIds.eventId(v, event));
            tolerate(() -> EventIds.roomIdOfCreateEvent(v, event));
            tolerate(() -> EventSigning.requiredSigners(v, event));
            tolerateRun(() -> EventSigning.verify(v, event, KEYS));
            tolerate(() -> PduChecks.check(v, event, KEYS));
            tolerate(() -> EventSigning.hashAndSign(v, event, "example.org", KEY));
            if (eventId != null) tolerate(() -> Pdu.parse(v, eventId, event));
        }
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> syntax = Arbitraries.strings().withChars(SYNTAX.toCharArray()).ofMaxLength(60);
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<String> deep = Arbitraries.integers().between(90, 3000).map(n -> "[".repeat(n) + "]".repeat(n));
        Arbitrary<String> numbers = Arbitraries.of("[1e999]", "[-1e999]", "[123456789012345678901234567890123]",
                "[9007199254740993]", "{\"a\":1.5e300}", "[0.000001]", "[-0]", "[1E-400]");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, syntax), net.jqwik.api.Tuple.of(2, anything),
                net.jqwik.api.Tuple.of(1, deep), net.jqwik.api.Tuple.of(1, numbers));
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<String> identifiers() {
        Arbitrary<String> sigil = Arbitraries.of("@", "!", "$", "#", "", "[");
        Arbitrary<String> body = Arbitraries.strings()
                .withChars("abcXYZ019:._=-/+[]\u0000 \u00e9\ud83d\ude00\ud800".toCharArray()).ofMaxLength(300);
        return net.jqwik.api.Combinators.combine(sigil, body).as(String::concat);
    }
}
