package store_test

import (
	"context"
	"testing"
)

// TestMigrationAgenda: migrations 00013 (national inputs, clause sources)
// and 00014 (section kinds, action details, progress reports) apply over
// existing data — sections written before are of the text — and go down
// and up again on both databases.
func TestMigrationAgenda(t *testing.T) {
	ctx := context.Background()
	s, now, exec := openMigratedTo(t, 12)
	db := s.DB()
	exec(`INSERT INTO users (id, email, name, password_hash, role, active, revision, created_at, updated_at)
		VALUES ('fac', 'fac@example.org', 'fac', 'x', 'facilitator', TRUE, 1, ?, ?)`, now, now)
	exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
		VALUES ('g1', '{"en":"T"}', 'g1', '["en"]', 'drafting', 1, 'fac', ?, ?)`, now, now)
	exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES ('s1', 'g1', '{"en":"I"}', 1, ?)`, now)
	if err := s.MigrateTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	var kind string
	if err := db.Raw("SELECT kind FROM sections WHERE id = 's1'").Scan(&kind).Error; err != nil || kind != "text" {
		t.Fatalf("kind of an existing section = %q, %v", kind, err)
	}
	if err := db.Exec(`INSERT INTO sections (id, guideline_id, title, position, kind, created_at) VALUES ('s2', 'g1', '{"en":"P"}', 2, 'annex', ?)`, now).Error; err == nil {
		t.Fatal("a section of an unknown kind was accepted")
	}
	for _, table := range []string{"national_inputs", "national_input_versions", "clause_sources", "action_details", "progress_reports"} {
		if err := db.Exec("SELECT 1 FROM " + table).Error; err != nil {
			t.Fatalf("%s: %v", table, err)
		}
	}
	if err := s.MigrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"national_inputs", "clause_sources", "action_details", "progress_reports"} {
		if err := db.Exec("SELECT 1 FROM " + table).Error; err == nil {
			t.Fatalf("%s is still there after down", table)
		}
	}
	if err := db.Exec("SELECT kind FROM sections").Error; err == nil {
		t.Fatal("sections.kind is still there after down")
	}
	if err := s.MigrateTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
}
