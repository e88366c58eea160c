package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;

/**
 * A user ID, {@code @localpart:domain} (appendices, "User Identifiers"). {@link #parse} accepts the historical
 * grammar that events over federation may carry (any non-surrogate code point but {@code :} and NUL, even an
 * empty localpart); {@link #parseNew} is the strict grammar for users this server creates.
 *
 * @param localpart the part between {@code @} and the first {@code :}
 * @param server    the server that allocated the ID
 */
public record UserId(String localpart, ServerName server) {

    private static final String KIND = "user ID";

    public UserId {
        if (localpart == null || server == null) throw new ProtocolException("a user ID needs a localpart and a server");
        if (localpart.indexOf(':') >= 0) throw new ProtocolException("a user ID localpart cannot contain ':'");
        IdGrammar.checkOpaqueLocalpart(KIND, localpart, 0, localpart.length());
        IdGrammar.checkLength(KIND, "@" + localpart + ":" + server.value());
    }

    /** Parses a user ID by the historical grammar (what remote servers may send). */
    public static UserId parse(String id) {
        IdGrammar.checkSigil(KIND, id, '@');
        IdGrammar.checkLength(KIND, id);
        int colon = IdGrammar.domainColon(KIND, id);
        IdGrammar.checkOpaqueLocalpart(KIND, id, 1, colon);
        return new UserId(id.substring(1, colon), IdGrammar.domain(KIND, id, colon));
    }

    /** Parses a user ID by the current grammar, {@code [a-z0-9._=\-/+]+}, required of IDs for new users. */
    public static UserId parseNew(String id) {
        UserId user = parse(id);
        if (!user.hasStrictLocalpart()) {
            throw new ProtocolException("user ID localpart may only contain a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
        }
        return user;
    }

    /** Whether {@code localpart} is allowed for a new user: non-empty, only {@code [a-z0-9._=\-/+]}. */
    public static boolean isStrictLocalpart(String localpart) {
        if (localpart.isEmpty()) return false;
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
            if (!ok) return false;
        }
        return true;
    }

    /** Whether this ID follows the current grammar. */
    public boolean hasStrictLocalpart() {
        return isStrictLocalpart(localpart);
    }

    /**
     * Whether this ID is compliant in the spec's sense: a non-empty localpart of U+0021–U+007E only. Non-compliant
     * IDs are accepted in events but should not be forwarded to clients outside of events.
     */
    public boolean isCompliant() {
        if (localpart.isEmpty()) return false;
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            if (c < 0x21 || c > 0x7E) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "@" + localpart + ":" + server.value();
    }
}
