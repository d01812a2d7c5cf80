-- +goose Up
CREATE TABLE comments (
    id              TEXT PRIMARY KEY,
    guideline_id    TEXT NOT NULL REFERENCES guidelines (id),
    clause_id       TEXT NOT NULL REFERENCES clauses (id),
    clause_version  INTEGER NOT NULL,
    author_id       TEXT NOT NULL REFERENCES users (id),
    country_code    TEXT REFERENCES countries (code), -- NULL for observers and facilitators
    kind            TEXT NOT NULL CHECK (kind IN ('general', 'editorial', 'substantive', 'amendment')),
    body            TEXT NOT NULL,
    proposed_text   TEXT,                -- JSON object language -> text, amendments only
    quote           TEXT,
    parent_id       TEXT REFERENCES comments (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'incorporated', 'addressed', 'declined', 'withdrawn')),
    resolution_note TEXT NOT NULL DEFAULT '',
    resolved_by     TEXT REFERENCES users (id),
    resolved_at     TIMESTAMP,
    revision        INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    FOREIGN KEY (clause_id, clause_version) REFERENCES clause_versions (clause_id, number)
);
CREATE INDEX comments_clause ON comments (clause_id, created_at, id);
CREATE INDEX comments_guideline ON comments (guideline_id, created_at, id);

-- Every position ever taken is kept; the current one per (clause, country) is
-- the row with superseded = FALSE.
CREATE TABLE positions (
    id             TEXT PRIMARY KEY,
    clause_id      TEXT NOT NULL REFERENCES clauses (id),
    country_code   TEXT NOT NULL REFERENCES countries (code),
    clause_version INTEGER NOT NULL,
    stance         TEXT NOT NULL CHECK (stance IN ('agree', 'agree_with_reservation', 'abstain', 'object')),
    reservation    TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT REFERENCES users (id), -- NULL when deemed by a silence procedure
    deemed         BOOLEAN NOT NULL DEFAULT FALSE,
    superseded     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP NOT NULL,
    FOREIGN KEY (clause_id, clause_version) REFERENCES clause_versions (clause_id, number)
);
CREATE UNIQUE INDEX positions_current ON positions (clause_id, country_code) WHERE superseded = FALSE;

-- Idempotency-Key records: the first answer to a creating POST, replayed on retry.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    scope        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE positions;
DROP TABLE comments;
