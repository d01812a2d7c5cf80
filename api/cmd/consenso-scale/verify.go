package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// invariants are the rules a seeded archive keeps, each a query counting
// the rows that break it. The foreign keys and CHECK constraints of the
// schema hold already (COPY goes through them); these are the rules the
// schema cannot say.
var invariants = []struct{ name, query string }{
	{"a comment is on a version of its clause that existed when it was written",
		`SELECT count(*) FROM comments c JOIN clause_versions v ON v.clause_id = c.clause_id AND v.number = c.clause_version
		 WHERE v.created_at > c.created_at`},
	{"a comment carries its author's country, or is marked observer, as the author's role says",
		`SELECT count(*) FROM comments c JOIN users u ON u.id = c.author_id
		 WHERE NOT ((u.role = 'delegate' AND c.country_code IS NOT DISTINCT FROM u.country_code AND NOT c.observer)
		         OR (u.role = 'observer' AND c.country_code IS NULL AND c.observer)
		         OR (u.role = 'facilitator' AND c.country_code IS NULL AND NOT c.observer))`},
	{"a reply answers an earlier comment on the same clause",
		`SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id
		 WHERE p.clause_id <> c.clause_id OR p.created_at >= c.created_at`},
	{"comments are in time order with distinct times",
		`SELECT count(*) - count(DISTINCT created_at) FROM comments`},
	{"a clause's version is its newest, and every version before it exists",
		`SELECT count(*) FROM clauses c
		 WHERE c.version <> (SELECT max(number) FROM clause_versions v WHERE v.clause_id = c.id)
		    OR c.version <> (SELECT count(*) FROM clause_versions v WHERE v.clause_id = c.id)`},
	{"versions of a clause are in time order",
		`SELECT count(*) FROM clause_versions a JOIN clause_versions b ON b.clause_id = a.clause_id AND b.number = a.number + 1
		 WHERE b.created_at <= a.created_at`},
	{"a position is recorded by its country's head of delegation, on the clause's current version",
		`SELECT count(*) FROM positions p JOIN users u ON u.id = p.recorded_by JOIN clauses c ON c.id = p.clause_id
		 WHERE NOT (u.head_of_delegation AND u.country_code = p.country_code) OR p.clause_version <> c.version`},
	{"event ids run from 1 without a gap, and the counter is at the last one",
		`SELECT (SELECT count(*) FROM events) - (SELECT coalesce(max(id), 0) FROM events)
		      + abs((SELECT value FROM event_counter) - (SELECT coalesce(max(id), 0) FROM events))
		      + (SELECT count(*) FROM events WHERE id < 1)`},
	{"events are in time order",
		`SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM events) e WHERE back`},
	{"every comment has its comment.created event, by its author, at its time",
		`SELECT (SELECT count(*) FROM comments) - (SELECT count(*) FROM comments c JOIN events e
		   ON e.subject_id = c.id AND e.type = 'comment.created' AND e.actor_id = c.author_id AND e.created_at = c.created_at)`},
	{"every position has its position.recorded event",
		`SELECT (SELECT count(*) FROM positions) - (SELECT count(*) FROM events WHERE type = 'position.recorded')`},
	{"the kept comment counts (and open amendments) are a fresh count of the comments",
		`WITH kept AS (SELECT guideline_id, clause_id, speaker, status, n::bigint AS n FROM comment_counts WHERE n > 0),
		      fresh AS (SELECT guideline_id, clause_id, CASE WHEN country_code IS NOT NULL THEN country_code
		                  WHEN observer THEN 'observer' ELSE 'facilitator' END AS speaker, status, count(*) AS n
		                FROM comments GROUP BY 1, 2, 3, 4
		                UNION ALL
		                SELECT guideline_id, clause_id, CASE WHEN country_code IS NOT NULL THEN country_code
		                  WHEN observer THEN 'observer' ELSE 'facilitator' END, 'open_amendment', count(*)
		                FROM comments WHERE kind = 'amendment' AND status = 'open' GROUP BY 1, 2, 3)
		 SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh) a)
		      + (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept) b)`},
}

// verify runs every invariant and fails on the first one broken.
func verify(ctx context.Context, conn *pgx.Conn) error {
	for _, inv := range invariants {
		var broken int64
		if err := conn.QueryRow(ctx, inv.query).Scan(&broken); err != nil {
			return fmt.Errorf("check %q: %w", inv.name, err)
		}
		if broken != 0 {
			return fmt.Errorf("invariant broken (%d rows): %s", broken, inv.name)
		}
	}
	return nil
}
