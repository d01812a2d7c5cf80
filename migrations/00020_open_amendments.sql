-- +goose Up
-- The comment counts also keep, per clause and speaker, how many of the
-- open comments are amendments (the overview shows which clauses have new
-- wording waiting): rows whose status is the bucket 'open_amendment',
-- counted besides 'open', kept by the same writes as the other counts.
-- Replicas of an earlier version do not keep them: stop them all before
-- this migration runs (docs/operations.md).
INSERT INTO comment_counts (guideline_id, clause_id, speaker, status, n)
SELECT guideline_id, clause_id,
       CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END,
       'open_amendment', COUNT(*)
FROM comments
WHERE kind = 'amendment' AND status = 'open'
GROUP BY guideline_id, clause_id,
       CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END;

-- +goose Down
DELETE FROM comment_counts WHERE status = 'open_amendment';
