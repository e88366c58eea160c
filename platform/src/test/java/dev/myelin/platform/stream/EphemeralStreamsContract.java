package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** What both ephemeral shapes do: fan-out to current listeners, in order, nothing stored. */
abstract class EphemeralStreamsContract {

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Two handles on one ephemeral bus (two "processes" in the distributed shape). */
    protected abstract EphemeralStreams first();

    protected abstract EphemeralStreams second();

    private static StreamDefinition<Note> typing() {
        return Note.stream("typing" + NAMES.incrementAndGet());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void everyListenerGetsEveryMessageInPublishOrder() throws Exception {
        StreamDefinition<Note> typing = typing();
        List<String> a = new CopyOnWriteArrayList<>();
        List<String> b = new CopyOnWriteArrayList<>();
        try (var ra = first().listen(typing, (key, n) -> a.add(key + "#" + n.id()));
             var rb = second().listen(typing, (key, n) -> b.add(key + "#" + n.id()))) {
            Thread.sleep(100); // why: core NATS subscriptions become active asynchronously
            for (long i = 1; i <= 50; i++) {
                first().publish(typing, "!r:x", new Note(i, "!r:x"));
            }
            await(() -> a.size() == 50 && b.size() == 50);
        }
        List<String> expected = java.util.stream.LongStream.rangeClosed(1, 50).mapToObj(i -> "!r:x#" + i).toList();
        assertThat(a).containsExactlyElementsOf(expected);
        assertThat(b).containsExactlyElementsOf(expected);
    }

    @Test
    void aClosedListenerHearsNothingMoreAndAFailingListenerDoesNotStopOthers() throws Exception {
        StreamDefinition<Note> typing = typing();
        List<Long> closed = new CopyOnWriteArrayList<>();
        List<Long> kept = new CopyOnWriteArrayList<>();
        var failing = second().listen(typing, (key, n) -> {
            throw new IllegalStateException("listener bug");
        });
        var toClose = second().listen(typing, (key, n) -> closed.add(n.id()));
        try (var keep = second().listen(typing, (key, n) -> kept.add(n.id()))) {
            Thread.sleep(100);
            first().publish(typing, "k", new Note(1, "k"));
            await(() -> kept.size() == 1 && closed.size() == 1);
            toClose.close();
            failing.close();
            first().publish(typing, "k", new Note(2, "k"));
            await(() -> kept.size() == 2);
            Thread.sleep(100);
        }
        assertThat(kept).containsExactly(1L, 2L);
        assertThat(closed).containsExactly(1L);
    }

    @Test
    void publishingWithoutListenersStoresNothing() throws Exception {
        StreamDefinition<Note> typing = typing();
        first().publish(typing, "k", new Note(1, "k"));
        Thread.sleep(200); // why: core NATS sends publishes asynchronously; let this one reach the server first
        List<Long> late = new CopyOnWriteArrayList<>();
        try (var r = second().listen(typing, (key, n) -> late.add(n.id()))) {
            Thread.sleep(100);
            first().publish(typing, "k", new Note(2, "k"));
            await(() -> !late.isEmpty());
            Thread.sleep(100);
        }
        assertThat(late).containsExactly(2L);
    }
}
