-- +goose Up
INSERT INTO countries (code, name, language, created_at) VALUES
    ('BZ', 'Belize', 'en', CURRENT_TIMESTAMP),
    ('CR', 'Costa Rica', 'es', CURRENT_TIMESTAMP),
    ('SV', 'El Salvador', 'es', CURRENT_TIMESTAMP),
    ('GT', 'Guatemala', 'es', CURRENT_TIMESTAMP),
    ('HN', 'Honduras', 'es', CURRENT_TIMESTAMP),
    ('MX', 'Mexico', 'es', CURRENT_TIMESTAMP),
    ('NI', 'Nicaragua', 'es', CURRENT_TIMESTAMP),
    ('PA', 'Panama', 'es', CURRENT_TIMESTAMP);

-- +goose Down
DELETE FROM countries WHERE code IN ('BZ', 'CR', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA');
