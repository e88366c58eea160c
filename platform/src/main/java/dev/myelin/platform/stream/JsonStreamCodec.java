package dev.myelin.platform.stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** A {@link StreamCodec} that stores messages (records or plain classes) as JSON through Jackson. */
public final class JsonStreamCodec<M> implements StreamCodec<M> {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final Class<M> type;

    private JsonStreamCodec(Class<M> type) {
        this.type = type;
    }

    public static <M> JsonStreamCodec<M> of(Class<M> type) {
        return new JsonStreamCodec<>(type);
    }

    /** Two codecs of one type are the same codec. */
    @Override
    public boolean equals(Object o) {
        return o instanceof JsonStreamCodec<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public byte[] encode(M message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JacksonException e) {
            throw new StreamException("cannot encode " + type.getSimpleName() + " as JSON", e);
        }
    }

    @Override
    public M decode(byte[] bytes) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (JacksonException e) {
            throw new StreamException("stream message is not a valid " + type.getSimpleName(), e);
        }
    }
}
