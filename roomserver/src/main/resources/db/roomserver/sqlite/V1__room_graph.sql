-- The room graph (roomserver). NIDs are the numeric IDs used inside the roomserver; each event's JSON is stored
-- once, in events.json. State is stored as snapshots (ordered lists of blocks), blocks as lists of
-- (type NID, state key NID, event NID) triples; both deduplicated by a SHA-256 of their content.
CREATE TABLE roomserver_rooms (
    room_nid INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL UNIQUE,
    room_version TEXT NOT NULL,
    -- the forward extremities, event NIDs separated by ','
    latest_event_nids TEXT NOT NULL,
    -- the state after the forward extremities (current state)
    state_snapshot_nid BIGINT NOT NULL,
    max_depth BIGINT NOT NULL
);

CREATE TABLE roomserver_event_types (
    event_type_nid INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL UNIQUE
);
INSERT INTO roomserver_event_types (event_type_nid, event_type) VALUES
    (1, 'm.room.create'), (2, 'm.room.power_levels'), (3, 'm.room.join_rules'), (4, 'm.room.third_party_invite'),
    (5, 'm.room.member'), (6, 'm.room.redaction'), (7, 'm.room.history_visibility'), (8, 'm.room.name'),
    (9, 'm.room.topic'), (10, 'm.room.canonical_alias'), (11, 'm.room.guest_access'), (12, 'm.room.encryption'),
    (13, 'm.room.avatar'), (14, 'm.room.tombstone'), (15, 'm.room.server_acl'), (16, 'm.room.message'),
    (17, 'm.room.aliases'), (18, 'm.space.child'), (19, 'm.space.parent');

CREATE TABLE roomserver_state_keys (
    state_key_nid INTEGER PRIMARY KEY,
    state_key TEXT NOT NULL UNIQUE
);
INSERT INTO roomserver_state_keys (state_key_nid, state_key) VALUES (1, '');

CREATE TABLE roomserver_events (
    event_nid INTEGER PRIMARY KEY,
    room_nid BIGINT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    event_type_nid BIGINT NOT NULL,
    -- 0 for a message (non-state) event
    state_key_nid BIGINT NOT NULL,
    depth BIGINT NOT NULL,
    origin_server_ts BIGINT NOT NULL,
    sender TEXT NOT NULL,
    -- the state before this event
    state_snapshot_nid BIGINT NOT NULL,
    -- the accepted redaction of this event, if any
    redacted_by TEXT,
    -- for m.room.redaction: the event it redacts (which may arrive later)
    redacts TEXT,
    -- the event in federation format, exactly as signed
    json TEXT NOT NULL
);
CREATE INDEX roomserver_events_room_ts ON roomserver_events (room_nid, origin_server_ts);
CREATE INDEX roomserver_events_redacts ON roomserver_events (redacts);

CREATE TABLE roomserver_state_blocks (
    state_block_nid INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    -- triples type_nid:state_key_nid:event_nid separated by ',', sorted by (type_nid, state_key_nid)
    entries TEXT NOT NULL
);

CREATE TABLE roomserver_state_snapshots (
    state_snapshot_nid INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    room_nid BIGINT NOT NULL,
    -- block NIDs in application order separated by ','; a later block's entry replaces an earlier one's
    state_block_nids TEXT NOT NULL
);

CREATE TABLE roomserver_membership (
    room_nid BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    membership TEXT NOT NULL,
    event_nid BIGINT NOT NULL,
    forgotten BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (room_nid, user_id)
);
CREATE INDEX roomserver_membership_user ON roomserver_membership (user_id, membership);

-- why: the same transaction ID from the same device must give the same event (client-server API "Transaction identifiers")
CREATE TABLE roomserver_transactions (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    txn_key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_key)
);

-- room aliases on this server (#alias:server → room) and the rooms published in the room directory
CREATE TABLE roomserver_room_aliases (
    alias TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    creator TEXT NOT NULL
);
CREATE INDEX roomserver_room_aliases_room ON roomserver_room_aliases (room_id);

CREATE TABLE roomserver_published_rooms (
    room_id TEXT PRIMARY KEY
);

-- reports of events, rooms and users by local users, for the server's admins
CREATE TABLE roomserver_reports (
    report_id INTEGER PRIMARY KEY,
    received_ts BIGINT NOT NULL,
    reporter TEXT NOT NULL,
    room_id TEXT,
    event_id TEXT,
    user_id TEXT,
    reason TEXT,
    score BIGINT
);
