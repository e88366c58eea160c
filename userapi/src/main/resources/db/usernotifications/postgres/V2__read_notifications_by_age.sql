-- Read notifications are deleted once older than the retention (at each read receipt): found through this index by
-- age, where the unread index made every receipt scan all the read notifications of its room.
CREATE INDEX notifications_read_age ON notifications (user_id, room_id, is_read, ts);
