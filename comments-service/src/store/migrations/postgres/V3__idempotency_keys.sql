-- `Idempotency-Key` of `POST /api/comments` (see sqlite/V3). The key row is
-- inserted first in the comment's transaction: a second instance posting the
-- same key waits on the unique index, then finds the first one's comment.
CREATE TABLE idempotency_keys (
    key             TEXT PRIMARY KEY,
    comment_id      BIGINT REFERENCES comments(id),
    created_us      BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_us);

-- Rebuild requests, one row per change (PostgreSQL only). On SQLite one
-- writer updates the single `rebuild_pending` row; here every instance
-- writes, and updating one row in each writing transaction would hold its
-- lock until commit and serialise every commit of the cluster. Appending
-- takes no shared lock; the instance that claims the run folds the rows
-- into one request (`policy::burst_due`). `rebuild_pending` keeps only the
-- retry state of a failed run. `xact` is the writing transaction: a run
-- clears only the requests its snapshot saw (ids are handed out before
-- commit, so "id <= n" alone could clear a change that committed after the
-- run began).
CREATE TABLE rebuild_requests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_us           BIGINT NOT NULL,
    xact            BIGINT NOT NULL
);

-- New-comment rate limits shared by every instance (PostgreSQL only; one
-- SQLite service keeps its limiter in memory): hits of one client address
-- (a keyed hash, not the address) in the current one-minute window.
CREATE TABLE rate_windows (
    key             TEXT PRIMARY KEY,
    window_us       BIGINT NOT NULL,
    hits            INTEGER NOT NULL
);
