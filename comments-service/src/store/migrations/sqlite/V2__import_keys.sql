-- Items brought in by `causerie-comments import`, keyed by the export they
-- came from and their id there, so running the same import again adds nothing.
CREATE TABLE import_keys (
    format          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    comment_id      INTEGER NOT NULL REFERENCES comments(id),
    PRIMARY KEY (format, source_id)
) WITHOUT ROWID;
