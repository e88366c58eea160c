package dev.myelin.userapi.internal;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.ServerName;
import dev.myelin.protocol.id.UserId;

/**
 * The rule for the localpart of a new local user (https://spec.matrix.org/v1.19/appendices/#user-identifiers),
 * as the protocol module's strict {@link UserId} grammar states it, turned into the client error
 * {@code M_INVALID_USERNAME}.
 */
public final class Localparts {
    private Localparts() {}

    /** Throws 400 M_INVALID_USERNAME unless {@code localpart} may name a new user on {@code serverName}. */
    public static void checkNew(String localpart, String serverName) {
        if (localpart == null || !UserId.isStrictLocalpart(localpart)) {
            throw new MatrixException("M_INVALID_USERNAME", "A username may contain only a-z, 0-9 and . _ = - / +", 400);
        }
        try {
            new UserId(localpart, ServerName.parse(serverName));
        } catch (ProtocolException e) {
            throw new MatrixException("M_INVALID_USERNAME", "The user ID would be too long: " + e.getMessage(), 400);
        }
    }
}
