package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;

/**
 * A room alias, {@code #localpart:domain} (appendices, "Room Aliases"): any non-surrogate code point but {@code :}
 * and NUL in the localpart, at most 255 bytes in all.
 *
 * @param localpart the part between {@code #} and the first {@code :}
 * @param server    the server that hosts the alias
 */
public record RoomAlias(String localpart, ServerName server) {

    private static final String KIND = "room alias";

    public RoomAlias {
        if (localpart == null || server == null) throw new ProtocolException("a room alias needs a localpart and a server");
        if (localpart.indexOf(':') >= 0) throw new ProtocolException("a room alias localpart cannot contain ':'");
        IdGrammar.checkOpaqueLocalpart(KIND, localpart, 0, localpart.length());
        IdGrammar.checkLength(KIND, "#" + localpart + ":" + server.value());
    }

    public static RoomAlias parse(String alias) {
        IdGrammar.checkSigil(KIND, alias, '#');
        IdGrammar.checkLength(KIND, alias);
        int colon = IdGrammar.domainColon(KIND, alias);
        return new RoomAlias(alias.substring(1, colon), IdGrammar.domain(KIND, alias, colon));
    }

    @Override
    public String toString() {
        return "#" + localpart + ":" + server.value();
    }
}
