CREATE TABLE tags (
    note_id INTEGER NOT NULL REFERENCES notes (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (note_id, tag)
);
CREATE INDEX tags_by_tag ON tags (tag);
-- a trigger body holds semicolons of its own: the whole script must still run as one
CREATE TABLE note_count (n INTEGER NOT NULL);
INSERT INTO note_count (n) VALUES (0);
CREATE TRIGGER notes_counted AFTER INSERT ON notes BEGIN
    UPDATE note_count SET n = n + 1;
END;
