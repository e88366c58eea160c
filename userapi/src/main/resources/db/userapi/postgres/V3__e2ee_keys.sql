-- The key server (E2EE): device keys, one-time and fallback keys, cross-signing keys and signatures, key backup.
-- Key objects are stored as the JSON the client uploaded (the server never changes a signed object).
CREATE TABLE e2e_device_keys (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    key_json   TEXT NOT NULL,
    added_ts   BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id)
);
CREATE TABLE e2e_one_time_keys (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    algorithm  TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    key_json   TEXT NOT NULL,
    added_ts   BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id, algorithm, key_id)
);
CREATE TABLE e2e_fallback_keys (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    algorithm  TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    key_json   TEXT NOT NULL,
    used       SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, device_id, algorithm)
);
CREATE TABLE e2e_cross_signing_keys (
    user_id    TEXT NOT NULL,
    key_type   TEXT NOT NULL,
    key_json   TEXT NOT NULL,
    added_ts   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key_type)
);
-- Signatures uploaded through /keys/signatures/upload, merged into the signed key when it is served.
CREATE TABLE e2e_cross_signing_sigs (
    target_user_id  TEXT NOT NULL,
    target_key_id   TEXT NOT NULL,
    signer_user_id  TEXT NOT NULL,
    signer_key_id   TEXT NOT NULL,
    signature       TEXT NOT NULL,
    PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
);
CREATE TABLE e2e_room_keys_versions (
    user_id    TEXT NOT NULL,
    version    BIGINT NOT NULL,
    algorithm  TEXT NOT NULL,
    auth_data  TEXT NOT NULL,
    etag       BIGINT NOT NULL DEFAULT 0,
    deleted    SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, version)
);
CREATE TABLE e2e_room_keys (
    user_id              TEXT NOT NULL,
    version              BIGINT NOT NULL,
    room_id              TEXT NOT NULL,
    session_id           TEXT NOT NULL,
    first_message_index  BIGINT NOT NULL,
    forwarded_count      BIGINT NOT NULL,
    is_verified          SMALLINT NOT NULL,
    session_data         TEXT NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id)
);
