package dev.myelin.bench.protocol;

import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.KeyRing;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The per-event work of the protocol library on one thread: canonical JSON, content hash, event ID, signing and
 * verifying a typical signed message event (about 700 bytes) of room version 12.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EventBenchmarks {

    private static final RoomVersion VERSION = RoomVersions.V12;
    private static final String SERVER = "bench.example.org";

    private SigningKey key;
    private KeyRing keyRing;
    private ObjectNode unsigned;
    private ObjectNode signed;

    @Setup
    public void setUp() {
        key = SigningKey.generate(new SecureRandom());
        keyRing = KeyRing.of(Map.of(SERVER, Map.of(key.keyId(), VerifyKey.of(key))));
        unsigned = (ObjectNode) JsonMapper.builder().build().readTree("""
                {"room_id":"!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM","sender":"@alice:bench.example.org",
                 "type":"m.room.message","origin_server_ts":1763776800000,"depth":4217,
                 "prev_events":["$Nq2kBNfYZpXM_n7G1sq3RRbWaZn3XHfQ0rNcEJN8Pq4"],
                 "auth_events":["$Wb1FdRrPZBjjlY3Mw4sCtqFxbq8Nn5rKF0aG9XhN4EM","$5Ny7gXJ5Hn3HUBbbrWGbmv2aEK9WBVWHnl3r1ItHl1s",
                                "$cYy2wXD3mYjzA8Bv6sX1zyw-AGZsmPuTyrpLQPpRZ7E"],
                 "content":{"msgtype":"m.text","body":"Benchmarks measure what users feel: latency, throughput, memory. ✓ 🚀",
                   "format":"org.matrix.custom.html",
                   "formatted_body":"<p>Benchmarks measure what users feel: <b>latency</b>, <i>throughput</i>, memory. ✓ 🚀</p>",
                   "m.mentions":{"user_ids":["@bob:bench.example.org"]}},
                 "unsigned":{"age_ts":1763776800000}}""");
        signed = EventSigning.hashAndSign(VERSION, unsigned.deepCopy(), SERVER, key);
    }

    @Benchmark
    public byte[] canonicalJsonEncode() {
        return CanonicalJson.encode(signed);
    }

    @Benchmark
    public byte[] contentHash() {
        return EventHashes.contentHash(signed);
    }

    @Benchmark
    public String eventId() {
        return EventIds.eventId(VERSION, signed);
    }

    @Benchmark
    public ObjectNode hashAndSign() {
        return EventSigning.hashAndSign(VERSION, unsigned.deepCopy(), SERVER, key);
    }

    @Benchmark
    public ObjectNode verify() {
        EventSigning.verify(VERSION, signed, keyRing);
        return signed;
    }
}
