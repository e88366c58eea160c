package dev.myelin.platform.stream;

/** Turns a stream message into the bytes stored in an outbox row or a NATS message, and back. */
public interface StreamCodec<M> {

    byte[] encode(M message);

    /** Throws {@link StreamException} when the bytes are not a message of this stream. */
    M decode(byte[] bytes);
}
