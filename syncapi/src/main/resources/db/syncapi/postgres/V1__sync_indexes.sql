-- syncapi's own indexes over the roomserver's events: never the event JSON itself.

-- Every room event sync has seen, in stream order (pos is sync's room stream position).
CREATE TABLE sync_room_events (
    pos           BIGINT PRIMARY KEY,
    room_id       TEXT    NOT NULL,
    event_id      TEXT    NOT NULL UNIQUE,
    event_nid     BIGINT NOT NULL,
    type          TEXT    NOT NULL,
    state_key     TEXT,
    sender        TEXT    NOT NULL,
    contains_url  SMALLINT NOT NULL,
    device_id     TEXT,
    txn_id        TEXT
);
CREATE INDEX sync_room_events_by_room ON sync_room_events (room_id, pos);

-- Each change of a room's current state: the event that holds (type, state_key) from pos on; NULL when removed.
CREATE TABLE sync_state_changes (
    room_id     TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    state_key   TEXT    NOT NULL,
    pos         BIGINT NOT NULL,
    event_nid   BIGINT,
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
    pos         BIGINT NOT NULL,
    event_nid   BIGINT NOT NULL,
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
    pos   BIGINT NOT NULL
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
    ts            BIGINT NOT NULL,
    pos           BIGINT NOT NULL,
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
);
CREATE INDEX sync_receipts_by_pos ON sync_receipts (pos);

-- Each user's presence as last set.
CREATE TABLE sync_presence (
    user_id         TEXT    PRIMARY KEY,
    presence        TEXT    NOT NULL,
    status_msg      TEXT,
    last_active_ts  BIGINT NOT NULL,
    pos             BIGINT NOT NULL
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
    event_nid   BIGINT NOT NULL,
    pos         BIGINT NOT NULL
);
CREATE INDEX sync_relations_by_parent ON sync_relations (relates_to, pos);
CREATE INDEX sync_relations_by_room ON sync_relations (room_id, rel_type, pos);

-- Full-text search over message bodies, room names and topics (the 'simple' configuration: no language stemming).
CREATE TABLE sync_search (
    pos         BIGINT   PRIMARY KEY,
    room_id     TEXT     NOT NULL,
    search_key  TEXT     NOT NULL,
    vector      TSVECTOR NOT NULL
);
CREATE INDEX sync_search_vector ON sync_search USING GIN (vector);
CREATE INDEX sync_search_room ON sync_search (room_id);
