-- +goose Up
-- An Idempotency-Key now remembers what its request created (the kind of
-- resource and its id) instead of the HTTP answer: the HTTP layer renders a
-- replay as it renders a first answer. Keys held across the upgrade are
-- dropped; they live a day.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP COLUMN status;
ALTER TABLE idempotency_keys DROP COLUMN body;
ALTER TABLE idempotency_keys ADD COLUMN resource TEXT NOT NULL DEFAULT '';

-- +goose Down
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP COLUMN resource;
ALTER TABLE idempotency_keys ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN body TEXT NOT NULL DEFAULT '';
