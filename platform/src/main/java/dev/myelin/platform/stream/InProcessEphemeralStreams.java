package dev.myelin.platform.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ephemeral streams of the embedded shape: each listener has its own queue drained by one virtual thread, so a
 * publisher never waits for a slow listener and each listener sees messages in publish order.
 */
public final class InProcessEphemeralStreams implements EphemeralStreams {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessEphemeralStreams.class);

    /** One listener and the executor that serialises its deliveries. */
    private record Entry(Listener<Object> listener, ExecutorService executor, String stream)
            implements Registration {
        void deliver(String key, Object message) {
            try {
                executor.execute(() -> {
                    try {
                        listener.onMessage(key, message);
                    } catch (RuntimeException e) {
                        LOG.warn("ephemeral stream {}: a listener failed", stream, e);
                    }
                });
            } catch (RejectedExecutionException closing) {
                // why: the listener closed while this message was being published; it no longer wants it.
            }
        }

        @Override
        public void close() {
            executor.shutdown();
        }
    }

    private final Map<String, List<Entry>> listeners = new ConcurrentHashMap<>();

    @Override
    public <M> void publish(StreamDefinition<M> stream, String key, M message) {
        for (Entry e : listeners.getOrDefault(stream.name(), List.of())) {
            e.deliver(key, message);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <M> Registration listen(StreamDefinition<M> stream, Listener<M> listener) {
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("ephemeral-" + stream.name()).factory());
        Entry entry = new Entry((Listener<Object>) listener, executor, stream.name());
        List<Entry> list = listeners.computeIfAbsent(stream.name(), n -> new CopyOnWriteArrayList<>());
        list.add(entry);
        return () -> {
            list.remove(entry);
            entry.close();
        };
    }

    @Override
    public void close() {
        listeners.values().forEach(list -> list.forEach(Entry::close));
        listeners.clear();
    }
}
