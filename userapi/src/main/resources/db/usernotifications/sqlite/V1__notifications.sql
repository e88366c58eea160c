-- Push notifications: one row per (user, event) that a user's push rules said to notify about, kept for the
-- unread counts sync shows, GET /notifications and (later) pushers. thread_id is 'main' for the main timeline.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    thread_id  TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    event_nid  INTEGER NOT NULL,
    ts         INTEGER NOT NULL,
    highlight  INTEGER NOT NULL,
    actions    TEXT NOT NULL,
    is_read    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_unread ON notifications (user_id, room_id, is_read, event_nid);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
-- How far each user has read per room and thread ('' = an unthreaded receipt, every thread), as an event NID,
-- so that a notification evaluated after the receipt that covers it is born read.
CREATE TABLE notification_read_marks (
    user_id    TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    thread_id  TEXT NOT NULL,
    event_nid  INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);
