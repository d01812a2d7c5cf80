-- +goose Up
-- The open amendments of a page of clauses, per clause and speaker, for the
-- comment counts (the overview shows which clauses have new wording
-- waiting): a partial index holds only the open amendments, with what
-- names the speaker, so counting a page's reads nothing else. Comments
-- leave it as they are resolved. Queries name its predicate literally
-- (kind = 'amendment' AND status = 'open'), so that every plan may use it.
CREATE INDEX comments_open_amendments ON comments (guideline_id, clause_id, country_code, observer)
    WHERE kind = 'amendment' AND status = 'open';

-- +goose Down
DROP INDEX comments_open_amendments;
