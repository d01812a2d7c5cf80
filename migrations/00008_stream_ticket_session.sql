-- +goose Up
-- Access tokens carry their sign-in (session); a stream opened with a ticket
-- ends with the sign-in the ticket was issued in.
ALTER TABLE stream_tickets ADD COLUMN session_id TEXT;

-- +goose Down
ALTER TABLE stream_tickets DROP COLUMN session_id;
