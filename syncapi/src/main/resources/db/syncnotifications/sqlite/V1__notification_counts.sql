-- Unread notification counts per user, room and thread ('main' = the main timeline), as userapi last reported
-- them on the OutputNotificationData stream; pos is the 'notifications' counter position of that report.
CREATE TABLE sync_notification_counts (
    user_id             TEXT    NOT NULL,
    room_id             TEXT    NOT NULL,
    thread_id           TEXT    NOT NULL,
    notification_count  INTEGER NOT NULL,
    highlight_count     INTEGER NOT NULL,
    pos                 INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);
CREATE INDEX sync_notification_counts_by_pos ON sync_notification_counts (user_id, pos);
INSERT INTO sync_counters (name, pos) VALUES ('notifications', 0) ON CONFLICT (name) DO NOTHING;
