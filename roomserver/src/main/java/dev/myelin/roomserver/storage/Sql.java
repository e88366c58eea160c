package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The few JDBC shapes the roomserver's tables repeat: run an update, read one long, read one optional row. */
final class Sql {
    private Sql() {}

    /** A row mapper that may throw SQLException. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    static PreparedStatement bind(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setLong(i + 1, n);
                case Boolean b -> ps.setBoolean(i + 1, b);
                case String s -> ps.setString(i + 1, s);
                // why: an untyped NULL, so PostgreSQL infers the column's type (a VARCHAR null cannot go into BIGINT)
                case null -> ps.setNull(i + 1, java.sql.Types.NULL);
                default -> throw new IllegalArgumentException("unsupported parameter " + a.getClass());
            }
        }
        return ps;
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
        }
    }

    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.map(rs));
            return out;
        }
    }

    /** Runs an INSERT … RETURNING of one generated long. */
    static long insertReturning(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c, sql, args); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new SQLException("INSERT … RETURNING returned no row: " + sql);
            return rs.getLong(1);
        }
    }

    static String joinLongs(List<Long> values) {
        StringBuilder sb = new StringBuilder();
        for (Long v : values) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(v);
        }
        return sb.toString();
    }

    static List<Long> splitLongs(String text) {
        List<Long> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        for (String part : text.split(",")) out.add(Long.parseLong(part));
        return out;
    }
}
