package dev.myelin.server;

/** Start-up cannot go on; the message is the one line the operator reads (no stack trace is shown). */
public final class StartupFailure extends Exception {
    public StartupFailure(String message) {
        super(message, null, false, false);
    }

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
