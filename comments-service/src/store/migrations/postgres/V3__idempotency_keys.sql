-- `Idempotency-Key` of `POST /api/comments` (see sqlite/V3). The key row is
-- inserted first in the comment's transaction: a second instance posting the
-- same key waits on the unique index, then finds the first one's comment.
CREATE TABLE idempotency_keys (
    key             TEXT PRIMARY KEY,
    comment_id      BIGINT REFERENCES comments(id),
    created_us      BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_us);
