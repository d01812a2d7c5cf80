-- +goose Up
-- The alternate a head of delegation designates from the country's own
-- delegation: besides the heads, the only account that may record the
-- country's positions. At most one per country.
CREATE TABLE country_alternates (
    country_code  TEXT PRIMARY KEY REFERENCES countries (code),
    user_id       TEXT NOT NULL REFERENCES users (id),
    designated_by TEXT NOT NULL REFERENCES users (id),
    designated_at TIMESTAMP NOT NULL
);
CREATE INDEX country_alternates_user ON country_alternates (user_id);

-- In which capacity a position was recorded: by the country's head of
-- delegation, by its alternate, or — only before this migration, when a
-- facilitator could record positions "in session" — on the country's behalf
-- by someone outside its delegation. NULL for positions deemed by a silence
-- procedure.
ALTER TABLE positions ADD COLUMN recorded_as TEXT
    CHECK (recorded_as IN ('head_of_delegation', 'alternate', 'on_behalf'));

-- Positions already recorded keep their place in the history, marked: only
-- a delegate of the position's country who heads its delegation counts as
-- the country speaking; anything else (a facilitator, an admin, an account
-- that has since changed) is marked as recorded on its behalf.
UPDATE positions SET recorded_as = CASE
    WHEN recorded_by IS NULL THEN NULL
    WHEN EXISTS (SELECT 1 FROM users u
                 WHERE u.id = positions.recorded_by AND u.role = 'delegate'
                   AND u.head_of_delegation = TRUE AND u.country_code = positions.country_code)
        THEN 'head_of_delegation'
    ELSE 'on_behalf'
END;

-- +goose Down
ALTER TABLE positions DROP COLUMN recorded_as;
DROP INDEX country_alternates_user;
DROP TABLE country_alternates;
