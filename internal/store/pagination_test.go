package store_test

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// lister pages through one keyset-paginated list by the ids of its rows:
// page returns the ids of the page after the row last (nil: the first page).
type lister struct {
	name string
	want []string // every id of the list, in its order
	page func(t *testing.T, limit int, last *string) []string
}

// Every keyset list of the store, paged with every small limit, yields each
// row exactly once and in the list's order — also across runs of rows with
// equal created_at, where the id breaks the tie.
func TestKeysetPagination(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	// Times with ties and sub-second steps (PostgreSQL keeps microseconds).
	times := []time.Time{t0, t0, t0, t0.Add(250 * time.Millisecond), t0.Add(250 * time.Millisecond),
		t0.Add(time.Second + 1*time.Microsecond), t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(2 * time.Second)}
	slices.Reverse(times) // insert newest first, so insertion order is not the answer

	w := mustWorld(t, s, t0)
	var (
		users      = []drafting.User{w.Facilitator, w.Delegate}
		guidelines = []drafting.Guideline{w.Guideline}
		clause2    drafting.Clause
		comments   []drafting.Comment // on w.Clause, then on clause2
		positions  []drafting.Position
	)
	mustWrite(t, s, func(tx *store.Tx) error {
		observer := mustUser(t, tx, drafting.RoleObserver, "", t0)
		mexican := mustUser(t, tx, drafting.RoleDelegate, "MX", t0)
		users = append(users, observer, mexican)
		clause2 = mustClause(t, tx, w.Section, 2, w.Facilitator.ID, t0)
		authors := []drafting.User{w.Delegate, observer, mexican, w.Facilitator}
		for i, at := range times {
			comments = append(comments, mustComment(t, tx, w.Clause, authors[i%len(authors)], at))
		}
		for i, at := range times[:5] {
			comments = append(comments, mustComment(t, tx, clause2, authors[(i+1)%len(authors)], at))
		}
		for n := 2; n <= 7; n++ {
			mustVersion(t, tx, w.Clause.ID, n, drafting.Text{"en": fmt.Sprint("v", n)}, w.Facilitator.ID, t0)
		}
		for i, at := range times[:6] {
			g := mustGuideline(t, tx, w.Facilitator.ID, at, "CR")
			guidelines = append(guidelines, g)
			if i%2 == 0 {
				mustSection(t, tx, g.ID, 1, at)
				d := drafting.Draft{GuidelineID: g.ID, Number: 1, Label: "final", CreatedBy: w.Facilitator.ID, CreatedAt: at}
				if err := tx.CreateDraft(d); err != nil {
					return err
				}
				if err := tx.InsertApproved(drafting.Approved{GuidelineID: g.ID, Version: 1, DraftNumber: 1, Content: []byte("{}"),
					ContentHash: "sha256:x", AdoptedBy: w.Facilitator.ID, AdoptedAt: at}); err != nil {
					return err
				}
			}
		}
		for n := 1; n <= 5; n++ {
			if err := tx.CreateDraft(drafting.Draft{GuidelineID: w.Guideline.ID, Number: n, Label: fmt.Sprint("draft ", n),
				CreatedBy: w.Facilitator.ID, CreatedAt: t0}); err != nil {
				return err
			}
		}
		// Positions in three rounds, two of them at one instant; CR and MX
		// state theirs twice, superseding the first.
		rounds := []struct {
			at        time.Time
			countries []string
		}{
			{t0, []string{"CR", "MX", "BZ"}},
			{t0, []string{"PA", "GT"}},
			{t0.Add(time.Second), []string{"CR", "HN", "MX"}},
		}
		for _, r := range rounds {
			var ps []drafting.Position
			for _, c := range r.countries {
				ps = append(ps, drafting.Position{ID: newID(), ClauseID: w.Clause.ID, Country: c, ClauseVersion: 1,
					Stance: drafting.StanceAgree, RecordedBy: w.Facilitator.ID, CreatedAt: r.at})
			}
			if err := tx.InsertPositions(w.Clause.ID, ps); err != nil {
				return err
			}
			positions = append(positions, ps...)
		}
		return nil
	})

	commentIDs := func(keep func(drafting.Comment) bool) []string {
		var cs []drafting.Comment
		for _, c := range comments {
			if keep(c) {
				cs = append(cs, c)
			}
		}
		slices.SortFunc(cs, func(a, b drafting.Comment) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return mapIDs(cs, func(c drafting.Comment) string { return c.ID })
	}
	commentPage := func(f store.CommentFilter) func(t *testing.T, limit int, last *string) []string {
		return func(t *testing.T, limit int, last *string) []string {
			f := f
			f.Limit = limit
			if last != nil {
				c := read(t, s, func(tx *store.Tx) (drafting.Comment, error) { return tx.Comment(*last) })
				f.After = &store.CommentCursor{CreatedAt: c.CreatedAt, ID: c.ID}
			}
			cs := read(t, s, func(tx *store.Tx) ([]drafting.Comment, error) { return tx.Comments(f) })
			return mapIDs(cs, func(c drafting.Comment) string { return c.ID })
		}
	}

	slices.SortFunc(guidelines, func(a, b drafting.Guideline) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	guidelinePage := func(onlyApproved bool) func(t *testing.T, limit int, last *string) []string {
		return func(t *testing.T, limit int, last *string) []string {
			var after *store.GuidelineCursor
			if last != nil {
				g := read(t, s, func(tx *store.Tx) (drafting.Guideline, error) { return tx.Guideline(*last) })
				after = &store.GuidelineCursor{CreatedAt: g.CreatedAt, ID: g.ID}
			}
			gs := read(t, s, func(tx *store.Tx) ([]drafting.Guideline, error) { return tx.Guidelines(after, limit, onlyApproved) })
			return mapIDs(gs, func(g drafting.Guideline) string { return g.ID })
		}
	}
	approved := func() []string {
		var ids []string
		for _, g := range guidelines {
			if _, err := tryRead(s, func(tx *store.Tx) (drafting.Approved, error) { return tx.LatestApproved(g.ID) }); err == nil {
				ids = append(ids, g.ID)
			}
		}
		return ids
	}()
	if len(approved) != 3 {
		t.Fatalf("%d approved guidelines, want 3", len(approved))
	}

	slices.SortFunc(positions, func(a, b drafting.Position) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID)) // newest first
	})
	slices.SortFunc(users, func(a, b drafting.User) int { return strings.Compare(a.Email, b.Email) })

	listers := []lister{
		{name: "comments_of_a_clause", want: commentIDs(func(c drafting.Comment) bool { return c.ClauseID == w.Clause.ID }),
			page: commentPage(store.CommentFilter{ClauseID: w.Clause.ID})},
		{name: "comments_of_a_guideline", want: commentIDs(func(drafting.Comment) bool { return true }),
			page: commentPage(store.CommentFilter{GuidelineID: w.Guideline.ID})},
		{name: "comments_of_a_country", want: commentIDs(func(c drafting.Comment) bool { return c.Country == "CR" }),
			page: commentPage(store.CommentFilter{GuidelineID: w.Guideline.ID, Country: "CR"})},
		{name: "comments_of_observers", want: commentIDs(func(c drafting.Comment) bool { return c.Observer }),
			page: commentPage(store.CommentFilter{GuidelineID: w.Guideline.ID, Country: "observer"})},
		{name: "versions_newest_first", want: []string{"7", "6", "5", "4", "3", "2", "1"},
			page: func(t *testing.T, limit int, last *string) []string {
				before := 0
				if last != nil {
					before = atoi(t, *last)
				}
				vs := read(t, s, func(tx *store.Tx) ([]drafting.Version, error) { return tx.Versions(w.Clause.ID, before, limit) })
				return mapIDs(vs, func(v drafting.Version) string { return fmt.Sprint(v.Number) })
			}},
		{name: "drafts_newest_first", want: []string{"5", "4", "3", "2", "1"},
			page: func(t *testing.T, limit int, last *string) []string {
				before := 0
				if last != nil {
					before = atoi(t, *last)
				}
				ds := read(t, s, func(tx *store.Tx) ([]drafting.Draft, error) { return tx.Drafts(w.Guideline.ID, before, limit) })
				return mapIDs(ds, func(d drafting.Draft) string { return fmt.Sprint(d.Number) })
			}},
		{name: "guidelines", want: mapIDs(guidelines, func(g drafting.Guideline) string { return g.ID }),
			page: guidelinePage(false)},
		{name: "approved_guidelines", want: approved, page: guidelinePage(true)},
		{name: "position_history_newest_first", want: mapIDs(positions, func(p drafting.Position) string { return p.ID }),
			page: func(t *testing.T, limit int, last *string) []string {
				var after *store.PositionCursor
				if last != nil {
					all := read(t, s, func(tx *store.Tx) ([]store.PositionRecord, error) { return tx.PositionHistory(w.Clause.ID, nil, 100) })
					for _, p := range all {
						if p.ID == *last {
							after = &store.PositionCursor{CreatedAt: p.CreatedAt, ID: p.ID}
						}
					}
				}
				ps := read(t, s, func(tx *store.Tx) ([]store.PositionRecord, error) {
					return tx.PositionHistory(w.Clause.ID, after, limit)
				})
				return mapIDs(ps, func(p store.PositionRecord) string { return p.ID })
			}},
		{name: "users_by_email", want: mapIDs(users, func(u drafting.User) string { return u.Email }),
			page: func(t *testing.T, limit int, last *string) []string {
				after := ""
				if last != nil {
					after = *last
				}
				us := read(t, s, func(tx *store.Tx) ([]drafting.User, error) { return tx.Users(after, limit) })
				return mapIDs(us, func(u drafting.User) string { return u.Email })
			}},
	}
	for _, l := range listers {
		for _, limit := range []int{1, 2, 3, len(l.want), len(l.want) + 1} {
			t.Run(fmt.Sprintf("%s/limit_%d", l.name, limit), func(t *testing.T) {
				pages := pageAll(t, limit, func(last *string) []string { return l.page(t, limit, last) })
				got := flatten(pages)
				sameIDs(t, "paged", got, l.want)
				if want := (len(l.want) + limit - 1) / limit; len(pages) != want {
					t.Fatalf("%d pages, want %d", len(pages), want)
				}
			})
		}
	}

	t.Run("position_history_marks_superseded", func(t *testing.T) {
		ps := read(t, s, func(tx *store.Tx) ([]store.PositionRecord, error) { return tx.PositionHistory(w.Clause.ID, nil, 100) })
		current := map[string]string{} // country → id of its newest position
		for _, p := range positions {
			if _, seen := current[p.Country]; !seen {
				current[p.Country] = p.ID
			}
		}
		for _, p := range ps {
			if p.Superseded == (current[p.Country] == p.ID) {
				t.Errorf("position %s of %s: superseded = %v", p.ID, p.Country, p.Superseded)
			}
		}
		cur := read(t, s, func(tx *store.Tx) ([]drafting.Position, error) { return tx.CurrentPositions(w.Clause.ID) })
		var got []string
		for _, p := range cur {
			got = append(got, p.Country+"="+p.ID)
		}
		var want []string
		for _, c := range []string{"BZ", "CR", "GT", "HN", "MX", "PA"} {
			want = append(want, c+"="+current[c])
		}
		sameIDs(t, "current positions by country", got, want)
	})
}

// TestCommentFilters checks the filters that narrow a comment list.
func TestCommentFilters(t *testing.T) {
	s, clk := openStore(t)
	t0 := clk.Now()
	w := mustWorld(t, s, t0)
	var all []drafting.Comment
	mustWrite(t, s, func(tx *store.Tx) error {
		observer := mustUser(t, tx, drafting.RoleObserver, "", t0)
		general := mustComment(t, tx, w.Clause, w.Delegate, t0)
		amendment := drafting.Comment{ID: newID(), GuidelineID: w.Guideline.ID, ClauseID: w.Clause.ID, ClauseVersion: 1,
			AuthorID: observer.ID, Observer: true, Kind: drafting.KindAmendment, Body: "reword", Status: drafting.CommentOpen,
			ProposedText: drafting.Text{"en": "New", "es": "Nuevo"}, Quote: "Text", Revision: 1, CreatedAt: t0.Add(time.Second), UpdatedAt: t0}
		if err := tx.InsertComment(amendment); err != nil {
			return err
		}
		mustVersion(t, tx, w.Clause.ID, 2, drafting.Text{"en": "v2"}, w.Facilitator.ID, t0)
		reply := drafting.Comment{ID: newID(), GuidelineID: w.Guideline.ID, ClauseID: w.Clause.ID, ClauseVersion: 2,
			AuthorID: w.Facilitator.ID, Kind: drafting.KindEditorial, Body: "reply", ParentID: general.ID,
			Status: drafting.CommentDeclined, Revision: 1, CreatedAt: t0.Add(2 * time.Second), UpdatedAt: t0}
		if err := tx.InsertComment(reply); err != nil {
			return err
		}
		all = []drafting.Comment{general, amendment, reply}
		return nil
	})
	general, amendment, reply := all[0], all[1], all[2]
	cases := []struct {
		name string
		f    store.CommentFilter
		want []drafting.Comment
	}{
		{"clause", store.CommentFilter{ClauseID: w.Clause.ID}, all},
		{"other_clause_is_empty", store.CommentFilter{ClauseID: newID()}, nil},
		{"country", store.CommentFilter{ClauseID: w.Clause.ID, Country: "CR"}, []drafting.Comment{general}},
		{"observer", store.CommentFilter{ClauseID: w.Clause.ID, Country: "observer"}, []drafting.Comment{amendment}},
		{"status", store.CommentFilter{ClauseID: w.Clause.ID, Status: "declined"}, []drafting.Comment{reply}},
		{"kind", store.CommentFilter{ClauseID: w.Clause.ID, Kind: "amendment"}, []drafting.Comment{amendment}},
		{"version", store.CommentFilter{ClauseID: w.Clause.ID, Version: 1}, []drafting.Comment{general, amendment}},
		{"combined", store.CommentFilter{GuidelineID: w.Guideline.ID, Status: "open", Version: 1, Kind: "general"}, []drafting.Comment{general}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 100
			got := read(t, s, func(tx *store.Tx) ([]drafting.Comment, error) { return tx.Comments(tc.f) })
			sameIDs(t, "comments", mapIDs(got, func(c drafting.Comment) string { return c.ID }),
				mapIDs(tc.want, func(c drafting.Comment) string { return c.ID }))
		})
	}
	t.Run("fields_round_trip", func(t *testing.T) {
		for _, want := range all {
			got := read(t, s, func(tx *store.Tx) (drafting.Comment, error) { return tx.Comment(want.ID) })
			if got.GuidelineID != want.GuidelineID || got.ClauseID != want.ClauseID || got.ClauseVersion != want.ClauseVersion ||
				got.AuthorID != want.AuthorID || got.Country != want.Country || got.Observer != want.Observer ||
				got.Kind != want.Kind || got.Body != want.Body || fmt.Sprint(got.ProposedText) != fmt.Sprint(want.ProposedText) ||
				got.Quote != want.Quote || got.ParentID != want.ParentID || got.Status != want.Status ||
				got.Revision != want.Revision || !got.CreatedAt.Equal(want.CreatedAt) || got.ResolvedAt != nil {
				t.Errorf("comment = %+v\nwant %+v", got, want)
			}
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mapIDs[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}
