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

-- +goose Down
DROP INDEX positions_confirm_by;
ALTER TABLE positions DROP COLUMN lapsed_at;
ALTER TABLE positions DROP COLUMN confirm_by;
ALTER TABLE positions DROP COLUMN ad_referendum;
