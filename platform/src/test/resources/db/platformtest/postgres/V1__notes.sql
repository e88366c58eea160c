-- Test-only schema for the platform's own database tests.
CREATE TABLE notes (
    id BIGINT PRIMARY KEY,
    body TEXT NOT NULL
);
