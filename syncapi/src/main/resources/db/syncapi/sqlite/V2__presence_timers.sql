-- Presence timeouts (a user who stops syncing goes offline, an inactive one unavailable): when a sync of the user
-- was last in flight on any instance, written by each instance's sweep at most once per sweep interval.
ALTER TABLE sync_presence ADD COLUMN last_sync_ts INTEGER NOT NULL DEFAULT 0;
-- The sweep looks only at users who are not offline.
CREATE INDEX sync_presence_not_offline ON sync_presence (last_sync_ts) WHERE presence <> 'offline';
