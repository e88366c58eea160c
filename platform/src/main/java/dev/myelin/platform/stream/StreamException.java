package dev.myelin.platform.stream;

/** A failure of the stream layer itself (storage, NATS, a message that cannot be decoded). */
public class StreamException extends RuntimeException {

    public StreamException(String message) {
        super(message);
    }

    public StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
