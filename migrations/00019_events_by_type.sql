-- +goose Up
-- An integration reads only a guideline's publication events (adoption,
-- progress reports): a handful among a million comment events. Read
-- through events_guideline, such a page scanned every event after its
-- cursor to find them (155 ms at a million events, on every poll and on
-- every wake-up of an integration's live stream); read through this index
-- it seeks to each type's next events (0.06 ms; docs/performance.md). The index is built inside the migration's transaction (the
-- SQL both databases accept has no CONCURRENTLY): writes to events, that is
-- publication, wait while it is built: under a second at a million events.
CREATE INDEX events_guideline_type ON events (guideline_id, type, id);

-- +goose Down
DROP INDEX events_guideline_type;
