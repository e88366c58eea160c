-- Accounts, devices, tokens (only hashes), profiles, account data, filters, registration tokens, 3PIDs.
CREATE TABLE accounts (
    localpart      TEXT PRIMARY KEY,
    password_hash  TEXT,
    created_ts     INTEGER NOT NULL,
    is_guest       INTEGER NOT NULL DEFAULT 0,
    is_admin       INTEGER NOT NULL DEFAULT 0,
    deactivated    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE devices (
    localpart             TEXT NOT NULL,
    device_id             TEXT NOT NULL,
    display_name          TEXT,
    created_ts            INTEGER NOT NULL,
    last_seen_ts          INTEGER,
    last_seen_ip          TEXT,
    last_seen_user_agent  TEXT,
    PRIMARY KEY (localpart, device_id)
);
CREATE TABLE access_tokens (
    token_hash             TEXT PRIMARY KEY,
    localpart              TEXT NOT NULL,
    device_id              TEXT NOT NULL,
    created_ts             INTEGER NOT NULL,
    expires_ts             INTEGER,
    previous_refresh_hash  TEXT
);
CREATE INDEX access_tokens_device ON access_tokens (localpart, device_id);
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    localpart   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_ts  INTEGER NOT NULL
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (localpart, device_id);
CREATE TABLE login_tokens (
    token_hash  TEXT PRIMARY KEY,
    localpart   TEXT NOT NULL,
    expires_ts  INTEGER NOT NULL
);
CREATE TABLE openid_tokens (
    token_hash  TEXT PRIMARY KEY,
    localpart   TEXT NOT NULL,
    expires_ts  INTEGER NOT NULL
);
CREATE TABLE profiles (
    localpart   TEXT NOT NULL,
    field       TEXT NOT NULL,
    value_json  TEXT NOT NULL,
    PRIMARY KEY (localpart, field)
);
CREATE TABLE account_data (
    localpart     TEXT NOT NULL,
    room_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    content_json  TEXT NOT NULL,
    PRIMARY KEY (localpart, room_id, type)
);
CREATE TABLE filters (
    localpart    TEXT NOT NULL,
    filter_id    INTEGER NOT NULL,
    filter_json  TEXT NOT NULL,
    PRIMARY KEY (localpart, filter_id)
);
CREATE TABLE registration_tokens (
    token         TEXT PRIMARY KEY,
    uses_allowed  INTEGER,
    pending       INTEGER NOT NULL DEFAULT 0,
    completed     INTEGER NOT NULL DEFAULT 0,
    expiry_time   INTEGER
);
CREATE TABLE threepids (
    localpart     TEXT NOT NULL,
    medium        TEXT NOT NULL,
    address       TEXT NOT NULL,
    validated_at  INTEGER NOT NULL,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (medium, address)
);
CREATE INDEX threepids_user ON threepids (localpart);
