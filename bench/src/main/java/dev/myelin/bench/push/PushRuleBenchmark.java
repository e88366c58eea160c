package dev.myelin.bench.push;

import dev.myelin.userapi.internal.PushRuleEvaluator;
import dev.myelin.userapi.internal.PushRules;
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
 * The per-member cost of push rule evaluation (it runs for every local member of a room on every event): the spec's
 * default rules, compiled once, against a plain group message (falls through every override to
 * {@code .m.rule.message}) and against a user mention (matches early).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PushRuleBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PushRuleEvaluator rules;
    private PushRuleEvaluator.RoomContext room;
    private ObjectNode message;
    private ObjectNode mention;

    @Setup
    public void setUp() {
        rules = PushRuleEvaluator.compile(PushRules.defaults("@bob:bench.example.org"));
        room = new PushRuleEvaluator.RoomContext(300, "Bob", 0, key -> 50);
        message = (ObjectNode) JSON.readTree("""
                {"type":"m.room.message","room_id":"!r:bench.example.org","sender":"@alice:bench.example.org",
                 "content":{"msgtype":"m.text","body":"Benchmarks measure what users feel: latency, throughput, memory."}}""");
        mention = (ObjectNode) JSON.readTree("""
                {"type":"m.room.message","room_id":"!r:bench.example.org","sender":"@alice:bench.example.org",
                 "content":{"msgtype":"m.text","body":"bob: look","m.mentions":{"user_ids":["@bob:bench.example.org"]}}}""");
    }

    @Benchmark
    public Object plainMessage() {
        return rules.evaluate(message, room);
    }

    @Benchmark
    public Object userMention() {
        return rules.evaluate(mention, room);
    }
}
