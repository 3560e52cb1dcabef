-- Mail and webhook notifications (issue 14). Portable SQL: the PostgreSQL
-- twin only changes the id columns' types. Times are microseconds (UTC).

-- why a held comment waits: 'links', 'blocklist', 'first-time' or 'all'
ALTER TABLE comments ADD COLUMN held_reason TEXT;

-- a reader's wish to hear about replies to one comment; nothing is sent to
-- the address but the confirmation mail until confirmed_us is set
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    comment_id      INTEGER NOT NULL REFERENCES comments(id),
    email           TEXT NOT NULL,
    created_us      INTEGER NOT NULL,
    confirmed_us    INTEGER,
    UNIQUE (comment_id, email)
);
CREATE INDEX subscriptions_by_email ON subscriptions (email);

-- mails and webhook posts, written in the transaction of the change that made
-- them due; a row's id makes its stable Message-ID
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- 'owner-new', 'owner-held', 'confirm', 'reply', 'webhook'
    kind            TEXT NOT NULL,
    comment_id      INTEGER NOT NULL REFERENCES comments(id),
    subscription_id INTEGER,
    -- the address (NULL for the webhook)
    recipient       TEXT,
    created_us      INTEGER NOT NULL,
    not_before_us   INTEGER NOT NULL,
    taken_us        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_us         INTEGER,
    -- a mail's links act once: set when one of them did
    acted_us        INTEGER,
    UNIQUE (kind, comment_id, subscription_id)
);
CREATE INDEX outbox_due ON outbox (sent_us, not_before_us);

-- when a comment's text was last edited (the "edited" mark); updated_us is
-- bumped by every change, approvals too, for the export's `since`
ALTER TABLE comments ADD COLUMN edited_us INTEGER;
