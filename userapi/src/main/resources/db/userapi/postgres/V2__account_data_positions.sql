-- Each account data write gets the next position of one counter, so sync can ask "what changed after position P".
ALTER TABLE account_data ADD COLUMN stream_pos BIGINT NOT NULL DEFAULT 0;
CREATE INDEX account_data_by_pos ON account_data (localpart, stream_pos);
CREATE TABLE account_data_head (id INTEGER PRIMARY KEY, pos BIGINT NOT NULL);
INSERT INTO account_data_head (id, pos) VALUES (1, 0);
