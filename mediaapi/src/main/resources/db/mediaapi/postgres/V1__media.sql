-- Media the server stores: local uploads (origin = our server name) and, later, cached remote media.
-- sha256 names the file in the content-addressed store; it is NULL while an asynchronous upload
-- (POST /_matrix/media/v1/create) waits for its bytes.
CREATE TABLE media (
    origin       TEXT    NOT NULL,
    media_id     TEXT    NOT NULL,
    user_id      TEXT,
    content_type TEXT,
    upload_name  TEXT,
    size         BIGINT,
    sha256       TEXT,
    created_ts   BIGINT NOT NULL,
    uploaded_ts  BIGINT,
    PRIMARY KEY (origin, media_id)
);
CREATE INDEX media_by_user ON media (user_id, created_ts);

-- Thumbnails generated for a medium, by the size and method they were made for; files in the same store.
CREATE TABLE thumbnails (
    origin       TEXT    NOT NULL,
    media_id     TEXT    NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    method       TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    size         BIGINT NOT NULL,
    PRIMARY KEY (origin, media_id, width, height, method)
);

-- URL previews, cached per URL.
CREATE TABLE url_previews (
    url          TEXT    NOT NULL PRIMARY KEY,
    preview_json TEXT    NOT NULL,
    fetched_ts   BIGINT NOT NULL
);
