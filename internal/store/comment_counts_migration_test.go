package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestMigrationCommentCounts: migration 00012 fills comment_counts from the
// comments already written — delegations' by country, observers' and
// facilitators' apart, per clause and status — so that the kept counts equal
// a fresh count; down drops the table and up fills it again.
func TestMigrationCommentCounts(t *testing.T) {
	s, now, exec := openMigratedTo(t, 11)
	db := s.DB()
	countUsers(exec, now)
	for _, g := range []string{"g1", "g2"} {
		exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
			VALUES (?, '{"en":"T"}', ?, '["en"]', 'drafting', 1, 'fac', ?, ?)`, g, g, now, now)
		exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES (?, ?, '{"en":"I"}', 1, ?)`, "s"+g, g, now)
	}
	for i, c := range []struct{ id, gid string }{{"c1", "g1"}, {"c2", "g1"}, {"c3", "g2"}} {
		exec(`INSERT INTO clauses (id, guideline_id, section_id, position, number, status, version, revision, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'open', 1, 1, ?, ?)`, c.id, c.gid, "s"+c.gid, i+1, fmt.Sprintf("1.%d", i+1), now, now)
		exec(`INSERT INTO clause_versions (clause_id, number, text, author_id, created_at) VALUES (?, 1, '{"en":"T"}', 'fac', ?)`, c.id, now)
	}
	comments := []struct {
		clause, gid, author string
		country             any
		observer            bool
		status              string
	}{
		{"c1", "g1", "bz", "BZ", false, "open"},
		{"c1", "g1", "bz", "BZ", false, "open"},
		{"c1", "g1", "bz", "BZ", false, "withdrawn"},
		{"c1", "g1", "mx", "MX", false, "incorporated"},
		{"c1", "g1", "obs", nil, true, "open"},
		{"c1", "g1", "obs", nil, true, "open"},
		{"c1", "g1", "fac", nil, false, "open"},
		{"c1", "g1", "fac", nil, false, "addressed"},
		{"c2", "g1", "mx", "MX", false, "declined"},
		{"c3", "g2", "bz", "BZ", false, "open"},
	}
	for i, c := range comments {
		exec(`INSERT INTO comments (id, guideline_id, clause_id, clause_version, author_id, country_code, observer, kind, body, status,
			revision, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, 'general', 'b', ?, 1, ?, ?)`,
			fmt.Sprintf("k%02d", i), c.gid, c.clause, c.author, c.country, c.observer, c.status, now, now)
	}
	want := map[string]int{"c1/BZ/open": 2, "c1/BZ/withdrawn": 1, "c1/MX/incorporated": 1, "c1/observer/open": 2,
		"c1/facilitator/open": 1, "c1/facilitator/addressed": 1, "c2/MX/declined": 1}
	check := func() {
		t.Helper()
		if n := storetest.CommentCountsMatch(t, s); n != len(want)+1 {
			t.Fatalf("%d counts, want %d", n, len(want)+1)
		}
		counts := read(t, s, func(tx *store.Tx) ([]store.CommentCount, error) { return tx.CommentCounts("g1") })
		got := map[string]int{}
		for _, c := range counts {
			for st, n := range c.ByStatus {
				got[c.ClauseID+"/"+c.Speaker+"/"+string(st)] = n
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counts of g1 = %v, want %v", got, want)
		}
	}
	upDownUp(t, s, 12, 11, check, func() {
		if err := db.Exec("SELECT 1 FROM comment_counts").Error; err == nil {
			t.Fatal("comment_counts is still there after down")
		}
	})
}

// TestMigrationOpenAmendments: migration 00020 counts the open amendments
// already written, per clause and speaker, besides their counts by status;
// down removes them and up counts them again.
func TestMigrationOpenAmendments(t *testing.T) {
	s, now, exec := openMigratedTo(t, 19)
	countUsers(exec, now)
	exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
		VALUES ('g', '{"en":"T"}', 'g', '["en"]', 'drafting', 1, 'fac', ?, ?)`, now, now)
	exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES ('s', 'g', '{"en":"I"}', 1, ?)`, now)
	for i, c := range []string{"c1", "c2"} {
		exec(`INSERT INTO clauses (id, guideline_id, section_id, position, number, status, version, revision, created_at, updated_at)
			VALUES (?, 'g', 's', ?, ?, 'open', 1, 1, ?, ?)`, c, i+1, fmt.Sprintf("1.%d", i+1), now, now)
		exec(`INSERT INTO clause_versions (clause_id, number, text, author_id, created_at) VALUES (?, 1, '{"en":"T"}', 'fac', ?)`, c, now)
	}
	for i, c := range []struct {
		clause, author string
		country        any
		observer       bool
		kind, status   string
	}{
		{"c1", "bz", "BZ", false, "amendment", "open"},
		{"c1", "bz", "BZ", false, "amendment", "open"},
		{"c1", "bz", "BZ", false, "amendment", "declined"},
		{"c1", "mx", "MX", false, "general", "open"},
		{"c1", "obs", nil, true, "amendment", "open"},
		{"c2", "mx", "MX", false, "amendment", "open"},
		{"c2", "mx", "MX", false, "amendment", "incorporated"},
	} {
		var proposed any
		if c.kind == "amendment" {
			proposed = `{"en":"New"}`
		}
		exec(`INSERT INTO comments (id, guideline_id, clause_id, clause_version, author_id, country_code, observer, kind, body,
			proposed_text, status, revision, created_at, updated_at) VALUES (?, 'g', ?, 1, ?, ?, ?, ?, 'b', ?, ?, 1, ?, ?)`,
			fmt.Sprintf("k%02d", i), c.clause, c.author, c.country, c.observer, c.kind, proposed, c.status, now, now)
	}
	// The counts by status, as the writes of version 19 kept them.
	exec(`INSERT INTO comment_counts (guideline_id, clause_id, speaker, status, n)
		SELECT guideline_id, clause_id, CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END,
			status, COUNT(*) FROM comments GROUP BY 1, 2, 3, 4`)
	want := map[string]int{"c1/BZ": 2, "c1/MX": 0, "c1/observer": 1, "c2/MX": 1}
	check := func() {
		t.Helper()
		storetest.CommentCountsMatch(t, s)
		counts := read(t, s, func(tx *store.Tx) ([]store.CommentCount, error) { return tx.CommentCounts("g") })
		got := map[string]int{}
		for _, c := range counts {
			got[c.ClauseID+"/"+c.Speaker] = c.OpenAmendments
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("open amendments = %v, want %v", got, want)
		}
	}
	upDownUp(t, s, 20, 19, check, func() {
		var left int64
		if err := s.DB().Raw("SELECT COUNT(*) FROM comment_counts WHERE status = ?", store.OpenAmendmentBucket).Scan(&left).Error; err != nil || left != 0 {
			t.Fatalf("%d open amendment counts after down (%v)", left, err)
		}
	})
}

// countUsers writes, as raw rows, the authors of the comment-count
// migrations' tests: a facilitator (fac), delegates of BZ (bz) and MX (mx),
// and an observer (obs).
func countUsers(exec func(sql string, args ...any), now time.Time) {
	for _, u := range []struct {
		id, role string
		country  any
	}{{"fac", "facilitator", nil}, {"bz", "delegate", "BZ"}, {"mx", "delegate", "MX"}, {"obs", "observer", nil}} {
		exec(`INSERT INTO users (id, email, name, password_hash, role, country_code, active, revision, created_at, updated_at)
			VALUES (?, ?, ?, 'x', ?, ?, TRUE, 1, ?, ?)`, u.id, u.id+"@example.org", u.id, u.role, u.country, now, now)
	}
}
