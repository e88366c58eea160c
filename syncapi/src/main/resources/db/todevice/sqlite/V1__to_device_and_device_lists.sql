-- syncapi's E2EE part: to-device inboxes and the device-list change log, each ordered by its own gap-free position.
CREATE TABLE todevice_heads (
    name      TEXT PRIMARY KEY,
    position  INTEGER NOT NULL
);
-- Messages waiting for a device; a row goes when the device acknowledges it (a later since token).
CREATE TABLE to_device_messages (
    position   INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    sender     TEXT NOT NULL,
    type       TEXT NOT NULL,
    content    TEXT NOT NULL
);
CREATE INDEX to_device_messages_device ON to_device_messages (user_id, device_id, position);
-- Transaction IDs of /sendToDevice already handled, so that a retried request is not delivered twice.
CREATE TABLE to_device_txns (
    sender         TEXT NOT NULL,
    sender_device  TEXT NOT NULL,
    txn_id         TEXT NOT NULL,
    created_ts     INTEGER NOT NULL,
    PRIMARY KEY (sender, sender_device, txn_id)
);
-- Whose devices others must re-query: kind 'keys' (the user's keys changed), 'join' / 'leave' (of room_id).
CREATE TABLE device_list_changes (
    position  INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    room_id   TEXT,
    kind      TEXT NOT NULL
);
