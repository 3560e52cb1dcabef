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
