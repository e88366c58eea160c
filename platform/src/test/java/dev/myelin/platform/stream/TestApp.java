package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A tiny producer and consumer application for the stream tests: the producer inserts into {@code produced}
 * and appends a {@link Note} in the same transaction; the consumer inserts into {@code applied} (no unique key,
 * so a double apply shows) and records the position in the same transaction.
 */
final class TestApp {

    private TestApp() {
    }

    static void createTables(Database producerDb, Database consumerDb) {
        producerDb.write(tx -> {
            exec(tx, "CREATE TABLE IF NOT EXISTS produced (id BIGINT NOT NULL PRIMARY KEY)");
            return null;
        });
        consumerDb.write(tx -> {
            exec(tx, "CREATE TABLE IF NOT EXISTS applied (id BIGINT NOT NULL, msg_key TEXT NOT NULL, "
                    + "position BIGINT NOT NULL)");
            return null;
        });
    }

    static void exec(Connection tx, String sql) throws SQLException {
        try (Statement st = tx.createStatement()) {
            st.execute(sql);
        }
    }

    static String keyOf(long id) {
        return "!room" + (id % 3) + ":example.org";
    }

    /** One producer transaction: the change and its stream message. */
    static long produce(Database producerDb, StreamProducer<Note> producer, long id) {
        return producerDb.write(tx -> {
            try (PreparedStatement ps = tx.prepareStatement("INSERT INTO produced (id) VALUES (?)")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return producer.append(tx, keyOf(id), new Note(id, keyOf(id)));
        });
    }

    /** The idempotent consumer; {@code afterCommit} hears each applied position once its transaction committed. */
    static StreamHandler<Note> applier(Database consumerDb, Duration delay, LongConsumer afterCommit) {
        StreamHandler<Note> apply = StreamHandler.transactional(consumerDb, (tx, d) -> {
            if (!delay.isZero()) {
                Wakeup.sleep(delay);
            }
            try (PreparedStatement ps = tx.prepareStatement(
                    "INSERT INTO applied (id, msg_key, position) VALUES (?, ?, ?)")) {
                ps.setLong(1, d.message().id());
                ps.setString(2, d.key());
                ps.setLong(3, d.position());
                ps.executeUpdate();
            }
        });
        return d -> {
            apply.handle(d);
            afterCommit.accept(d.position());
        };
    }

    static List<Long> ids(Database db, String sql) {
        return db.read(c -> {
            List<Long> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
    }

    static long count(Database db, String sql) {
        return ids(db, sql).getFirst();
    }

    static long outboxRows(Database producerDb, String stream) {
        return count(producerDb, "SELECT COUNT(*) FROM stream_outbox WHERE stream = '" + stream + "'");
    }
}
