-- +goose Up
CREATE TABLE approved_versions (
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    version      INTEGER NOT NULL,
    draft_number INTEGER NOT NULL,
    content      TEXT NOT NULL,          -- canonical JSON, the hashed content
    content_hash TEXT NOT NULL,
    adopted_by   TEXT NOT NULL REFERENCES users (id),
    adopted_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (guideline_id, version),
    UNIQUE (guideline_id, draft_number),
    FOREIGN KEY (guideline_id, draft_number) REFERENCES drafts (guideline_id, number)
);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,            -- JSON array of event types, or ["*"]
    secret     TEXT NOT NULL,            -- needed in clear to sign; never returned
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- The outbox: one row per (webhook, event), written with the event.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
    event_id         BIGINT NOT NULL REFERENCES events (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    claimed_until    TIMESTAMP,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);

-- Single-use tickets for EventSource clients, which cannot send headers.
CREATE TABLE stream_tickets (
    ticket_hash  TEXT PRIMARY KEY,
    user_id      TEXT,
    client_id    TEXT,
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP
);

-- +goose Down
DROP TABLE stream_tickets;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE approved_versions;
