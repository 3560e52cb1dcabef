-- Items brought in by `causerie-comments import` (see sqlite/V2).
CREATE TABLE import_keys (
    format          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    comment_id      BIGINT NOT NULL REFERENCES comments(id),
    PRIMARY KEY (format, source_id)
);
