-- `Idempotency-Key` of `POST /api/comments`: a client that retries after a
-- timeout gets the comment its first try made, not a second one. The row is
-- written in the same transaction as the comment; keys expire after a day.
CREATE TABLE idempotency_keys (
    key             TEXT PRIMARY KEY,
    comment_id      INTEGER REFERENCES comments(id),
    created_us      INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_us);
