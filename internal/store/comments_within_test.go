package store_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// TestCommentsWithin: a filtered page reads at most its scan bound of the
// list. Followed from cursor to cursor, pages of any limit and bound cover
// exactly the comments the filter selects, once and in order, though a
// page may be short or empty; without filters it is Comments.
func TestCommentsWithin(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	var mx drafting.User
	var all, ofMX []drafting.Comment
	mustWrite(t, s, func(tx *store.Tx) error {
		mx = mustUser(t, tx, drafting.RoleDelegate, "MX", clk.Now())
		// 30 comments, Mexico's the 4th, the 5th and the last two; four
		// share each second, so pages and bounds fall between equal times.
		for i := range 30 {
			author := w.Delegate
			if i == 3 || i == 4 || i >= 28 {
				author = mx
			}
			c := mustComment(t, tx, w.Clause, author, clk.Now().Add(time.Duration(i/4)*time.Second))
			all = append(all, c)
			if author.ID == mx.ID {
				ofMX = append(ofMX, c)
			}
		}
		return nil
	})
	// The lists' order: time, then id.
	byKey := func(a, b drafting.Comment) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(all, byKey)
	slices.SortFunc(ofMX, byKey)
	ids := func(cs []drafting.Comment) string {
		out := ""
		for _, c := range cs {
			out += c.ID[:8] + " "
		}
		return out
	}
	for _, scope := range []store.CommentFilter{{ClauseID: w.Clause.ID}, {GuidelineID: w.Guideline.ID}} {
		for _, tc := range []struct{ limit, scan int }{{1, 1}, {2, 3}, {3, 7}, {10, 5}, {50, 2000}} {
			t.Run(fmt.Sprintf("clause_%v_limit_%d_scan_%d", scope.ClauseID != "", tc.limit, tc.scan), func(t *testing.T) {
				var got []drafting.Comment
				var after *store.CommentCursor
				pages, empty := 0, 0
				for pages < 100 {
					f := scope
					f.Country, f.Limit, f.After = "MX", tc.limit, after
					var cs []drafting.Comment
					var scanned *store.CommentCursor
					mustRead(t, s, func(tx *store.Tx) error {
						var err error
						cs, scanned, err = tx.CommentsWithin(f, tc.scan)
						return err
					})
					pages++
					if len(cs) == 0 {
						empty++
					}
					got = append(got, cs...)
					switch {
					case len(cs) == tc.limit:
						after = &store.CommentCursor{CreatedAt: cs[len(cs)-1].CreatedAt, ID: cs[len(cs)-1].ID}
					case scanned != nil:
						after = scanned
					default:
						after = nil
					}
					if after == nil {
						break
					}
				}
				if ids(got) != ids(ofMX) {
					t.Fatalf("pages gave %s, want Mexico's %s", ids(got), ids(ofMX))
				}
				if tc.scan < 10 && empty == 0 {
					t.Errorf("%d pages, none empty: the bound of %d did not apply", pages, tc.scan)
				}
			})
		}
		// A bound at the list's last comment leaves nothing to follow: no
		// cursor to an empty page.
		t.Run(fmt.Sprintf("clause_%v_bound_at_the_end", scope.ClauseID != ""), func(t *testing.T) {
			f := scope
			f.Country, f.Limit = "PA", 10 // nobody from Panama spoke
			for scan, wantCursor := range map[int]bool{29: true, 30: false, 31: false} {
				mustRead(t, s, func(tx *store.Tx) error {
					cs, scanned, err := tx.CommentsWithin(f, scan)
					if len(cs) != 0 || (scanned != nil) != wantCursor {
						t.Errorf("bound %d of 30: %d comments, cursor %v; want a cursor: %v", scan, len(cs), scanned, wantCursor)
					}
					return err
				})
			}
		})
		t.Run(fmt.Sprintf("clause_%v_unfiltered_is_Comments", scope.ClauseID != ""), func(t *testing.T) {
			f := scope
			f.Limit = 30
			var cs []drafting.Comment
			var scanned *store.CommentCursor
			mustRead(t, s, func(tx *store.Tx) error {
				var err error
				cs, scanned, err = tx.CommentsWithin(f, 3)
				return err
			})
			if ids(cs) != ids(all) || scanned != nil {
				t.Fatalf("unfiltered page = %s (scanned to %v), want every comment", ids(cs), scanned)
			}
		})
	}
}
