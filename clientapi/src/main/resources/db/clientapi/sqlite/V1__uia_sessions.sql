-- User-interactive authentication sessions, shared by every clientapi process.
CREATE TABLE uia_sessions (
    session_id      TEXT PRIMARY KEY,
    binding         TEXT NOT NULL,
    flows_json      TEXT NOT NULL,
    params_json     TEXT NOT NULL,
    completed_json  TEXT NOT NULL,
    data_json       TEXT NOT NULL,
    created_ts      INTEGER NOT NULL
);
CREATE INDEX uia_sessions_created ON uia_sessions (created_ts);
