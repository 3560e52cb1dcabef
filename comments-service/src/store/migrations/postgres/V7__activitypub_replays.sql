-- Inbox signatures already accepted (issue 16): one row per SHA-256 of
-- (key id, signature), kept until the signature's time window has run out
-- (after that its date is refused anyway). Shared by every instance on the
-- database, so a request replayed to another instance is refused too; a
-- conflicting insert is the replay. Expired rows go in the periodic cleanup.
CREATE TABLE ap_replays (
    hash            BYTEA PRIMARY KEY,
    expires_us      BIGINT NOT NULL
);
CREATE INDEX ap_replays_by_expiry ON ap_replays (expires_us);
