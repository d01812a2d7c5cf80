-- +goose Up
CREATE TABLE countries (
    code       TEXT PRIMARY KEY CHECK (length(code) = 2),
    name       TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('en', 'es')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    password_hash      TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('admin', 'facilitator', 'delegate', 'observer')),
    country_code       TEXT REFERENCES countries (code),
    head_of_delegation BOOLEAN NOT NULL DEFAULT FALSE,
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    revision           INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK (role <> 'delegate' OR country_code IS NOT NULL),
    CHECK (head_of_delegation = FALSE OR role = 'delegate')
);

-- Refresh tokens are opaque; only their SHA-256 is kept. A family is one
-- sign-in: reusing a spent token revokes every token of its family.
CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Integrations are machine clients (OAuth client credentials).
CREATE TABLE integrations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    client_id   TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE integrations;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE countries;
