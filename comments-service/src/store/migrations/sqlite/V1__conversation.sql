-- The conversation: comments and Webmentions/pingbacks are rows of one table,
-- so they flow through the same reads, export, counts and moderation.
-- Times are microseconds since the Unix epoch (UTC).
CREATE TABLE comments (
    id              INTEGER PRIMARY KEY,
    page            TEXT NOT NULL,
    parent          INTEGER REFERENCES comments(id),
    kind            TEXT NOT NULL DEFAULT 'comment'
                    CHECK (kind IN ('comment', 'reply', 'like', 'repost', 'bookmark', 'mention')),
    status          TEXT NOT NULL
                    CHECK (status IN ('approved', 'pending', 'spam', 'rejected', 'deleted')),
    author          TEXT NOT NULL,
    email           TEXT,
    website         TEXT,
    author_photo    TEXT,
    url             TEXT,
    source          TEXT,
    body_md         TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL,
    is_owner        INTEGER NOT NULL DEFAULT 0,
    -- who may skip first-time moderation: a keyed hash of e-mail or name, or the source domain
    commenter_key   TEXT,
    -- anonymised client address, cleared after the retention period
    client_addr     TEXT,
    created_us      INTEGER NOT NULL,
    updated_us      INTEGER NOT NULL
);
CREATE INDEX comments_by_page ON comments (page, status, id);
CREATE INDEX comments_by_updated ON comments (updated_us);
CREATE INDEX comments_by_status ON comments (status, id);
-- one row per (source, page) for Webmentions and pingbacks
CREATE UNIQUE INDEX comments_one_mention ON comments (source, page) WHERE source IS NOT NULL;

-- commenters (or source domains) with an approved item: first-time moderation lets them through
CREATE TABLE trusted_commenters (
    commenter_key   TEXT PRIMARY KEY
);

-- ids that left the approved set, for incremental exports (`removed`)
CREATE TABLE removals (
    comment_id      INTEGER NOT NULL,
    at_us           INTEGER NOT NULL
);
CREATE INDEX removals_by_time ON removals (at_us);

-- the pending rebuild (at most one row): durable so a crash still triggers
CREATE TABLE rebuild_pending (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    generation      INTEGER NOT NULL,
    first_us        INTEGER NOT NULL,
    due_us          INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0
);

-- Webmentions and pingbacks waiting for verification
CREATE TABLE mention_queue (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    target          TEXT NOT NULL,
    received_us     INTEGER NOT NULL,
    not_before_us   INTEGER NOT NULL,
    taken_us        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, target)
);

-- service settings, e.g. the generated signing key
CREATE TABLE settings (
    key             TEXT PRIMARY KEY,
    value           BLOB NOT NULL
);
