-- +goose Up
-- Session 2 of the meeting: each delegation's national workshop outcomes
-- (advances, challenges, good practices by area), versioned like clauses:
-- the row carries the current state, its content lives in immutable
-- versions. area and kind are kept on the row too, for the lists and the
-- regional synthesis to filter and group without reading every version.
CREATE TABLE national_inputs (
    id           TEXT PRIMARY KEY,
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    country_code TEXT NOT NULL REFERENCES countries (code),
    area         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('advance', 'challenge', 'good_practice')),
    version      INTEGER NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX national_inputs_guideline ON national_inputs (guideline_id, created_at, id);

CREATE TABLE national_input_versions (
    input_id   TEXT NOT NULL REFERENCES national_inputs (id),
    number     INTEGER NOT NULL,
    area       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,            -- JSON object language -> text
    source     TEXT NOT NULL DEFAULT '',
    author_id  TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (input_id, number)
);

-- Traceability: the national inputs a clause answers (its sources), set by
-- the facilitator.
CREATE TABLE clause_sources (
    clause_id TEXT NOT NULL REFERENCES clauses (id),
    input_id  TEXT NOT NULL REFERENCES national_inputs (id),
    PRIMARY KEY (clause_id, input_id)
);
CREATE INDEX clause_sources_input ON clause_sources (input_id);

-- +goose Down
DROP TABLE clause_sources;
DROP TABLE national_input_versions;
DROP TABLE national_inputs;
