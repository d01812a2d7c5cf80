package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// layout lists "name@number" of clauses in the order given, to
// compare document order and numbering at once.
func layout(cs []drafting.Clause, names map[string]string) []string {
	return mapIDs(cs, func(c drafting.Clause) string { return names[c.ID] + "@" + c.Number })
}

// TestDocumentStructure follows one guideline through the store's ordering
// statements: inserting makes room, gaps close, numbers follow positions,
// and drafts freeze the versions they were taken at.
func TestDocumentStructure(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	var (
		chair drafting.User
		g     drafting.Guideline
		s1    drafting.Section
		s2    drafting.Section
		names = map[string]string{} // clause id → a name for messages
		ids   = map[string]string{} // name → clause id
	)
	mustWrite(t, s, func(tx *store.Tx) error {
		chair = mustUser(t, tx, drafting.RoleFacilitator, "", t0)
		g = mustGuideline(t, tx, chair.ID, t0, "PA", "CR", "MX")
		s2 = mustSection(t, tx, g.ID, 1, t0)
		s1 = mustSection(t, tx, g.ID, 1, t0) // inserted before s2
		for _, c := range []struct {
			name string
			sec  drafting.Section
			pos  int
		}{{"a", s1, 1}, {"c", s1, 2}, {"b", s1, 2}, {"x", s2, 1}} {
			cl := mustClause(t, tx, c.sec, c.pos, chair.ID, t0)
			names[cl.ID], ids[c.name] = c.name, cl.ID
		}
		return tx.Renumber(g.ID, t0)
	})
	clauses := func(t *testing.T, f store.ClauseFilter) []drafting.Clause {
		t.Helper()
		f.GuidelineID = g.ID
		return read(t, s, func(tx *store.Tx) ([]drafting.Clause, error) {
			cs, _, err := tx.Clauses(f, nil, 0)
			return cs, err
		})
	}

	t.Run("guideline_round_trip", func(t *testing.T) {
		got := read(t, s, func(tx *store.Tx) (drafting.Guideline, error) { return tx.Guideline(g.ID) })
		if !drafting.SameText(got.Title, g.Title) || got.Slug != g.Slug || fmt.Sprint(got.Languages) != "[es en]" ||
			fmt.Sprint(got.Participants) != "[CR MX PA]" || got.Status != drafting.GuidelineDrafting ||
			got.CreatedBy != chair.ID || got.Revision != 1 || !got.CreatedAt.Equal(t0) {
			t.Fatalf("guideline = %+v", got)
		}
	})
	t.Run("inserted_section_makes_room", func(t *testing.T) {
		secs := read(t, s, func(tx *store.Tx) ([]drafting.Section, error) { return tx.Sections(g.ID) })
		got := mapIDs(secs, func(x drafting.Section) string { return fmt.Sprint(x.ID == s1.ID, x.Position) })
		sameIDs(t, "sections", got, []string{"true 1", "false 2"})
	})
	t.Run("inserted_clause_makes_room_and_renumber_follows", func(t *testing.T) {
		sameIDs(t, "clauses", layout(clauses(t, store.ClauseFilter{}), names), []string{"a@1.1", "b@1.2", "c@1.3", "x@2.1"})
	})
	t.Run("clauses_carry_their_current_text", func(t *testing.T) {
		mustWrite(t, s, func(tx *store.Tx) error {
			mustVersion(t, tx, ids["b"], 2, drafting.Text{"en": "b two"}, chair.ID, t0)
			c, err := tx.Clause(ids["b"])
			if err != nil {
				return err
			}
			if ok, err := tx.ClaimClause(c.ID, c.Revision, t0); err != nil || !ok {
				return fmt.Errorf("claim: %v %v", ok, err)
			}
			c.Revision++
			c.Version = 2
			return tx.SaveClause(c)
		})
		for _, c := range clauses(t, store.ClauseFilter{}) {
			want := drafting.Text{"en": "Text 1", "es": "Texto 1"}
			switch names[c.ID] {
			case "b":
				want = drafting.Text{"en": "b two"}
			case "c":
				want = drafting.Text{"en": "Text 2", "es": "Texto 2"}
			}
			if fmt.Sprint(c.Text) != fmt.Sprint(want) {
				t.Errorf("clause %s text = %v, want %v", names[c.ID], c.Text, want)
			}
		}
		one := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(ids["b"]) })
		if one.Version != 2 || one.Text["en"] != "b two" {
			t.Fatalf("Clause(b) = version %d text %v", one.Version, one.Text)
		}
	})
	t.Run("filters", func(t *testing.T) {
		sameIDs(t, "section 2", layout(clauses(t, store.ClauseFilter{SectionID: s2.ID}), names), []string{"x@2.1"})
		sameIDs(t, "status draft", layout(clauses(t, store.ClauseFilter{Status: "draft"}), names), nil)
		if n := read(t, s, func(tx *store.Tx) (int, error) { return tx.CountClauses(s1.ID) }); n != 3 {
			t.Fatalf("CountClauses = %d, want 3", n)
		}
	})

	var draft1 drafting.Draft
	t.Run("draft_freezes_versions", func(t *testing.T) {
		n := read(t, s, func(tx *store.Tx) (int, error) { return tx.NextDraftNumber(g.ID) })
		if n != 1 {
			t.Fatalf("NextDraftNumber = %d, want 1", n)
		}
		draft1 = drafting.Draft{GuidelineID: g.ID, Number: n, Label: "first", CreatedBy: chair.ID, CreatedAt: t0}
		mustWrite(t, s, func(tx *store.Tx) error { return tx.CreateDraft(draft1) })
		// A later version does not change the draft.
		mustWrite(t, s, func(tx *store.Tx) error {
			mustVersion(t, tx, ids["a"], 2, drafting.Text{"en": "a two"}, chair.ID, t0)
			c, err := tx.Clause(ids["a"])
			if err != nil {
				return err
			}
			if _, err := tx.ClaimClause(c.ID, c.Revision, t0); err != nil {
				return err
			}
			c.Revision++
			c.Version = 2
			return tx.SaveClause(c)
		})
		d := read(t, s, func(tx *store.Tx) (drafting.Draft, error) { return tx.Draft(g.ID, 1, true) })
		got := mapIDs(d.Clauses, func(c drafting.DraftClause) string {
			return fmt.Sprintf("%s@%s v%d %s", names[c.ClauseID], c.Number, c.Version, c.Text["en"])
		})
		sameIDs(t, "draft", got, []string{"a@1.1 v1 Text 1", "b@1.2 v2 b two", "c@1.3 v1 Text 2", "x@2.1 v1 Text 1"})
		if d.Label != "first" || d.CreatedBy != chair.ID || !d.CreatedAt.Equal(t0) {
			t.Fatalf("draft header = %+v", d)
		}
		head := read(t, s, func(tx *store.Tx) (drafting.Draft, error) { return tx.Draft(g.ID, 1, false) })
		if head.Clauses != nil {
			t.Fatalf("header-only draft carries %d clauses", len(head.Clauses))
		}
		if n := read(t, s, func(tx *store.Tx) (int, error) { return tx.NextDraftNumber(g.ID) }); n != 2 {
			t.Fatalf("NextDraftNumber = %d, want 2", n)
		}
	})

	t.Run("draft_reservations_are_those_on_its_versions", func(t *testing.T) {
		mustWrite(t, s, func(tx *store.Tx) error {
			// On a (version 2 now; the draft holds version 1) and on b (version 2, held).
			if err := tx.InsertPositions(ids["a"], []drafting.Position{{ID: newID(), Country: "CR", ClauseVersion: 2,
				Stance: drafting.StanceAgreeReservation, Reservation: "not in the draft", RecordedBy: chair.ID, CreatedAt: t0}}); err != nil {
				return err
			}
			return tx.InsertPositions(ids["b"], []drafting.Position{
				{ID: newID(), Country: "MX", ClauseVersion: 2, Stance: drafting.StanceAgreeReservation, Reservation: "mx", RecordedBy: chair.ID, CreatedAt: t0},
				{ID: newID(), Country: "CR", ClauseVersion: 2, Stance: drafting.StanceAgree, RecordedBy: chair.ID, CreatedAt: t0},
			})
		})
		rs := read(t, s, func(tx *store.Tx) ([]drafting.Reservation, error) { return tx.DraftReservations(g.ID, 1) })
		got := mapIDs(rs, func(r drafting.Reservation) string {
			return fmt.Sprintf("%s v%d %s %s", names[r.ClauseID], r.ClauseVersion, r.Country, r.Text)
		})
		sameIDs(t, "reservations", got, []string{"b v2 MX mx"})
	})

	t.Run("stances_of_the_guideline", func(t *testing.T) {
		ps := read(t, s, func(tx *store.Tx) ([]drafting.Position, error) { return tx.GuidelineStances(g.ID) })
		seen := map[string]string{}
		for _, p := range ps {
			seen[names[p.ClauseID]+" "+p.Country] = string(p.Stance)
		}
		want := map[string]string{"a CR": "agree_with_reservation", "b MX": "agree_with_reservation", "b CR": "agree"}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("stances = %v, want %v", seen, want)
		}
	})

	t.Run("moving_a_clause_closes_and_opens_gaps", func(t *testing.T) {
		mustWrite(t, s, func(tx *store.Tx) error {
			// Move a from section 1 position 1 to section 2 position 1.
			c, err := tx.Clause(ids["a"])
			if err != nil {
				return err
			}
			if err := tx.CloseGap(s1.ID, c.Position); err != nil {
				return err
			}
			if err := tx.OpenGap(s2.ID, 1, c.ID); err != nil {
				return err
			}
			if _, err := tx.ClaimClause(c.ID, c.Revision, t0); err != nil {
				return err
			}
			c.Revision++
			c.SectionID, c.Position = s2.ID, 1
			if err := tx.SaveClause(c); err != nil {
				return err
			}
			return tx.Renumber(g.ID, t0.Add(time.Minute))
		})
		cs := clauses(t, store.ClauseFilter{})
		sameIDs(t, "clauses", layout(cs, names), []string{"b@1.1", "c@1.2", "a@2.1", "x@2.2"})
		states := read(t, s, func(tx *store.Tx) ([]drafting.Clause, error) { return tx.ClauseStates(g.ID) })
		sameIDs(t, "clause states", layout(states, names), layout(cs, names))
	})

	t.Run("renumber_touches_only_changed_numbers", func(t *testing.T) {
		before := clauses(t, store.ClauseFilter{})
		mustWrite(t, s, func(tx *store.Tx) error { return tx.Renumber(g.ID, t0.Add(time.Hour)) })
		after := clauses(t, store.ClauseFilter{})
		for i := range before {
			if after[i].Revision != before[i].Revision || !after[i].UpdatedAt.Equal(before[i].UpdatedAt) {
				t.Fatalf("clause %s rewritten by a renumbering that changed nothing", names[after[i].ID])
			}
		}
	})

	t.Run("move_section", func(t *testing.T) {
		mustWrite(t, s, func(tx *store.Tx) error {
			sec, err := tx.Section(s2.ID)
			if err != nil {
				return err
			}
			if err := tx.MoveSection(sec, 1); err != nil {
				return err
			}
			return tx.Renumber(g.ID, t0)
		})
		sameIDs(t, "clauses", layout(clauses(t, store.ClauseFilter{}), names), []string{"a@1.1", "x@1.2", "b@2.1", "c@2.2"})
	})

	t.Run("silence_due", func(t *testing.T) {
		deadline := t0.Add(48 * time.Hour)
		mustWrite(t, s, func(tx *store.Tx) error {
			c, err := tx.Clause(ids["c"])
			if err != nil {
				return err
			}
			if _, err := tx.ClaimClause(c.ID, c.Revision, t0); err != nil {
				return err
			}
			c.Revision++
			c.Status, c.SilenceDeadline = drafting.StatusSilence, &deadline
			return tx.SaveClause(c)
		})
		for _, tc := range []struct {
			at   time.Time
			want []string
		}{
			{deadline.Add(-time.Second), nil},
			{deadline, []string{ids["c"]}},
			{deadline.Add(time.Hour), []string{ids["c"]}},
		} {
			got := read(t, s, func(tx *store.Tx) ([]string, error) { return tx.SilenceDue(tc.at) })
			sameIDs(t, fmt.Sprint("due at ", tc.at), got, tc.want)
		}
	})
}
