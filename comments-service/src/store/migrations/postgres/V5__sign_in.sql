-- Readers who sign in (issue 15): the PostgreSQL dialect of sqlite/V5
-- (BOOLEAN and BIGINT; same columns and tables). Times are microseconds (UTC).

-- a signed-in comment: `verified` is answered in the JSON; `signed_in_as` is
-- a keyed hash of the identity (never the identity itself), so its author
-- can edit or delete it from any device where they are signed in
ALTER TABLE comments ADD COLUMN verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE comments ADD COLUMN signed_in_as TEXT;

-- sessions: the cookie carries a random id; only its hash is kept, so a
-- database leak gives no working cookie. Sign-out deletes the row.
CREATE TABLE sign_in_sessions (
    id_hash         TEXT PRIMARY KEY,
    -- the identity as JSON (name, url, email, photo, verified_by)
    identity        TEXT NOT NULL,
    -- the anti-forgery token the session's writes must carry
    csrf            TEXT NOT NULL,
    created_us      BIGINT NOT NULL,
    expires_us      BIGINT NOT NULL
);
CREATE INDEX sign_in_sessions_expiry ON sign_in_sessions (expires_us);

-- single-use records of a sign-in in progress: e-mail link tokens (by hash)
-- and OpenID Connect / IndieAuth states; taking one deletes it
CREATE TABLE sign_in_flows (
    id              TEXT PRIMARY KEY,
    payload         TEXT NOT NULL,
    expires_us      BIGINT NOT NULL
);
CREATE INDEX sign_in_flows_expiry ON sign_in_flows (expires_us);
