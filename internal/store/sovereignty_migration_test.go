package store_test

import (
	"context"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// TestMigrationMarksPositionsRecordedOnBehalf: positions recorded before
// only the country could speak for itself stay in the history, and those
// not recorded by a head of the country's own delegation (a facilitator "in
// session") are marked as recorded on its behalf.
func TestMigrationMarksPositionsRecordedOnBehalf(t *testing.T) {
	ctx := context.Background()
	s, now, exec := openMigratedTo(t, 8)
	for _, u := range []struct{ id, role, country string }{
		{"fac", "facilitator", ""}, {"head-bz", "delegate", "BZ"}, {"officer-bz", "delegate", "BZ"},
	} {
		var country any
		if u.country != "" {
			country = u.country
		}
		exec(`INSERT INTO users (id, email, name, password_hash, role, country_code, head_of_delegation, active, revision, created_at, updated_at)
			VALUES (?, ?, ?, 'x', ?, ?, ?, TRUE, 1, ?, ?)`, u.id, u.id+"@example.org", u.id, u.role, country, u.id == "head-bz", now, now)
	}
	exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
		VALUES ('g', 'G', 'g', '["en"]', 'drafting', 1, 'fac', ?, ?)`, now, now)
	exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES ('s', 'g', 'I', 1, ?)`, now)
	exec(`INSERT INTO clauses (id, guideline_id, section_id, position, number, status, version, revision, created_at, updated_at)
		VALUES ('c', 'g', 's', 1, '1.1', 'open', 1, 1, ?, ?)`, now, now)
	exec(`INSERT INTO clause_versions (clause_id, number, text, author_id, created_at) VALUES ('c', 1, '{"en":"T"}', 'fac', ?)`, now)
	for _, p := range []struct {
		id, country string
		by          any
		superseded  bool
	}{
		{"by-head", "BZ", "head-bz", true},
		{"by-facilitator", "BZ", "fac", false}, // the facilitator overwrote Belize's position
		{"by-facilitator-cr", "CR", "fac", false},
		{"by-other-country", "MX", "head-bz", false},
		{"by-non-head", "NI", "officer-bz", false},
		{"deemed", "GT", nil, false},
	} {
		exec(`INSERT INTO positions (id, clause_id, country_code, clause_version, stance, recorded_by, deemed, superseded, created_at)
			VALUES (?, 'c', ?, 1, 'agree', ?, ?, ?, ?)`, p.id, p.country, p.by, p.by == nil, p.superseded, now)
	}

	check := func() {
		t.Helper()
		var rows []store.PositionRecord
		if err := s.Read(ctx, func(tx *store.Tx) error {
			var err error
			rows, err = tx.PositionHistory("c", nil, 10)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"by-head": drafting.RecordedAsHead, "by-facilitator": drafting.RecordedOnBehalf,
			"by-facilitator-cr": drafting.RecordedOnBehalf, "by-other-country": drafting.RecordedOnBehalf,
			"by-non-head": drafting.RecordedOnBehalf, "deemed": ""}
		if len(rows) != len(want) {
			t.Fatalf("%d positions after the migration, want %d: the history must be kept", len(rows), len(want))
		}
		for _, r := range rows {
			if r.RecordedAs != want[r.ID] {
				t.Errorf("%s: recorded_as = %q, want %q", r.ID, r.RecordedAs, want[r.ID])
			}
		}
	}
	// Down and up again: the schema history is reversible.
	upDownUp(t, s, 9, 8, check, nil)
}
