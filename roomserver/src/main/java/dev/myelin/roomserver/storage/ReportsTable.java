package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** {@code roomserver_reports}: what local users reported (an event, a room or a user), for the server's admins. */
public final class ReportsTable {
    private ReportsTable() {}

    /** One report; the fields that do not apply are null. */
    public record Report(long receivedTs, String reporter, String roomId, String eventId, String userId, String reason,
                         Long score) {}

    public static void insert(Connection tx, Report r) throws SQLException {
        Sql.update(tx, "INSERT INTO roomserver_reports (received_ts, reporter, room_id, event_id, user_id, reason, score) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", r.receivedTs(), r.reporter(), r.roomId(), r.eventId(), r.userId(),
                r.reason(), r.score());
    }

    public static List<Report> all(Connection c) throws SQLException {
        return Sql.list(c, "SELECT received_ts, reporter, room_id, event_id, user_id, reason, score FROM roomserver_reports "
                + "ORDER BY report_id", rs -> new Report(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getObject(7) == null ? null : rs.getLong(7)));
    }
}
