-- +goose Up
-- How many comments each speaker has on each clause, by status, kept in the
-- transactions that change comments so that the counts of a guideline are
-- read, not grouped from every comment on each request. The speaker is the
-- country code, or "observer" for observers' comments, or "facilitator".
-- A row whose count fell to zero stays (n = 0) and is not read.
CREATE TABLE comment_counts (
    guideline_id TEXT NOT NULL,
    clause_id    TEXT NOT NULL REFERENCES clauses (id),
    speaker      TEXT NOT NULL,
    status       TEXT NOT NULL,
    n            INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (clause_id, speaker, status)
);
CREATE INDEX comment_counts_guideline ON comment_counts (guideline_id, clause_id);

INSERT INTO comment_counts (guideline_id, clause_id, speaker, status, n)
SELECT guideline_id, clause_id,
       CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END,
       status, COUNT(*)
FROM comments
GROUP BY guideline_id, clause_id,
       CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END,
       status;

-- +goose Down
DROP TABLE comment_counts;
