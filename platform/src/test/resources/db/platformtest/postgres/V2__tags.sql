CREATE TABLE tags (
    note_id BIGINT NOT NULL REFERENCES notes (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (note_id, tag)
);
CREATE INDEX tags_by_tag ON tags (tag);
-- a function body holds semicolons of its own: the whole script must still run as one
CREATE TABLE note_count (n BIGINT NOT NULL);
INSERT INTO note_count (n) VALUES (0);
CREATE FUNCTION count_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE note_count SET n = n + 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER notes_counted AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION count_note();
