-- user_type given at shared-secret registration (Synapse's users.user_type: 'support', 'bot', …), and the users
-- who asked for erasure when they deactivated (their events are served redacted from then on).
ALTER TABLE accounts ADD COLUMN user_type TEXT;
CREATE TABLE user_erasures (
    localpart  TEXT PRIMARY KEY,
    erased_ts  BIGINT NOT NULL
);
-- Deactivated users whose rooms are not yet all left (the leaving happens after the account is closed; a crash in
-- between is finished at the next start).
CREATE TABLE users_pending_deactivation (
    localpart  TEXT PRIMARY KEY
);
