package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.roomserver.api.EventStore;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.userapi.api.OutputNotificationData;
import dev.myelin.userapi.api.OutputNotificationData.UnreadCounts;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.storage.NotificationsTable;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Storing notifications and applying receipts, in the order the two streams may deliver them: idempotent on
 * redelivery, a receipt that overtakes its events still reads them, a threaded receipt reads only its thread.
 */
@DatabaseComponent("userapi")
class PushNotificationsTest {
    private static final String BOB = "@bob:example.org";
    private static final String ROOM = "!r:example.org";

    private final List<OutputNotificationData> reported = new ArrayList<>();

    private PushNotifications push(Database db) {
        LocalUserApi users = new LocalUserApi(db, new UserApiSettings("example.org", PasswordHasher.Cost.TEST,
                Duration.ofMinutes(5)), Clock.systemUTC(), new SecureRandom());
        EventStore noEvents = new EventStore() {
            public Optional<StoredEvent> event(String eventId) { return Optional.empty(); }
            public Optional<StoredEvent> event(long eventNid) { return Optional.empty(); }
            public long outputPosition() { return 0; }
            public java.util.Set<String> forgottenRooms(String userId) { return java.util.Set.of(); }
            public java.util.Map<Long, StoredEvent> events(java.util.Collection<Long> eventNids) { return java.util.Map.of(); }
        };
        StreamProducer<OutputNotificationData> recorder = new StreamProducer<>() {
            public long append(Connection tx, String key, OutputNotificationData message) {
                reported.add(message);
                return reported.size();
            }

            public StreamDefinition<OutputNotificationData> stream() { return OutputNotificationData.STREAM; }
        };
        return new PushNotifications(db, noEvents, eventId -> List.of(), users, recorder, Clock.systemUTC());
    }

    private static PushNotifications.Evaluated notifies(String eventId, long nid, String thread, boolean highlight) {
        return new PushNotifications.Evaluated(ROOM, List.of(new NotificationsTable.Row(0, BOB, ROOM, thread, eventId, nid,
                1000, highlight, "[\"notify\"]", false)), null, thread, nid);
    }

    private static OutputReceiptEvent receipt(long nid, String thread) {
        return new OutputReceiptEvent(BOB, ROOM, "m.read", "$e" + nid, nid, thread, 1000);
    }

    private Map<String, UnreadCounts> last() {
        return reported.get(reported.size() - 1).threads();
    }

    @DatabaseTest
    void aBatchOfEventsReportsEachUsersCountsInARoomOnceWithTheFinalFigures(Database db) {
        PushNotifications push = push(db);
        db.write(tx -> {
            PushNotifications.PendingReports reports = new PushNotifications.PendingReports();
            push.store(tx, notifies("$b1", 1, "main", false), reports);
            push.store(tx, notifies("$b2", 2, "main", true), reports);
            push.store(tx, notifies("$b3", 3, "$root", false), reports);
            assertThat(reported).as("nothing before the batch ends").isEmpty();
            push.report(tx, reports);
            return null;
        });
        assertThat(reported).hasSize(1);
        assertThat(last()).containsEntry("main", new UnreadCounts(2, 1)).containsEntry("$root", new UnreadCounts(1, 0));

        // Bob's own event reads the main thread, then a new notification arrives in the same batch
        db.write(tx -> {
            PushNotifications.PendingReports reports = new PushNotifications.PendingReports();
            push.store(tx, new PushNotifications.Evaluated(ROOM, List.of(), BOB, "main", 4), reports);
            push.store(tx, notifies("$b5", 5, "$root", false), reports);
            push.report(tx, reports);
            return null;
        });
        assertThat(reported).hasSize(2);
        assertThat(last()).as("main reached zero within the batch and is reported as zero")
                .containsEntry("main", new UnreadCounts(0, 0)).containsEntry("$root", new UnreadCounts(2, 0));
    }

    @DatabaseTest
    void aRedeliveredEventCountsOnce(Database db) {
        PushNotifications push = push(db);
        db.write(tx -> { push.store(tx, notifies("$a", 1, "main", true)); return null; });
        db.write(tx -> { push.store(tx, notifies("$a", 1, "main", true)); return null; });
        assertThat(reported).hasSize(1);
        assertThat(last()).containsEntry("main", new UnreadCounts(1, 1));
    }

    @DatabaseTest
    void aReceiptThatOvertakesItsEventsStillReadsThem(Database db) {
        PushNotifications push = push(db);
        db.write(tx -> { push.receipt(tx, receipt(10, null)); return null; });
        assertThat(reported).as("nothing was unread").isEmpty();
        db.write(tx -> { push.store(tx, notifies("$late", 8, "$root", false)); return null; });
        assertThat(reported).as("born read").isEmpty();
        db.write(tx -> { push.store(tx, notifies("$new", 12, "main", false)); return null; });
        assertThat(last()).containsEntry("main", new UnreadCounts(1, 0));
        assertThat(push.page(BOB, Long.MAX_VALUE, 10, false)).extracting(NotificationsTable.Row::read).containsExactly(false, true);
    }

    @DatabaseTest
    void threadedReceiptsReadOnlyTheirThreadAndReportItsZero(Database db) {
        PushNotifications push = push(db);
        db.write(tx -> {
            push.store(tx, notifies("$m1", 1, "main", false));
            push.store(tx, notifies("$t1", 2, "$root", false));
            push.store(tx, notifies("$t2", 3, "$root", true));
            push.store(tx, notifies("$m2", 4, "main", false));
            return null;
        });
        assertThat(last()).containsEntry("main", new UnreadCounts(2, 0)).containsEntry("$root", new UnreadCounts(2, 1));

        db.write(tx -> { push.receipt(tx, receipt(3, "$root")); return null; });
        assertThat(last()).containsEntry("$root", new UnreadCounts(0, 0)).containsEntry("main", new UnreadCounts(2, 0));
        assertThat(push.page(BOB, Long.MAX_VALUE, 10, false)).as("read notifications older than 30 days are dropped")
                .extracting(NotificationsTable.Row::eventId).containsExactly("$m2", "$m1");

        db.write(tx -> { push.receipt(tx, receipt(1, "main")); return null; });
        assertThat(last()).containsEntry("main", new UnreadCounts(1, 0));
        int before = reported.size();
        db.write(tx -> { push.receipt(tx, receipt(1, "main")); return null; });
        assertThat(reported).as("a receipt that reads nothing new reports nothing").hasSize(before);

        // the sender's own event reads up to it, in its thread
        db.write(tx -> {
            push.store(tx, new PushNotifications.Evaluated(ROOM, List.of(), BOB, "main", 5));
            return null;
        });
        assertThat(last()).containsEntry("main", new UnreadCounts(0, 0));
    }
}
