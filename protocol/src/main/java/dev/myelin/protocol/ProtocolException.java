package dev.myelin.protocol;

/**
 * The one kind of error the protocol library throws for bad input: malformed JSON, an invalid identifier, an
 * event of the wrong shape, a bad signature. Its message is a reason a person can read; callers map it to a
 * Matrix error (usually {@code M_BAD_JSON} or {@code M_INVALID_PARAM}) or a rejected event.
 */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String reason) {
        super(reason, null, false, false);
    }

    public ProtocolException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
