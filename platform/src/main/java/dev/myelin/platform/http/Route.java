package dev.myelin.platform.http;

/**
 * One endpoint: reads what it needs from the call, does the work (blocking is fine: it runs on a virtual
 * thread), and returns the reply. Errors are thrown as {@link MatrixException}; anything else becomes a 500.
 */
@FunctionalInterface
public interface Route {
    Reply handle(HttpCall call) throws MatrixException;
}
