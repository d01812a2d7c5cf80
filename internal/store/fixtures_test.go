package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// The store's suite runs on SQLite, or on PostgreSQL when TEST_DATABASE_URL
// is set (storetest.MustOpen decides). Opening a migrated PostgreSQL schema
// costs seconds, so each top-level test opens one database and its subtests
// share it, each working on rows of its own (fresh uuids).

// openStore opens a fresh, migrated database read through a test clock.
func openStore(t *testing.T) (*store.Store, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New()
	return storetest.MustOpen(t, clk.Now), clk
}

// errRollback makes a Write roll back on purpose.
var errRollback = errors.New("roll back on purpose")

func mustWrite(t testing.TB, s *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func mustRead(t *testing.T, s *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		t.Fatalf("read: %v", err)
	}
}

// read runs fn outside any transaction and returns its value.
func read[T any](t *testing.T, s *store.Store, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var v T
	mustRead(t, s, func(tx *store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v
}

// tryRead reads a value, returning the error instead of failing the test.
func tryRead[T any](s *store.Store, fn func(tx *store.Tx) (T, error)) (T, error) {
	var v T
	err := s.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// tryWrite runs fn in one transaction and returns what Write returned.
func tryWrite(s *store.Store, fn func(tx *store.Tx) error) error {
	return s.Write(context.Background(), fn)
}

func newID() string { return uuid.NewString() }

// mustUser inserts an active user of role; country is "" for roles without one.
func mustUser(t testing.TB, tx *store.Tx, role drafting.Role, country string, now time.Time) drafting.User {
	t.Helper()
	id := newID()
	u := drafting.User{ID: id, Email: "u-" + id + "@example.org", Name: "User " + id[:8], PasswordHash: "$argon2id$x",
		Role: role, Country: country, Active: true, Revision: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateUser(u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// mustGuideline inserts a drafting guideline created by creator.
func mustGuideline(t testing.TB, tx *store.Tx, creator string, now time.Time, participants ...string) drafting.Guideline {
	t.Helper()
	id := newID()
	g := drafting.Guideline{ID: id, Title: drafting.Text{"es": "Lineamiento " + id[:8], "en": "Guideline " + id[:8]}, Slug: "g-" + id, Languages: []string{"es", "en"},
		Participants: participants, Status: drafting.GuidelineDrafting, Revision: 1, CreatedBy: creator,
		CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateGuideline(g); err != nil {
		t.Fatalf("create guideline: %v", err)
	}
	if g.Participants == nil {
		g.Participants = []string{}
	}
	return g
}

// mustSection inserts a section at position pos.
func mustSection(t testing.TB, tx *store.Tx, gid string, pos int, now time.Time) drafting.Section {
	t.Helper()
	s := drafting.Section{ID: newID(), GuidelineID: gid, Title: drafting.Text{"es": fmt.Sprintf("Sección %d", pos), "en": fmt.Sprintf("Section %d", pos)}, Position: pos, CreatedAt: now}
	if err := tx.InsertSection(s); err != nil {
		t.Fatalf("insert section: %v", err)
	}
	return s
}

// mustClause inserts an open clause at pos in sec with its first version.
func mustClause(t testing.TB, tx *store.Tx, sec drafting.Section, pos int, author string, now time.Time) drafting.Clause {
	t.Helper()
	c := drafting.Clause{ID: newID(), GuidelineID: sec.GuidelineID, SectionID: sec.ID, Position: pos,
		Number: fmt.Sprintf("%d.%d", sec.Position, pos), Status: drafting.StatusOpen, Version: 1, Revision: 1,
		CreatedAt: now, UpdatedAt: now, Text: drafting.Text{"en": fmt.Sprint("Text ", pos), "es": fmt.Sprint("Texto ", pos)}}
	if err := tx.InsertClause(c); err != nil {
		t.Fatalf("insert clause: %v", err)
	}
	mustVersion(t, tx, c.ID, 1, c.Text, author, now)
	return c
}

// mustVersion appends version n of a clause.
func mustVersion(t testing.TB, tx *store.Tx, clauseID string, n int, text drafting.Text, author string, now time.Time) drafting.Version {
	t.Helper()
	v := drafting.Version{ClauseID: clauseID, Number: n, Text: text, Note: fmt.Sprintf("v%d", n), Incorporates: []string{},
		AuthorID: author, CreatedAt: now}
	if err := tx.InsertVersion(v); err != nil {
		t.Fatalf("insert version %d: %v", n, err)
	}
	return v
}

// mustComment inserts an open general comment on c's current version.
func mustComment(t *testing.T, tx *store.Tx, c drafting.Clause, author drafting.User, at time.Time) drafting.Comment {
	t.Helper()
	cm := drafting.Comment{ID: newID(), GuidelineID: c.GuidelineID, ClauseID: c.ID, ClauseVersion: c.Version,
		AuthorID: author.ID, Country: author.Country, Observer: author.Role == drafting.RoleObserver,
		Kind: drafting.KindGeneral, Body: "Comment by " + author.ID[:8], Status: drafting.CommentOpen, Revision: 1,
		CreatedAt: at, UpdatedAt: at}
	if err := tx.InsertComment(cm); err != nil {
		t.Fatalf("insert comment: %v", err)
	}
	return cm
}

// world is a guideline with one section and one clause, a facilitator who
// wrote them and a delegate of CR, all participants being CR and MX.
type world struct {
	Facilitator drafting.User
	Delegate    drafting.User
	Guideline   drafting.Guideline
	Section     drafting.Section
	Clause      drafting.Clause
}

func mustWorld(t testing.TB, s *store.Store, now time.Time) world {
	t.Helper()
	var w world
	mustWrite(t, s, func(tx *store.Tx) error {
		w.Facilitator = mustUser(t, tx, drafting.RoleFacilitator, "", now)
		w.Delegate = mustUser(t, tx, drafting.RoleDelegate, "CR", now)
		w.Guideline = mustGuideline(t, tx, w.Facilitator.ID, now, "CR", "MX")
		w.Section = mustSection(t, tx, w.Guideline.ID, 1, now)
		w.Clause = mustClause(t, tx, w.Section, 1, w.Facilitator.ID, now)
		return nil
	})
	return w
}

// wantKind fails unless err is a drafting.Error of kind with the given code.
func wantKind(t *testing.T, err error, kind drafting.Kind, code string) {
	t.Helper()
	var de *drafting.Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want a drafting.Error %s %s", err, err, kind, code)
	}
	if de.Kind != kind || de.Code != code {
		t.Fatalf("err = %s %s, want %s %s", de.Kind, de.Code, kind, code)
	}
}

// pageAll reads a keyset-paginated list to its end: next is called with the
// last item of the previous page (nil first) and must return at most limit
// items; a short page ends the list.
func pageAll[T any](t *testing.T, limit int, next func(last *T) []T) [][]T {
	t.Helper()
	var pages [][]T
	var last *T
	for range 1000 {
		page := next(last)
		if len(page) > limit {
			t.Fatalf("page %d holds %d items, limit %d", len(pages)+1, len(page), limit)
		}
		if len(page) > 0 {
			pages = append(pages, page)
			last = &page[len(page)-1]
		}
		if len(page) < limit {
			return pages
		}
	}
	t.Fatal("pagination does not end")
	return nil
}

func flatten[T any](pages [][]T) []T {
	var out []T
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

// sameIDs fails unless got lists exactly the ids of want, in the same order.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// raceWrites runs n transactions of fn at once, each reporting whether it
// won, fails t on any error, and returns how many won.
func raceWrites(t *testing.T, s *store.Store, n int, fn func(tx *store.Tx) (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	won := make(chan bool, n)
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- tryWrite(s, func(tx *store.Tx) error {
				ok, err := fn(tx)
				if err != nil {
					return err
				}
				won <- ok
				return nil
			})
		}()
	}
	wg.Wait()
	close(won)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("racing write: %v", err)
		}
	}
	wins := 0
	for ok := range won {
		if ok {
			wins++
		}
	}
	return wins
}
