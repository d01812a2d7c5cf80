-- +goose Up
CREATE TABLE guidelines (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    languages  TEXT NOT NULL,          -- JSON array of language codes, in display order
    status     TEXT NOT NULL CHECK (status IN ('drafting', 'adopted')),
    revision   INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The consensus body of a guideline.
CREATE TABLE guideline_participants (
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    country_code TEXT NOT NULL REFERENCES countries (code),
    PRIMARY KEY (guideline_id, country_code)
);

CREATE TABLE sections (
    id           TEXT PRIMARY KEY,
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    title        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX sections_guideline ON sections (guideline_id, position);

-- A clause row carries the current state; its text lives in clause_versions.
-- revision grows on every change and is the optimistic-concurrency guard
-- (UPDATE ... WHERE revision = ?) and the source of the clause ETag.
CREATE TABLE clauses (
    id                 TEXT PRIMARY KEY,
    guideline_id       TEXT NOT NULL REFERENCES guidelines (id),
    section_id         TEXT NOT NULL REFERENCES sections (id),
    position           INTEGER NOT NULL,
    number             TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'open', 'contested', 'consensus', 'silence', 'agreed')),
    version            INTEGER NOT NULL,
    revision           INTEGER NOT NULL DEFAULT 1,
    silence_deadline   TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK ((status = 'silence') = (silence_deadline IS NOT NULL))
);
CREATE INDEX clauses_guideline ON clauses (guideline_id, section_id, position);
CREATE INDEX clauses_silence ON clauses (status, silence_deadline);

-- Immutable: rows are only ever inserted.
CREATE TABLE clause_versions (
    clause_id    TEXT NOT NULL REFERENCES clauses (id),
    number       INTEGER NOT NULL,
    text         TEXT NOT NULL,          -- JSON object language -> text
    note         TEXT NOT NULL DEFAULT '',
    incorporates TEXT NOT NULL DEFAULT '[]', -- JSON array of comment ids
    author_id    TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (clause_id, number)
);

-- Drafts are immutable snapshots: which version of every clause, where.
CREATE TABLE drafts (
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    number       INTEGER NOT NULL,
    label        TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (guideline_id, number)
);

CREATE TABLE draft_clauses (
    guideline_id     TEXT NOT NULL,
    draft_number     INTEGER NOT NULL,
    clause_id        TEXT NOT NULL REFERENCES clauses (id),
    clause_version   INTEGER NOT NULL,
    section_id       TEXT NOT NULL,
    section_title    TEXT NOT NULL,
    section_position INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    number           TEXT NOT NULL,
    status           TEXT NOT NULL,
    PRIMARY KEY (guideline_id, draft_number, clause_id),
    FOREIGN KEY (guideline_id, draft_number) REFERENCES drafts (guideline_id, number),
    FOREIGN KEY (clause_id, clause_version) REFERENCES clause_versions (clause_id, number)
);

-- Append-only event log. ids come from event_counter, incremented inside the
-- writing transaction, so they are gap-free and visible in commit order: a
-- reader paging with ?after= never skips an event that commits late.
CREATE TABLE event_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO event_counter (id, value) VALUES (1, 0);

CREATE TABLE events (
    id           BIGINT PRIMARY KEY,
    guideline_id TEXT,
    type         TEXT NOT NULL,
    actor_id     TEXT,
    subject_id   TEXT NOT NULL,
    data         TEXT NOT NULL,          -- JSON object
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX events_guideline ON events (guideline_id, id);

-- +goose Down
DROP TABLE events;
DROP TABLE event_counter;
DROP TABLE draft_clauses;
DROP TABLE drafts;
DROP TABLE clause_versions;
DROP TABLE clauses;
DROP TABLE sections;
DROP TABLE guideline_participants;
DROP TABLE guidelines;
