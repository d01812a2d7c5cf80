package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestInsertCommentIf: a comment checked against a clause and guideline
// read earlier is inserted only while the clause is at that version and
// the guideline at that revision. Refused, it writes nothing and counts
// nothing, and its transaction goes on. Inserted, it reads back as
// InsertComment writes it, anchor and proposed text included.
func TestInsertCommentIf(t *testing.T) {
	s, clk := openStore(t)
	now := clk.Now()
	w := mustWorld(t, s, now)
	guard := store.CommentGuard{ClauseVersion: w.Clause.Version, GuidelineRevision: w.Guideline.Revision}
	amendment := func() drafting.Comment {
		return drafting.Comment{ID: newID(), GuidelineID: w.Guideline.ID, ClauseID: w.Clause.ID, ClauseVersion: w.Clause.Version,
			AuthorID: w.Delegate.ID, Country: "CR", Kind: drafting.KindAmendment, Body: "Say 'promptly'.",
			ProposedText: drafting.Text{"en": "Promptly.", "es": "Sin demora."}, Quote: "clause",
			Anchor: &drafting.Anchor{State: drafting.AnchorCarried, Version: w.Clause.Version, Lang: "en", Start: 2, Excerpt: "clause"},
			Status: drafting.CommentOpen, Revision: 1, CreatedAt: now, UpdatedAt: now}
	}
	insert := func(c drafting.Comment, g store.CommentGuard) bool {
		t.Helper()
		var ok bool
		mustWrite(t, s, func(tx *store.Tx) error {
			var err error
			if ok, err = tx.InsertCommentIf(c, g); err != nil {
				return err
			}
			_, err = tx.Outbox(nil)
			return err
		})
		if _, _, err := s.Publish(context.Background(), 100); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	exists := func(id string) bool {
		t.Helper()
		_, err := tryRead(s, func(tx *store.Tx) (drafting.Comment, error) { return tx.Comment(id) })
		if err != nil && !drafting.IsKind(err, drafting.KindNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	held := amendment()
	if !insert(held, guard) {
		t.Fatal("the guard holds, and the comment was refused")
	}
	got := read(t, s, func(tx *store.Tx) (drafting.Comment, error) { return tx.Comment(held.ID) })
	if diff := cmp.Diff(held, got); diff != "" {
		t.Fatalf("the comment read back differs (-inserted +read):\n%s", diff)
	}

	for name, g := range map[string]store.CommentGuard{
		"an older clause version":    {ClauseVersion: guard.ClauseVersion - 1, GuidelineRevision: guard.GuidelineRevision},
		"a newer clause version":     {ClauseVersion: guard.ClauseVersion + 1, GuidelineRevision: guard.GuidelineRevision},
		"another guideline revision": {ClauseVersion: guard.ClauseVersion, GuidelineRevision: guard.GuidelineRevision + 1},
	} {
		c := amendment()
		if insert(c, g) {
			t.Errorf("%s: the comment was inserted", name)
		}
		if exists(c.ID) {
			t.Errorf("%s: the refused comment is stored", name)
		}
	}
	// A clause of another guideline, as if the guard were read for it.
	other := amendment()
	other.GuidelineID = mustWorld(t, s, now).Guideline.ID
	if insert(other, guard) || exists(other.ID) {
		t.Error("a comment naming another guideline than its clause's was inserted")
	}

	// The guideline moves on (a participant leaves, a draft is cut): the
	// old guard refuses; in the same transaction, after the refusal, the
	// comment checked afresh goes in.
	mustWrite(t, s, func(tx *store.Tx) error { return tx.ClaimGuideline(w.Guideline.ID, now) })
	late := amendment()
	mustWrite(t, s, func(tx *store.Tx) error {
		if ok, err := tx.InsertCommentIf(late, guard); err != nil || ok {
			t.Fatalf("a guard of an older guideline revision: inserted %v, %v", ok, err)
		}
		if ok, err := tx.InsertCommentIf(late, store.CommentGuard{ClauseVersion: guard.ClauseVersion,
			GuidelineRevision: guard.GuidelineRevision + 1}); err != nil || !ok {
			t.Fatalf("the guard read afresh: inserted %v, %v", ok, err)
		}
		_, err := tx.Outbox(nil)
		return err
	})
	if _, _, err := s.Publish(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	if !exists(late.ID) {
		t.Fatal("the comment inserted after a refusal in its transaction is not stored")
	}
	// Two comments counted, the refused ones not at all.
	storetest.CommentCountsMatch(t, s)
	counts := read(t, s, func(tx *store.Tx) ([]store.CommentCount, error) { return tx.CommentCounts(w.Guideline.ID) })
	if len(counts) != 1 || counts[0].ByStatus[drafting.CommentOpen] != 2 {
		t.Fatalf("counts = %+v, want the two comments inserted, open", counts)
	}
}
