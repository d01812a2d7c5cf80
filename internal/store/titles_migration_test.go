package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// TestMigrationTitlesPerLanguage: a title written as one string becomes that
// string in every language of its guideline, for guidelines, sections and
// the section titles drafts froze, whatever characters it holds; down and up
// again leave the maps as they are.
func TestMigrationTitlesPerLanguage(t *testing.T) {
	ctx := context.Background()
	s, now, exec := openMigratedTo(t, 10)
	odd := "Guidelines \"quoted\" \\ back\nline\tand tab — ñ"
	exec(`INSERT INTO users (id, email, name, password_hash, role, active, revision, created_at, updated_at)
		VALUES ('fac', 'fac@example.org', 'Fac', 'x', 'facilitator', TRUE, 1, ?, ?)`, now, now)
	exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
		VALUES ('g2', ?, 'g2', '["es","en"]', 'drafting', 1, 'fac', ?, ?)`, odd, now, now)
	exec(`INSERT INTO guidelines (id, title, slug, languages, status, revision, created_by, created_at, updated_at)
		VALUES ('g1', 'Only English', 'g1', '["en"]', 'drafting', 1, 'fac', ?, ?)`, now, now)
	exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES ('s2', 'g2', 'I. "Prevención"', 1, ?)`, now)
	exec(`INSERT INTO sections (id, guideline_id, title, position, created_at) VALUES ('s1', 'g1', 'I. Scope', 1, ?)`, now)
	exec(`INSERT INTO clauses (id, guideline_id, section_id, position, number, status, version, revision, created_at, updated_at)
		VALUES ('c', 'g2', 's2', 1, '1.1', 'open', 1, 1, ?, ?)`, now, now)
	exec(`INSERT INTO clause_versions (clause_id, number, text, author_id, created_at) VALUES ('c', 1, '{"en":"T"}', 'fac', ?)`, now)
	exec(`INSERT INTO drafts (guideline_id, number, label, created_by, created_at) VALUES ('g2', 1, '', 'fac', ?)`, now)
	exec(`INSERT INTO draft_clauses (guideline_id, draft_number, clause_id, clause_version, section_id, section_title, section_position, position, number, status)
		VALUES ('g2', 1, 'c', 1, 's2', 'I. Old', 1, 1, '1.1', 'open')`)

	check := func() {
		t.Helper()
		var g1, g2 drafting.Guideline
		var s1, s2 drafting.Section
		var d drafting.Draft
		if err := s.Read(ctx, func(tx *store.Tx) error {
			var err error
			if g1, err = tx.Guideline("g1"); err != nil {
				return err
			}
			if g2, err = tx.Guideline("g2"); err != nil {
				return err
			}
			if s1, err = tx.Section("s1"); err != nil {
				return err
			}
			if s2, err = tx.Section("s2"); err != nil {
				return err
			}
			d, err = tx.Draft("g2", 1, true)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want drafting.Text
		}{
			{"g1", g1.Title, drafting.Text{"en": "Only English"}},
			{"g2", g2.Title, drafting.Text{"en": odd, "es": odd}},
			{"s1", s1.Title, drafting.Text{"en": "I. Scope"}},
			{"s2", s2.Title, drafting.Text{"en": `I. "Prevención"`, "es": `I. "Prevención"`}},
			{"draft", d.Clauses[0].SectionTitle, drafting.Text{"en": "I. Old", "es": "I. Old"}},
		} {
			if diff := cmp.Diff(c.want, c.got); diff != "" {
				t.Errorf("%s title (-want +got)\n%s", c.name, diff)
			}
		}
	}
	// check reads with today's store, which needs the columns of every
	// later migration: migration 11 is checked with those applied on top
	// (and undone with them, which tests their Down too).
	upDownUp(t, s, 0, 10, check, nil)
}
