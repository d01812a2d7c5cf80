-- +goose Up
-- Observers and facilitators both comment without a country; observers'
-- comments are marked so, as the author's role was when they wrote.
ALTER TABLE comments ADD COLUMN observer BOOLEAN NOT NULL DEFAULT FALSE;

-- Position history of a clause, newest first.
CREATE INDEX positions_history ON positions (clause_id, created_at, id);

-- +goose Down
DROP INDEX positions_history;
ALTER TABLE comments DROP COLUMN observer;
