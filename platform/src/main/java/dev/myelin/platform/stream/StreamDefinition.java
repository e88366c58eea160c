package dev.myelin.platform.stream;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named stream and the type of its messages, e.g. {@code OutputRoomEvent}. Used for durable streams and for
 * ephemeral ones alike; the name is also a NATS subject token and part of a JetStream stream name, so it is
 * restricted to letters, digits, '_' and '-'.
 */
public record StreamDefinition<M>(String name, StreamCodec<M> codec) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public StreamDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(codec, "codec");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stream name must match [A-Za-z0-9_-]{1,64}: " + name);
        }
    }

    /** A stream whose messages are the JSON form of {@code type} (Jackson). */
    public static <M> StreamDefinition<M> json(String name, Class<M> type) {
        return new StreamDefinition<>(name, JsonStreamCodec.of(type));
    }
}
