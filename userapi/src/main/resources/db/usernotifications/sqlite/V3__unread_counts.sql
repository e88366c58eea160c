-- Unread counts per user, room and thread, kept up to date as notifications are stored and read. Counting the unread
-- rows at every change took longer the more a user left unread (a busy room the user does not read).
CREATE TABLE notification_unread (
    user_id        TEXT    NOT NULL,
    room_id        TEXT    NOT NULL,
    thread_id      TEXT    NOT NULL,
    notifications  INTEGER NOT NULL,
    highlights     INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);
INSERT INTO notification_unread (user_id, room_id, thread_id, notifications, highlights)
    SELECT user_id, room_id, thread_id, COUNT(*), SUM(highlight) FROM notifications WHERE is_read = 0
    GROUP BY user_id, room_id, thread_id;
