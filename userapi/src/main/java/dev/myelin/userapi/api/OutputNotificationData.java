package dev.myelin.userapi.api;

import dev.myelin.platform.stream.StreamDefinition;
import java.util.Map;

/**
 * Stream message: a user's unread notification counts in one room changed (a new notification, or a receipt read
 * some). Carries the room's counts per thread as they are now ({@code "main"} is the main timeline), every thread
 * with unread notifications plus any that just dropped to zero, so a consumer can replace what it had. Produced
 * from the userapi database's outbox in the transaction that changed the counts; keyed by user ID.
 */
public record OutputNotificationData(String userId, String roomId, Map<String, UnreadCounts> threads) {

    /** The thread ID of the main timeline (events in no thread, thread roots included). */
    public static final String MAIN_THREAD = "main";

    /** Unread notifications and, of those, highlights. */
    public record UnreadCounts(long notificationCount, long highlightCount) {}

    public OutputNotificationData {
        threads = Map.copyOf(threads);
    }

    /** The durable stream these messages travel on. */
    public static final StreamDefinition<OutputNotificationData> STREAM =
            StreamDefinition.json("OutputNotificationData", OutputNotificationData.class);
}
