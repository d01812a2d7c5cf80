-- +goose Up
-- A country has one head of delegation: the one account that records its
-- positions (with the alternate it designates). An admin can no longer
-- create a second head beside the country's own and record positions
-- through it; a new head is appointed only once the former one is no
-- longer head (or is disabled), and each change is recorded in the country's
-- guidelines (country.head_changed). The migration fails if a country
-- already has two active heads: make all but one of them no longer head
-- (with the previous version, PATCH /api/v1/users/{id}
-- {"head_of_delegation": false}; or UPDATE users SET head_of_delegation =
-- FALSE WHERE id = '…'), then start this version again (docs/operations.md).
CREATE UNIQUE INDEX users_one_head ON users (country_code) WHERE head_of_delegation AND active;

-- +goose Down
DROP INDEX users_one_head;
