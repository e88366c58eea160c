package dev.myelin.platform.stream;

import io.nats.client.Dispatcher;
import io.nats.client.impl.Headers;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ephemeral streams of the distributed shape: core NATS publish/subscribe on {@code <prefix>.ephemeral.<stream>}
 * (no JetStream, nothing stored); each listener gets its own dispatcher, which delivers in order.
 */
public final class NatsEphemeralStreams implements EphemeralStreams {

    private static final Logger LOG = LoggerFactory.getLogger(NatsEphemeralStreams.class);
    private static final String KEY_HEADER = "Myelin-Key";

    private final io.nats.client.Connection nats;
    private final NatsNames names;
    private final List<Dispatcher> dispatchers = new CopyOnWriteArrayList<>();

    /** {@code nats}: a connection this object uses but does not close. */
    public NatsEphemeralStreams(io.nats.client.Connection nats, NatsNames names) {
        this.nats = Objects.requireNonNull(nats);
        this.names = Objects.requireNonNull(names);
    }

    @Override
    public <M> void publish(StreamDefinition<M> stream, String key, M message) {
        Headers headers = new Headers().put(KEY_HEADER, URLEncoder.encode(key, StandardCharsets.UTF_8));
        nats.publish(names.ephemeralSubject(stream), headers, stream.codec().encode(message));
    }

    @Override
    public <M> Registration listen(StreamDefinition<M> stream, Listener<M> listener) {
        Dispatcher dispatcher = nats.createDispatcher(msg -> {
            try {
                String key = URLDecoder.decode(msg.getHeaders().getFirst(KEY_HEADER), StandardCharsets.UTF_8);
                listener.onMessage(key, stream.codec().decode(msg.getData()));
            } catch (RuntimeException e) {
                LOG.warn("ephemeral stream {}: dropping a message that failed", stream.name(), e);
            }
        });
        dispatcher.subscribe(names.ephemeralSubject(stream));
        dispatchers.add(dispatcher);
        return () -> {
            if (dispatchers.remove(dispatcher)) {
                nats.closeDispatcher(dispatcher);
            }
        };
    }

    @Override
    public void close() {
        for (Dispatcher d : dispatchers) {
            nats.closeDispatcher(d);
        }
        dispatchers.clear();
    }
}
