-- +goose Up
-- Webhooks are signed as Standard Webhooks says: secrets are "whsec_" and
-- base64, their decoded bytes the HMAC key. A secret registered before was
-- any 16 to 256 characters used as its own bytes; it is marked "raw:" so it
-- keeps signing with the very same key and is never read as base64.
UPDATE webhooks SET secret = 'raw:' || secret;

-- A rotation keeps the secret it replaced, which signs deliveries too until
-- it expires (both signatures are sent meanwhile).
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at TIMESTAMP;

-- +goose Down
ALTER TABLE webhooks DROP COLUMN previous_secret_expires_at;
ALTER TABLE webhooks DROP COLUMN previous_secret;
UPDATE webhooks SET secret = substr(secret, 5) WHERE secret LIKE 'raw:%';
