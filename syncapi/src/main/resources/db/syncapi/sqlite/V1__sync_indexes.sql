-- syncapi's own indexes over the roomserver's events: never the event JSON itself.

-- Every room event sync has seen, in stream order (pos is sync's room stream position).
CREATE TABLE sync_room_events (
    pos           INTEGER PRIMARY KEY,
    room_id       TEXT    NOT NULL,
    event_id      TEXT    NOT NULL UNIQUE,
    event_nid     INTEGER NOT NULL,
    type          TEXT    NOT NULL,
    state_key     TEXT,
    sender        TEXT    NOT NULL,
    contains_url  INTEGER NOT NULL,
    device_id     TEXT,
    txn_id        TEXT
);
CREATE INDEX sync_room_events_by_room ON sync_room_events (room_id, pos);

-- Each change of a room's current state: the event that holds (type, state_key) from pos on; NULL when removed.
CREATE TABLE sync_state_changes (
    room_id     TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    state_key   TEXT    NOT NULL,
    pos         INTEGER NOT NULL,
    event_nid   INTEGER,
    event_id    TEXT,
    membership  TEXT,
    sender      TEXT,
    history_visibility TEXT,
    PRIMARY KEY (room_id, type, state_key, pos)
);
CREATE INDEX sync_state_changes_by_pos ON sync_state_changes (room_id, pos);
CREATE INDEX sync_state_changes_by_member ON sync_state_changes (state_key, type, pos);

-- The current state of every room (the last row per key of sync_state_changes, kept for fast reads).
CREATE TABLE sync_current_state (
    room_id     TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    state_key   TEXT    NOT NULL,
    pos         INTEGER NOT NULL,
    event_nid   INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    membership  TEXT,
    sender      TEXT    NOT NULL,
    display_name TEXT,
    avatar_url  TEXT,
    join_rule   TEXT,
    PRIMARY KEY (room_id, type, state_key)
);
CREATE INDEX sync_current_state_by_member ON sync_current_state (state_key, type, membership);

-- Position counters of sync's own streams (receipts, presence); the row lock orders commits by position.
CREATE TABLE sync_counters (
    name  TEXT   PRIMARY KEY,
    pos   INTEGER NOT NULL
);
INSERT INTO sync_counters (name, pos) VALUES ('receipts', 0);
INSERT INTO sync_counters (name, pos) VALUES ('presence', 0);

-- The latest receipt of each user, type and thread in a room (thread_id '' for unthreaded receipts).
CREATE TABLE sync_receipts (
    room_id       TEXT    NOT NULL,
    receipt_type  TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    thread_id     TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    ts            INTEGER NOT NULL,
    pos           INTEGER NOT NULL,
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
);
CREATE INDEX sync_receipts_by_pos ON sync_receipts (pos);

-- Each user's presence as last set.
CREATE TABLE sync_presence (
    user_id         TEXT    PRIMARY KEY,
    presence        TEXT    NOT NULL,
    status_msg      TEXT,
    last_active_ts  INTEGER NOT NULL,
    pos             INTEGER NOT NULL
);
CREATE INDEX sync_presence_by_pos ON sync_presence (pos);

-- Relations (content.m.relates_to) between events, for /relations, /threads and unsigned.m.relations.
CREATE TABLE sync_relations (
    event_id    TEXT    PRIMARY KEY,
    room_id     TEXT    NOT NULL,
    relates_to  TEXT    NOT NULL,
    rel_type    TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    sender      TEXT    NOT NULL,
    event_nid   INTEGER NOT NULL,
    pos         INTEGER NOT NULL
);
CREATE INDEX sync_relations_by_parent ON sync_relations (relates_to, pos);
CREATE INDEX sync_relations_by_room ON sync_relations (room_id, rel_type, pos);

-- Full-text search over message bodies, room names and topics (FTS5; rowid is the event's sync position).
CREATE VIRTUAL TABLE sync_search USING fts5(text, room_id UNINDEXED, search_key UNINDEXED, tokenize = 'unicode61');
