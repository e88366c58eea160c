package dev.myelin.bench.protocol;

import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.stateres.StateResolution;
import dev.myelin.protocol.stateres.SyntheticRoom;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * State resolution of two forks of a generated room ({@link SyntheticRoom}): each fork adds {@code events / 2}
 * state events (topics, custom state, joins, leaves, kicks, bans, power level changes), so the full conflicted set
 * (conflicted state plus auth difference) holds about {@code events} events. Room version 11 runs v2, 12 runs v2.1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StateResolutionBenchmark {

    @Param({"100", "1000", "10000"})
    public int events;

    @Param({"11", "12"})
    public String roomVersion;

    private SyntheticRoom room;
    private AuthRules rules;

    @Setup
    public void setUp() {
        room = SyntheticRoom.generate(RoomVersions.get(roomVersion), events / 2, 2, 42L);
        rules = AuthRules.standard();
        var sets = room.stateSets();
        var keys = new HashSet<StateKey>();
        sets.forEach(set -> keys.addAll(set.keySet()));
        long conflicted = keys.stream().filter(k -> sets.stream().map(s -> s.get(k)).distinct().count() > 1).count();
        System.out.printf("%n[setup] room version %s: %d events generated, %d conflicted state keys%n",
                roomVersion, room.events().size(), conflicted);
    }

    @Benchmark
    public Map<StateKey, String> resolve() {
        return StateResolution.resolve(room.version(), room.stateSets(), room.lookup(), rules);
    }
}
