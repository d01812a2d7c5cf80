package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Every conditional write matches on the revision it read: zero rows
// changed means another writer got there first, and nothing is written.

func TestClaimClause(t *testing.T) {
	s, clk := openStore(t)
	cases := []struct {
		name    string
		prepare func(tx *store.Tx, c drafting.Clause) error // runs before the claim
		id      func(c drafting.Clause) string
		rev     func(c drafting.Clause) int
		want    bool
		wantRev int // the clause's revision afterwards
	}{
		{name: "current_revision_is_claimed",
			id: func(c drafting.Clause) string { return c.ID }, rev: func(c drafting.Clause) int { return c.Revision },
			want: true, wantRev: 2},
		{name: "stale_revision_is_refused",
			prepare: func(tx *store.Tx, c drafting.Clause) error {
				_, err := tx.ClaimClause(c.ID, c.Revision, clk.Now())
				return err
			},
			id: func(c drafting.Clause) string { return c.ID }, rev: func(c drafting.Clause) int { return c.Revision },
			want: false, wantRev: 2},
		{name: "future_revision_is_refused",
			id: func(c drafting.Clause) string { return c.ID }, rev: func(c drafting.Clause) int { return c.Revision + 1 },
			want: false, wantRev: 1},
		{name: "unknown_clause_is_refused",
			id: func(drafting.Clause) string { return newID() }, rev: func(c drafting.Clause) int { return c.Revision },
			want: false, wantRev: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWorld(t, s, clk.Now())
			if tc.prepare != nil {
				mustWrite(t, s, func(tx *store.Tx) error { return tc.prepare(tx, w.Clause) })
			}
			before := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
			later := clk.Now().Add(time.Minute)
			var ok bool
			mustWrite(t, s, func(tx *store.Tx) error {
				var err error
				ok, err = tx.ClaimClause(tc.id(w.Clause), tc.rev(w.Clause), later)
				return err
			})
			if ok != tc.want {
				t.Fatalf("ClaimClause = %v, want %v", ok, tc.want)
			}
			after := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
			if after.Revision != tc.wantRev {
				t.Fatalf("revision = %d, want %d", after.Revision, tc.wantRev)
			}
			wantUpdated := before.UpdatedAt
			if tc.want {
				wantUpdated = later
			}
			if !after.UpdatedAt.Equal(wantUpdated) {
				t.Fatalf("updated_at = %v, want %v", after.UpdatedAt, wantUpdated)
			}
		})
	}

	// Writers racing for one revision: exactly one wins; in PostgreSQL the
	// others wait for its commit and then match nothing.
	t.Run("concurrent_claims_succeed_once", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		won := raceWrites(t, s, 6, func(tx *store.Tx) (bool, error) {
			return tx.ClaimClause(w.Clause.ID, w.Clause.Revision, clk.Now())
		})
		if won != 1 {
			t.Fatalf("%d claims won, want exactly 1", won)
		}
		c := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
		if c.Revision != w.Clause.Revision+1 {
			t.Fatalf("revision = %d, want %d", c.Revision, w.Clause.Revision+1)
		}
	})

	t.Run("claim_rolled_back_leaves_the_revision", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		err := tryWrite(s, func(tx *store.Tx) error {
			if ok, err := tx.ClaimClause(w.Clause.ID, w.Clause.Revision, clk.Now()); err != nil || !ok {
				t.Fatalf("ClaimClause = %v, %v", ok, err)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v, want the function's error", err)
		}
		c := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
		if c.Revision != w.Clause.Revision {
			t.Fatalf("revision = %d after rollback, want %d", c.Revision, w.Clause.Revision)
		}
	})
}

func TestSaveClause(t *testing.T) {
	s, clk := openStore(t)
	cases := []struct {
		name     string
		claim    bool // claim the clause first (revision 1 → 2)
		revision int  // the revision SaveClause is given
		wantErr  error
	}{
		{name: "claimed_revision_is_saved", claim: true, revision: 2},
		{name: "unclaimed_revision_is_a_conflict", claim: false, revision: 2, wantErr: store.ErrConflict},
		{name: "stale_revision_is_a_conflict", claim: true, revision: 1, wantErr: store.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWorld(t, s, clk.Now())
			if tc.claim {
				mustWrite(t, s, func(tx *store.Tx) error {
					_, err := tx.ClaimClause(w.Clause.ID, 1, clk.Now())
					return err
				})
			}
			before := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
			deadline := clk.Now().Add(72 * time.Hour)
			c := before
			c.Revision = tc.revision
			c.Status, c.SilenceDeadline, c.Number, c.UpdatedAt = drafting.StatusSilence, &deadline, "9.9", clk.Now().Add(time.Hour)
			err := tryWrite(s, func(tx *store.Tx) error { return tx.SaveClause(c) })
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("SaveClause = %v, want %v", err, tc.wantErr)
			}
			after := read(t, s, func(tx *store.Tx) (drafting.Clause, error) { return tx.Clause(w.Clause.ID) })
			want := before
			if tc.wantErr == nil {
				want = c
			}
			if after.Status != want.Status || after.Number != want.Number || !after.UpdatedAt.Equal(want.UpdatedAt) ||
				after.Revision != before.Revision || (after.SilenceDeadline == nil) != (want.SilenceDeadline == nil) {
				t.Fatalf("after SaveClause: %+v\nwant %+v", after, want)
			}
			if want.SilenceDeadline != nil && !after.SilenceDeadline.Equal(*want.SilenceDeadline) {
				t.Fatalf("silence deadline = %v, want %v", after.SilenceDeadline, want.SilenceDeadline)
			}
		})
	}
}

func TestSaveComment(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	cases := []struct {
		name string
		edit func(c *drafting.Comment) // applied to the stored comment before saving
		want bool
	}{
		{name: "next_revision_is_saved", edit: func(c *drafting.Comment) { c.Revision++ }, want: true},
		{name: "stale_revision_is_refused", edit: func(c *drafting.Comment) {}, want: false},
		{name: "skipped_revision_is_refused", edit: func(c *drafting.Comment) { c.Revision += 2 }, want: false},
		{name: "unknown_comment_is_refused", edit: func(c *drafting.Comment) { c.ID = newID(); c.Revision++ }, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before drafting.Comment
			mustWrite(t, s, func(tx *store.Tx) error {
				before = mustComment(t, tx, w.Clause, w.Delegate, clk.Now())
				return nil
			})
			at := clk.Now().Add(time.Hour)
			c := before
			tc.edit(&c)
			c.Body, c.Status, c.ResolutionNote, c.ResolvedBy, c.ResolvedAt, c.UpdatedAt =
				"edited", drafting.CommentAddressed, "done", w.Facilitator.ID, &at, at
			var ok bool
			mustWrite(t, s, func(tx *store.Tx) error {
				var err error
				ok, err = tx.SaveComment(c)
				return err
			})
			if ok != tc.want {
				t.Fatalf("SaveComment = %v, want %v", ok, tc.want)
			}
			after := read(t, s, func(tx *store.Tx) (drafting.Comment, error) { return tx.Comment(before.ID) })
			if !tc.want {
				if after.Body != before.Body || after.Status != before.Status || after.Revision != before.Revision ||
					after.ResolvedAt != nil || after.ResolvedBy != "" {
					t.Fatalf("refused save changed the comment: %+v", after)
				}
				return
			}
			if after.Body != "edited" || after.Status != drafting.CommentAddressed || after.ResolutionNote != "done" ||
				after.ResolvedBy != w.Facilitator.ID || after.ResolvedAt == nil || !after.ResolvedAt.Equal(at) ||
				after.Revision != before.Revision+1 || !after.UpdatedAt.Equal(at) {
				t.Fatalf("saved comment = %+v", after)
			}
		})
	}
}

func TestUpdateGuideline(t *testing.T) {
	s, clk := openStore(t)
	cases := []struct {
		name    string
		bump    int // added to the stored revision (the caller increments it by one)
		wantErr error
	}{
		{name: "next_revision_is_saved", bump: 1},
		{name: "stale_revision_is_a_conflict", bump: 0, wantErr: store.ErrConflict},
		{name: "skipped_revision_is_a_conflict", bump: 2, wantErr: store.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWorld(t, s, clk.Now())
			g := w.Guideline
			g.Revision += tc.bump
			g.Title, g.Slug, g.Participants, g.UpdatedAt = drafting.Text{"en": "Renamed", "es": "Renombrada"}, "renamed-"+g.ID, []string{"BZ", "PA"}, clk.Now().Add(time.Hour)
			err := tryWrite(s, func(tx *store.Tx) error { return tx.UpdateGuideline(g) })
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("UpdateGuideline = %v, want %v", err, tc.wantErr)
			}
			got := read(t, s, func(tx *store.Tx) (drafting.Guideline, error) { return tx.Guideline(g.ID) })
			want := w.Guideline
			if tc.wantErr == nil {
				want = g
			}
			if !drafting.SameText(got.Title, want.Title) || got.Slug != want.Slug || got.Revision != want.Revision ||
				!got.UpdatedAt.Equal(want.UpdatedAt) || strings.Join(got.Participants, ",") != strings.Join(want.Participants, ",") {
				t.Fatalf("guideline = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestClaimGuideline(t *testing.T) {
	s, clk := openStore(t)
	t.Run("revision_grows_by_one", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		later := clk.Now().Add(time.Minute)
		for i := range 2 {
			mustWrite(t, s, func(tx *store.Tx) error { return tx.ClaimGuideline(w.Guideline.ID, later) })
			g := read(t, s, func(tx *store.Tx) (drafting.Guideline, error) { return tx.Guideline(w.Guideline.ID) })
			if g.Revision != w.Guideline.Revision+i+1 || !g.UpdatedAt.Equal(later) {
				t.Fatalf("after claim %d: revision %d updated %v", i+1, g.Revision, g.UpdatedAt)
			}
		}
	})
	t.Run("claim_makes_a_held_update_stale", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		mustWrite(t, s, func(tx *store.Tx) error { return tx.ClaimGuideline(w.Guideline.ID, clk.Now()) })
		g := w.Guideline
		g.Revision++
		g.Title = drafting.Text{"en": "lost update"}
		if err := tryWrite(s, func(tx *store.Tx) error { return tx.UpdateGuideline(g) }); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("UpdateGuideline after a claim = %v, want ErrConflict", err)
		}
	})
	t.Run("unknown_guideline_is_not_found", func(t *testing.T) {
		err := tryWrite(s, func(tx *store.Tx) error { return tx.ClaimGuideline(newID(), clk.Now()) })
		wantKind(t, err, drafting.KindNotFound, "guideline.not_found")
	})
}

func TestUpdateUser(t *testing.T) {
	s, clk := openStore(t)
	cases := []struct {
		name    string
		bump    int
		wantErr error
	}{
		{name: "next_revision_is_saved", bump: 1},
		{name: "stale_revision_is_a_conflict", bump: 0, wantErr: store.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u drafting.User
			mustWrite(t, s, func(tx *store.Tx) error { u = mustUser(t, tx, drafting.RoleDelegate, "GT", clk.Now()); return nil })
			edit := u
			edit.Revision += tc.bump
			edit.Name, edit.Role, edit.Country, edit.HeadOfDelegation, edit.Active = "Renamed", drafting.RoleObserver, "", false, false
			err := tryWrite(s, func(tx *store.Tx) error { return tx.UpdateUser(edit) })
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("UpdateUser = %v, want %v", err, tc.wantErr)
			}
			got := read(t, s, func(tx *store.Tx) (drafting.User, error) { return tx.User(u.ID) })
			want := u
			if tc.wantErr == nil {
				want = edit
			}
			if got.Name != want.Name || got.Role != want.Role || got.Country != want.Country || got.Active != want.Active ||
				got.Revision != want.Revision {
				t.Fatalf("user = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestSpendRefreshToken(t *testing.T) {
	s, clk := openStore(t)
	cases := []struct {
		name    string
		prepare func(tx *store.Tx, rt store.RefreshToken) error
		want    bool
	}{
		{name: "unused_token_is_spent", want: true},
		{name: "spent_token_is_refused", want: false,
			prepare: func(tx *store.Tx, rt store.RefreshToken) error {
				_, err := tx.SpendRefreshToken(rt.ID, clk.Now())
				return err
			}},
		{name: "revoked_family_is_refused", want: false,
			prepare: func(tx *store.Tx, rt store.RefreshToken) error { return tx.RevokeRefreshFamily(rt.FamilyID, clk.Now()) }},
		{name: "revoked_user_is_refused", want: false,
			prepare: func(tx *store.Tx, rt store.RefreshToken) error {
				return tx.RevokeUserRefreshTokens(rt.UserID, clk.Now())
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rt store.RefreshToken
			mustWrite(t, s, func(tx *store.Tx) error {
				u := mustUser(t, tx, drafting.RoleObserver, "", clk.Now())
				rt = store.RefreshToken{ID: newID(), FamilyID: newID(), UserID: u.ID, TokenHash: "h-" + newID(),
					CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
				return tx.CreateRefreshToken(rt)
			})
			if tc.prepare != nil {
				mustWrite(t, s, func(tx *store.Tx) error { return tc.prepare(tx, rt) })
			}
			var ok bool
			mustWrite(t, s, func(tx *store.Tx) error {
				var err error
				ok, err = tx.SpendRefreshToken(rt.ID, clk.Now().Add(time.Minute))
				return err
			})
			if ok != tc.want {
				t.Fatalf("SpendRefreshToken = %v, want %v", ok, tc.want)
			}
			got := read(t, s, func(tx *store.Tx) (store.RefreshToken, error) { return tx.RefreshTokenByHash(rt.TokenHash) })
			if tc.want && (got.UsedAt == nil || !got.UsedAt.Equal(clk.Now().Add(time.Minute))) {
				t.Fatalf("used_at = %v, want %v", got.UsedAt, clk.Now().Add(time.Minute))
			}
			if !tc.want && got.UsedAt != nil && got.UsedAt.Equal(clk.Now().Add(time.Minute)) {
				t.Fatal("a refused spend rewrote used_at")
			}
		})
	}
}
