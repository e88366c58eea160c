package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The child JVM of the kill tests: produces or consumes and reports each committed step on stdout, until the
 * parent kills it. Arguments: mode (produce|consume) streamsSpec producerDb consumerDb stream consumer delayMs.
 * "produce" also runs the consumer when one is named (the embedded shape is one process).
 */
public final class StreamChild {

    private StreamChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String streamsSpec = args[1];
        Database producerDb = StreamTestDatabases.open(args[2]);
        Database consumerDb = StreamTestDatabases.open(args[3]);
        StreamDefinition<Note> stream = Note.stream(args[4]);
        String consumer = args[5];
        Duration delay = Duration.ofMillis(Long.parseLong(args[6]));
        PrintStream out = System.out;
        DurableStreams streams = StreamsFixture.openStreams(streamsSpec, Duration.ofMillis(100));
        StreamHandler<Note> handler = TestApp.applier(consumerDb, delay, position -> report(out, "A " + position));
        switch (mode) {
            case "consume" -> {
                if (streams instanceof InProcessStreams inProcess) {
                    inProcess.declare(stream, producerDb);
                }
                streams.subscribe(stream, consumer, consumerDb, handler);
                report(out, "READY");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "produce" -> {
                StreamProducer<Note> producer = streams.producer(stream, producerDb);
                if (!consumer.equals("-")) {
                    streams.subscribe(stream, consumer, consumerDb, handler);
                }
                report(out, "READY");
                for (long id = 1; ; id++) {
                    TestApp.produce(producerDb, producer, id);
                    report(out, "P " + id);
                    Thread.sleep(delay);
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    private static void report(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
