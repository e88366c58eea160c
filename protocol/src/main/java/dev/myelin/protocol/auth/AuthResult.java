package dev.myelin.protocol.auth;

/** The outcome of the authorisation rules for one event: allowed, or rejected with the reason (the rule that failed). */
public sealed interface AuthResult {

    Allowed ALLOWED = new Allowed();

    static AuthResult allowed() {
        return ALLOWED;
    }

    static AuthResult rejected(String reason) {
        return new Rejected(reason);
    }

    default boolean isAllowed() {
        return this instanceof Allowed;
    }

    /** The event passes the authorisation rules. */
    record Allowed() implements AuthResult {}

    /** The event fails the authorisation rules; {@code reason} names the rule. */
    record Rejected(String reason) implements AuthResult {}
}
