package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// The hot lists page with a keyset: at a million comments a page deep in a
// hot clause must cost what the first page costs, which holds only while
// PostgreSQL seeks on the (…, created_at, id) index with the keyset
// condition. This test explains the SQL the store builds (store.DryRun, not
// a copy of it) on enough rows that the planner prefers indexes, and fails
// on a sequential scan, a sort, or a keyset condition applied as a filter.
// It times nothing; docs/performance.md and consenso-scale measure.
func TestHotQueriesUseIndexConditions(t *testing.T) {
	s, t0, w := planWorld(t)
	var clauses []drafting.Clause
	other := drafting.Guideline{}
	mustWrite(t, s, func(tx *store.Tx) error {
		clauses = append(clauses, w.Clause)
		for pos := 2; pos <= 50; pos++ {
			clauses = append(clauses, mustClause(t, tx, w.Section, pos, w.Facilitator.ID, t0))
		}
		// A second guideline, so that guideline_id selects.
		other = mustGuideline(t, tx, w.Facilitator.ID, t0, "CR")
		sec := mustSection(t, tx, other.ID, 1, t0)
		for pos := 1; pos <= 5; pos++ {
			clauses = append(clauses, mustClause(t, tx, sec, pos, w.Facilitator.ID, t0))
		}
		return nil
	})
	hot := clauses[0]
	// 20,000 comments: five hot clauses hold 3,000 each, the rest share
	// 5,000; one every second, interleaved across clauses.
	var ids, guidelines []string
	var counts []int
	for i, c := range clauses {
		ids, guidelines = append(ids, c.ID), append(guidelines, c.GuidelineID)
		if i < 5 {
			counts = append(counts, 3000)
		} else {
			counts = append(counts, 100)
		}
	}
	db := s.DB()
	if err := db.Exec(`INSERT INTO comments (id, guideline_id, clause_id, clause_version, author_id, country_code, kind, body,
			status, revision, created_at, updated_at)
		SELECT gen_random_uuid()::text, c.gid, c.cid, 1, ?, 'CR', 'general', 'Comment ' || n, 'open', 1,
			?::timestamp + make_interval(secs => n * 60 + c.ord), ?::timestamp + make_interval(secs => n * 60 + c.ord)
		FROM unnest(?::text[], ?::text[], ?::int[]) WITH ORDINALITY AS c(cid, gid, n_comments, ord)
		CROSS JOIN LATERAL generate_series(1, c.n_comments) AS n`,
		w.Delegate.ID, t0, t0, pgArray(ids), pgArray(guidelines), pgIntArray(counts)).Error; err != nil {
		t.Fatalf("insert comments: %v", err)
	}
	// 20,000 positions: 50 rounds of the eight countries on every clause of
	// the first guideline, each round superseding the one before.
	if err := db.Exec(`INSERT INTO positions (id, clause_id, country_code, clause_version, stance, recorded_by, recorded_as,
			superseded, created_at)
		SELECT gen_random_uuid()::text, c.cid, k.code, 1, 'agree', ?, 'head_of_delegation', r < 50,
			?::timestamp + make_interval(secs => r * 3600 + c.ord * 8 + k.ord)
		FROM unnest(?::text[]) WITH ORDINALITY AS c(cid, ord)
		CROSS JOIN unnest(ARRAY['BZ','CR','SV','GT','HN','MX','NI','PA']) WITH ORDINALITY AS k(code, ord)
		CROSS JOIN generate_series(1, 50) AS r`,
		w.Delegate.ID, t0, pgArray(ids[:50])).Error; err != nil {
		t.Fatalf("insert positions: %v", err)
	}
	if err := db.Exec("ANALYZE comments; ANALYZE positions").Error; err != nil {
		t.Fatalf("analyze: %v", err)
	}

	// Cursors deep in each list, taken from the lists themselves.
	deepComment := func(f store.CommentFilter) *store.CommentCursor {
		f.Limit = 1500
		cs := read(t, s, func(tx *store.Tx) ([]drafting.Comment, error) { return tx.Comments(f) })
		last := cs[len(cs)-1]
		return &store.CommentCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	clauseCursor := deepComment(store.CommentFilter{ClauseID: hot.ID})
	guidelineCursor := deepComment(store.CommentFilter{GuidelineID: w.Guideline.ID})
	// Bounds 200 comments further (a bound of 2,000 in a list as busy as
	// a hot clause at a million comments: the planner reads up to it in
	// index order only when the list goes on well beyond it).
	bound := func(f store.CommentFilter, after *store.CommentCursor) *store.CommentCursor {
		f.After, f.Limit = after, 200
		cs := read(t, s, func(tx *store.Tx) ([]drafting.Comment, error) { return tx.Comments(f) })
		last := cs[len(cs)-1]
		return &store.CommentCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	clauseBound := bound(store.CommentFilter{ClauseID: hot.ID}, clauseCursor)
	guidelineBound := bound(store.CommentFilter{GuidelineID: w.Guideline.ID}, guidelineCursor)
	history := read(t, s, func(tx *store.Tx) ([]store.PositionRecord, error) { return tx.PositionHistory(hot.ID, nil, 200) })
	positionCursor := &store.PositionCursor{CreatedAt: history[len(history)-1].CreatedAt, ID: history[len(history)-1].ID}

	cases := []struct {
		name, table, index string
		query              func(tx *store.Tx) error
		// bounded: the statement reads between two keys of the index,
		// so it may sort what it read (no more than the bound).
		bounded bool
	}{
		{"clause_comments_after_cursor", "comments", "comments_clause", func(tx *store.Tx) error {
			_, err := tx.Comments(store.CommentFilter{ClauseID: hot.ID, After: clauseCursor, Limit: 51})
			return err
		}, false},
		{"guideline_comments_after_cursor", "comments", "comments_guideline", func(tx *store.Tx) error {
			_, err := tx.Comments(store.CommentFilter{GuidelineID: w.Guideline.ID, After: guidelineCursor, Limit: 51})
			return err
		}, false},
		// A filter the index does not hold: the page's bound, found by a
		// seek, then the page between the cursor and the bound.
		{"clause_comments_bound", "comments", "comments_clause", func(tx *store.Tx) error {
			return tx.CommentBound(store.CommentFilter{ClauseID: hot.ID, Country: "MX", After: clauseCursor, Limit: 51}, 200)
		}, false},
		{"clause_comments_of_a_rare_country_up_to_the_bound", "comments", "comments_clause", func(tx *store.Tx) error {
			return tx.CommentsUpTo(store.CommentFilter{ClauseID: hot.ID, Country: "MX", After: clauseCursor, Limit: 51}, *clauseBound)
		}, true},
		{"guideline_comments_bound", "comments", "comments_guideline", func(tx *store.Tx) error {
			return tx.CommentBound(store.CommentFilter{GuidelineID: w.Guideline.ID, Country: "MX", After: guidelineCursor, Limit: 51}, 200)
		}, false},
		{"guideline_comments_of_a_rare_country_up_to_the_bound", "comments", "comments_guideline", func(tx *store.Tx) error {
			return tx.CommentsUpTo(store.CommentFilter{GuidelineID: w.Guideline.ID, Country: "MX", After: guidelineCursor, Limit: 51}, *guidelineBound)
		}, true},
		{"position_history_after_cursor", "positions", "positions_history", func(tx *store.Tx) error {
			_, err := tx.PositionHistory(hot.ID, positionCursor, 51)
			return err
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stmts, err := s.DryRun(tc.query)
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if len(stmts) == 0 {
				t.Fatal("the query built no statement")
			}
			for _, st := range stmts {
				nodes := planNodes(explain(t, s, st))
				seek := false
				for _, n := range nodes {
					switch {
					case strings.Contains(n.Type, "Seq Scan") && n.Relation == tc.table:
						t.Errorf("sequential scan on %s:\n%s", tc.table, describe(nodes))
					case (n.Type == "Sort" || n.Type == "Incremental Sort") && !tc.bounded:
						t.Errorf("the page is sorted, not read in index order:\n%s", describe(nodes))
					case strings.Contains(n.Filter, "created_at"):
						t.Errorf("the keyset condition is a filter, not an index condition:\n%s", describe(nodes))
					case n.Index == tc.index && strings.Contains(n.IndexCond, "ROW(created_at, id)") &&
						(!tc.bounded || strings.Contains(n.IndexCond, "ROW(created_at, id) <=")):
						seek = true
					}
				}
				if !seek {
					t.Errorf("no index condition with the keyset row value on %s:\n%s\nSQL: %s", tc.index, describe(nodes), st.SQL)
				}
			}
		})
	}
}

// An integration's page of the log holds publication events only: each
// type's next events are read by seeking the (guideline_id, type, id) index,
// never by filtering the events after the cursor, under the plan the
// parameters give and under the generic plan a cached statement may get.
func TestPublicationEventsSeekByType(t *testing.T) {
	s, t0, w := planWorld(t)
	other := mustWorld(t, s, t0)
	// 40,000 events in two guidelines; two publication events among them.
	if err := s.DB().Exec(`INSERT INTO events (id, guideline_id, type, actor_id, subject_id, data, created_at)
		SELECT n, CASE WHEN n % 2 = 0 THEN ? ELSE ? END,
			CASE n WHEN 10000 THEN 'guideline.adopted' WHEN 30000 THEN 'progress.reported' ELSE 'comment.created' END,
			?, 'subject', '{}', ?::timestamp + make_interval(secs => n)
		FROM generate_series(1, 40000) AS n`, w.Guideline.ID, other.Guideline.ID, w.Delegate.ID, t0).Error; err != nil {
		t.Fatalf("insert events: %v", err)
	}
	if err := s.DB().Exec("ANALYZE events").Error; err != nil {
		t.Fatalf("analyze: %v", err)
	}
	f := store.EventFilter{GuidelineID: w.Guideline.ID, After: 2, Limit: 51,
		Types: []string{drafting.EventGuidelineAdopted, drafting.EventProgressReported}}
	got := read(t, s, func(tx *store.Tx) ([]drafting.Event, error) { return tx.Events(f) })
	if len(got) != 2 || got[0].ID != 10000 || got[1].ID != 30000 {
		t.Fatalf("publication events = %+v, want ids 10000 and 30000", got)
	}
	stmts, err := s.DryRun(func(tx *store.Tx) error { _, err := tx.Events(f); return err })
	if err != nil || len(stmts) != 1 {
		t.Fatalf("dry run: %v, %d statements", err, len(stmts))
	}
	for _, generic := range []bool{false, true} {
		t.Run(fmt.Sprintf("generic_plan_%v", generic), func(t *testing.T) {
			nodes := planNodes(explainPlan(t, s, stmts[0], generic))
			seeks := 0
			for _, n := range nodes {
				switch {
				case n.Relation != "events":
				case n.Index != "events_guideline_type" || strings.Contains(n.Filter, "type"):
					t.Errorf("events read other than by seeking events_guideline_type:\n%s", describe(nodes))
				case strings.Contains(n.IndexCond, "type") && strings.Contains(n.IndexCond, "id >"):
					seeks++
				}
			}
			if seeks != len(f.Types) {
				t.Errorf("%d index seeks on (guideline_id, type, id), want one per type (%d):\n%s\nSQL: %s",
					seeks, len(f.Types), describe(nodes), stmts[0].SQL)
			}
		})
	}
}

// planWorld opens a PostgreSQL store for a plan test, with a world made a
// month before the test clock's now; it skips on SQLite, whose planner is
// not the one production runs.
func planWorld(t *testing.T) (*store.Store, time.Time, world) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("plans are PostgreSQL's: set TEST_DATABASE_URL (SQLite's planner is not the one production runs)")
	}
	s, clk := openStore(t)
	t0 := clk.Now().Add(-30 * 24 * time.Hour)
	return s, t0, mustWorld(t, s, t0)
}

// planNode is what the test reads of one node of an EXPLAIN (FORMAT JSON)
// plan.
type planNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	Plans     []planNode `json:"Plans"`
}

// explain returns the plan PostgreSQL chooses for st with its arguments.
func explain(t *testing.T, s *store.Store, st store.Statement) planNode {
	t.Helper()
	return explainPlan(t, s, st, false)
}

// explainPlan returns the plan PostgreSQL chooses for st with its
// arguments or, when generic is set, the plan made without their values,
// which a statement cached on a connection may be given after five runs.
func explainPlan(t *testing.T, s *store.Store, st store.Statement, generic bool) planNode {
	t.Helper()
	sqlDB, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var raw string
	if !generic {
		if err := conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+st.SQL, st.Vars...).Scan(&raw); err != nil {
			t.Fatalf("explain %s: %v", st.SQL, err)
		}
	} else {
		// EXPLAIN plans with the values bound; a prepared statement run
		// under force_generic_plan shows the plan made without them.
		args := make([]string, len(st.Vars))
		for i, v := range st.Vars {
			switch v := v.(type) {
			case string:
				args[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
			case int, int64:
				args[i] = fmt.Sprint(v)
			default:
				t.Fatalf("argument %d of %s is a %T: write it as a literal here", i+1, st.SQL, v)
			}
		}
		for _, q := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE explained AS " + st.SQL} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		defer conn.ExecContext(ctx, "DEALLOCATE explained; RESET plan_cache_mode") //nolint:errcheck // the pool keeps the connection
		if err := conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) EXECUTE explained("+strings.Join(args, ", ")+")").Scan(&raw); err != nil {
			t.Fatalf("explain the generic plan of %s: %v", st.SQL, err)
		}
	}
	var out []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil || len(out) != 1 {
		t.Fatalf("read plan %s: %v", raw, err)
	}
	return out[0].Plan
}

// planNodes flattens a plan tree, root first.
func planNodes(n planNode) []planNode {
	out := []planNode{n}
	for _, c := range n.Plans {
		out = append(out, planNodes(c)...)
	}
	return out
}

func describe(nodes []planNode) string {
	var b strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s %s %s index cond=%q filter=%q\n", n.Type, n.Relation, n.Index, n.IndexCond, n.Filter)
	}
	return b.String()
}

// pgArray writes a PostgreSQL text[] literal of plain ids.
func pgArray(ss []string) string { return "{" + strings.Join(ss, ",") + "}" }

func pgIntArray(ns []int) string {
	ss := make([]string, len(ns))
	for i, n := range ns {
		ss[i] = fmt.Sprint(n)
	}
	return pgArray(ss)
}
