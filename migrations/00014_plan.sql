-- +goose Up
-- Session 4 of the meeting: the implementation plan. An action is a clause
-- in a section of kind 'plan', so it is negotiated with the clause
-- machinery as it is (versions, comments, positions, silence, locking,
-- drafts, adoption); what only an action has lives beside it here.
ALTER TABLE sections ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'plan'));

-- An action's details belong to a clause version, like its text: a row is
-- written with the version that set them, and version n's details are the
-- row with the greatest clause_version <= n (a text change keeps them).
-- Rows are only ever inserted.
CREATE TABLE action_details (
    clause_id      TEXT NOT NULL,
    clause_version INTEGER NOT NULL,
    responsible    TEXT NOT NULL,         -- JSON array: country codes, "IOM", "regional"
    timeframe      TEXT NOT NULL,
    indicators     TEXT NOT NULL,         -- JSON object language -> text
    verification   TEXT NOT NULL,         -- JSON object language -> text (means of verification)
    clauses        TEXT NOT NULL,         -- JSON array of the ids of the clauses the action implements
    PRIMARY KEY (clause_id, clause_version),
    FOREIGN KEY (clause_id, clause_version) REFERENCES clause_versions (clause_id, number)
);

-- Follow-up after adoption: every report a country makes on an action it
-- is responsible for; nothing is overwritten, the latest per (action,
-- country) is its current status. seq is the id of the progress.reported
-- event that recorded the report: gap-free and in commit order, so "the
-- latest" is exact even for two reports within one clock tick.
CREATE TABLE progress_reports (
    id           TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    clause_id    TEXT NOT NULL REFERENCES clauses (id),
    country_code TEXT NOT NULL,           -- a country code, or IOM
    status       TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'blocked')),
    note         TEXT NOT NULL DEFAULT '',
    reported_on  TEXT NOT NULL,           -- YYYY-MM-DD, the date the report speaks for
    evidence_url TEXT NOT NULL DEFAULT '',
    reported_by  TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX progress_reports_action ON progress_reports (clause_id, country_code, seq);
CREATE INDEX progress_reports_guideline ON progress_reports (guideline_id, seq);

-- +goose Down
DROP TABLE progress_reports;
DROP TABLE action_details;
ALTER TABLE sections DROP COLUMN kind;
