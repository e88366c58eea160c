package dev.myelin.roomserver.internal;

import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Whether an accepted redaction changes its target, checked when both are stored, in whichever order they
 * arrived. Room versions 1 and 2 decide in the auth rules (the redaction's event ID domain against the target's,
 * or the power to redact). From version 3 the auth rules cannot (the target may be unknown), so a redaction
 * applies only when its sender's server is the target sender's, or its sender had the {@code redact} power level
 * in the state before the redaction (https://spec.matrix.org/v1.19/rooms/v3/#handling-redactions).
 */
final class RedactionRule {
    private final RoomGraph graph;

    RedactionRule(RoomGraph graph) {
        this.graph = graph;
    }

    /**
     * @param before the state before the redaction event (passed in, not loaded: within a batch it may not be
     *               committed yet, and the snapshot cache holds only committed ones)
     */
    boolean applies(Connection c, RoomInfo room, Pdu redaction, Pdu target, Snapshot before) throws SQLException {
        if (room.version().eventIdFormat() == RoomVersion.EventIdFormat.SERVER_ASSIGNED) return true;
        if (redaction.senderServer().equals(target.senderServer())) return true;
        Long power = before.eventNid(new StateKey(Pdu.POWER_LEVELS, ""));
        Long create = before.eventNid(new StateKey(Pdu.CREATE, ""));
        PowerLevels levels = PowerLevels.of(room.version(),
                power == null ? null : graph.event(c, power).effectivePdu(),
                create == null ? null : graph.event(c, create).effectivePdu());
        return levels.userLevel(redaction.sender()) >= levels.redact();
    }
}
