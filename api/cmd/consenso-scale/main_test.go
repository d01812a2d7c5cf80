package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
)

func TestLoopbackOnly(t *testing.T) {
	for _, ok := range []string{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"postgresql://u@localhost/db",
		"postgres://u@[::1]:5432/db",
		"postgres://u@127.0.0.2/db",
	} {
		if err := loopbackDB(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "consenso.db", "postgres://u@10.0.0.5/db", "postgres://u@192.168.1.2/db", "postgres://u@db.example.org/db",
		"postgres://u@/db?host=/var/run/postgresql",
	} {
		if err := loopbackDB(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The plan follows the domain's rules before a row is written: a clause's
// status is what its positions derive, comments are on versions that
// existed, replies answer earlier comments on the same clause.
func TestPlanFollowsTheRules(t *testing.T) {
	s := shape{Name: "tiny", Sections: 2, ClausesPerSection: 5, Comments: 500, Hot: 2, HotShare: 0.3, Delegates: 1}
	p := newPlan(s, 1, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(p.Clauses) != 10 || len(p.Comments) != 500 || len(p.Users) != 1+3+2+8*2 {
		t.Fatalf("plan: %d clauses, %d comments, %d users", len(p.Clauses), len(p.Comments), len(p.Users))
	}
	created := map[[2]int]time.Time{}
	for _, v := range p.Versions {
		created[[2]int{int(v.Clause), v.Number}] = v.Created
	}
	for i, cm := range p.Comments {
		v, ok := created[[2]int{int(cm.Clause), int(cm.Version)}]
		if !ok || v.After(p.commentTime(i)) {
			t.Fatalf("comment %d is on version %d of clause %d, made at %v (exists %v), after it", i, cm.Version, cm.Clause, v, ok)
		}
		if cm.Parent >= 0 && (cm.Parent >= int32(i) || p.Comments[cm.Parent].Clause != cm.Clause) {
			t.Fatalf("comment %d replies to %d", i, cm.Parent)
		}
	}
	byClause := map[int32][]drafting.Position{}
	for _, ps := range p.Positions {
		byClause[ps.Clause] = append(byClause[ps.Clause], drafting.Position{Country: ps.Country, ClauseVersion: p.Clauses[ps.Clause].Version, Stance: ps.Stance})
	}
	locked := map[int32]bool{}
	for _, l := range p.Locks {
		locked[l.Clause] = true
	}
	for i, c := range p.Clauses {
		want := drafting.Derive(countries, c.Version, byClause[int32(i)])
		if locked[int32(i)] {
			if want != drafting.StatusConsensus {
				t.Errorf("clause %s locked while %s", c.Number, want)
			}
			want = drafting.StatusAgreed
		}
		if c.Status != want {
			t.Errorf("clause %s is %s, its positions derive %s", c.Number, c.Status, want)
		}
	}
	if again := newPlan(s, 1, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); again.Comments[499].ID != p.Comments[499].ID {
		t.Error("the same seed made another plan")
	}
}

// testDB is the PostgreSQL server of TEST_DATABASE_URL, or skips.
func testDB(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		t.Skip("the scale benchmark runs on PostgreSQL only: set TEST_DATABASE_URL")
	}
	return u
}

// A tiny run of the whole command — both archives built, verified,
// served, measured and dropped — prints the table with every endpoint
// answered. Nothing is timed.
func TestRunSmallAgainstTiny(t *testing.T) {
	db := testDB(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"-db", db, "-sizes", "small,large", "-large-comments", "3000", "-large-sections", "2",
		"-requests", "4", "-workers", "2", "-warmup", "1", "-deep", "10"}, &out, io.Discard, time.Now)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| endpoint") && !strings.HasPrefix(line, "| ---") {
			rows++
			if strings.Contains(line, "error") || strings.Contains(line, "timeout") {
				t.Errorf("endpoint not measured: %s", line)
			}
		}
	}
	if rows != 14 {
		t.Errorf("%d endpoint rows, want 14:\n%s", rows, out.String())
	}
	if !strings.Contains(out.String(), "page 10 of the guideline's") {
		t.Errorf("the guideline's deep page was not reached through its cursors:\n%s", out.String())
	}
	// The schemas are dropped.
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'consenso_scale_%'
		AND nspname = ANY($1)`, schemasIn(out.String())).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d schemas left behind", left)
	}
}

func schemasIn(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "consenso_scale_") {
			out = append(out, strings.Trim(f, ".,;:"))
		}
	}
	return out
}

// verify has teeth: a seeded archive passes, and one with a comment dated
// before the version it comments on, or an event counter behind the log,
// fails.
func TestVerifyFindsBrokenInvariants(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	hash, err := auth.HashPassword(auth.FastArgon2, seedPassword)
	if err != nil {
		t.Fatal(err)
	}
	breaks := map[string]string{
		"comment before its version": `UPDATE comments SET created_at = created_at - interval '1000 days'
			WHERE id = (SELECT id FROM comments ORDER BY created_at LIMIT 1)`,
		"counter behind the log": `UPDATE event_counter SET value = value - 1`,
		"comment counts behind": `UPDATE comment_counts SET n = n + 1
			WHERE clause_id = (SELECT clause_id FROM comment_counts ORDER BY clause_id LIMIT 1)`,
		"comment without its country": `UPDATE comments SET country_code = NULL
			WHERE id = (SELECT id FROM comments WHERE country_code IS NOT NULL LIMIT 1)`,
	}
	for name, breaking := range breaks {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			conn := mustSchema(t, db)
			p := newPlan(shape{Name: "tiny", Sections: 1, ClausesPerSection: 4, Comments: 300, Hot: 1, HotShare: 0.3, Delegates: 1}, 2, time.Now())
			if _, err := seed(ctx, conn, p, hash); err != nil {
				t.Fatalf("seed: %v", err)
			}
			if err := verify(ctx, conn); err != nil {
				t.Fatalf("a seeded archive: %v", err)
			}
			if _, err := conn.Exec(ctx, breaking); err != nil {
				t.Fatal(err)
			}
			if err := verify(ctx, conn); err == nil {
				t.Fatalf("verify passed with %s", name)
			}
		})
	}
}

// mustSchema migrates a fresh schema and returns a connection to it; both
// go away with the test.
func mustSchema(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	schema := "consenso_scale_test_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	schema = schema[:min(len(schema), 60)]
	if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent(schema)+" CASCADE; CREATE SCHEMA "+quoteIdent(schema)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+quoteIdent(schema)+" CASCADE")
		_ = admin.Close(context.Background())
	})
	u, err := withSearchPath(db, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, u, nil, time.Now); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
