-- +goose Up
-- An agreement ad referendum awaits its capital's confirmation by
-- confirm_by; confirming records a plain agreement over it, and an
-- unconfirmed one lapses at its deadline: the row is superseded with no
-- successor (the country is pending again) and lapsed_at says when.
ALTER TABLE positions ADD COLUMN ad_referendum BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE positions ADD COLUMN confirm_by TIMESTAMP;
ALTER TABLE positions ADD COLUMN lapsed_at TIMESTAMP;
-- The sweep looks for current agreements whose deadline passed.
CREATE INDEX positions_confirm_by ON positions (confirm_by) WHERE ad_referendum = TRUE AND superseded = FALSE;

-- Equally authentic languages: the languages of a clause's current version
-- not yet aligned with a change made in another, comma-separated, sorted
-- ('' when every language is aligned).
ALTER TABLE clauses ADD COLUMN alignment_pending TEXT NOT NULL DEFAULT '';

-- The delegates a facilitator designated as translators of a guideline:
-- besides facilitators, who may confirm or correct a language pending
-- alignment.
CREATE TABLE guideline_translators (
    guideline_id  TEXT NOT NULL REFERENCES guidelines (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    designated_by TEXT NOT NULL REFERENCES users (id),
    designated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (guideline_id, user_id)
);

-- Alternative texts: a version may carry alternatives A, B, … (a JSON
-- array of texts per language; its text then holds them side by side), the
-- clause how many its current version carries, and an agreement which of
-- them it accepts (labels, comma-separated).
ALTER TABLE clause_versions ADD COLUMN alternatives TEXT;
ALTER TABLE clauses ADD COLUMN alternatives INTEGER NOT NULL DEFAULT 0;
ALTER TABLE positions ADD COLUMN acceptable TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE positions DROP COLUMN acceptable;
ALTER TABLE clauses DROP COLUMN alternatives;
ALTER TABLE clause_versions DROP COLUMN alternatives;
DROP TABLE guideline_translators;
ALTER TABLE clauses DROP COLUMN alignment_pending;
DROP INDEX positions_confirm_by;
ALTER TABLE positions DROP COLUMN lapsed_at;
ALTER TABLE positions DROP COLUMN confirm_by;
ALTER TABLE positions DROP COLUMN ad_referendum;
