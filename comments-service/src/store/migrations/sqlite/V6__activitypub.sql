-- The fediverse (issue 16): the accounts that follow the blog. The actor's
-- key pair is a row of settings ('activitypub_key', PKCS#8 DER), made once.

-- one row per following actor; deliveries go to shared_inbox when it has one
CREATE TABLE ap_followers (
    actor           TEXT PRIMARY KEY,
    inbox           TEXT NOT NULL,
    shared_inbox    TEXT,
    created_us      INTEGER NOT NULL
);
CREATE INDEX ap_followers_by_inbox ON ap_followers (shared_inbox);

-- each post object the followers were told about, with the version told
-- (its 'updated', else 'published'): a new object is a Create, a changed
-- version an Update
CREATE TABLE ap_published (
    object_id       TEXT PRIMARY KEY,
    version         TEXT NOT NULL
);

-- one signed delivery of one activity to one inbox, written with the
-- ap_published change that made it due; claimed with a lease, so a crash
-- mid-send sends it again (same activity id: receivers drop the repeat)
CREATE TABLE ap_deliveries (
    id              INTEGER PRIMARY KEY,
    activity_id     TEXT NOT NULL,
    activity        TEXT NOT NULL,
    inbox           TEXT NOT NULL,
    created_us      INTEGER NOT NULL,
    not_before_us   INTEGER NOT NULL,
    taken_us        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    done_us         INTEGER,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX ap_deliveries_due ON ap_deliveries (done_us, not_before_us);
