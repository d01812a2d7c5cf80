package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// appendEvent appends one event of type typ to gid in its own transaction.
func appendEvent(t *testing.T, s *store.Store, gid, typ string, at time.Time) drafting.Event {
	t.Helper()
	e := drafting.Event{GuidelineID: gid, Type: typ, SubjectID: gid, Data: map[string]any{"n": typ}, CreatedAt: at}
	mustWrite(t, s, func(tx *store.Tx) error { return tx.AppendEvent(&e) })
	return e
}

func allEvents(t *testing.T, s *store.Store, gid string) []drafting.Event {
	t.Helper()
	return read(t, s, func(tx *store.Tx) ([]drafting.Event, error) {
		return tx.Events(store.EventFilter{GuidelineID: gid, Limit: 1000})
	})
}

func eventIDs(es []drafting.Event) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// Event ids come from one counter row updated inside the writing
// transaction: they start at 1, have no gaps (a rolled-back append gives
// its id back), and a reader paging with "after" sees them in order. The
// subtests share one database and run in turn; each appends to a guideline
// of its own and expects the ids that follow the last one the counter gave.
func TestAppendEvent(t *testing.T) {
	s, clk := openStore(t)
	// last appends a probe event (to no guideline) and returns its id.
	last := func(t *testing.T) int64 {
		t.Helper()
		return appendEvent(t, s, "", drafting.EventUserCreated, clk.Now()).ID
	}
	guideline := func(t *testing.T) string {
		t.Helper()
		return mustWorld(t, s, clk.Now()).Guideline.ID
	}

	t.Run("ids_start_at_one_and_have_no_gaps", func(t *testing.T) {
		g1, g2 := guideline(t), guideline(t)
		var got []int64
		for i := range 6 {
			gid := g1
			if i%2 == 1 {
				gid = g2 // one counter for every guideline
			}
			got = append(got, appendEvent(t, s, gid, drafting.EventClauseCreated, clk.Now()).ID)
		}
		sameInts(t, "ids", got, seq(1, 6))
		sameInts(t, "first guideline's events", eventIDs(allEvents(t, s, g1)), []int64{1, 3, 5})
		sameInts(t, "second guideline's events", eventIDs(allEvents(t, s, g2)), []int64{2, 4, 6})
	})

	t.Run("several_in_one_transaction_are_consecutive", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		var got []int64
		mustWrite(t, s, func(tx *store.Tx) error {
			for range 3 {
				e := drafting.Event{GuidelineID: gid, Type: drafting.EventCommentCreated, SubjectID: "x", CreatedAt: clk.Now()}
				if err := tx.AppendEvent(&e); err != nil {
					return err
				}
				got = append(got, e.ID)
			}
			return nil
		})
		sameInts(t, "ids", got, seq(b+1, 3))
	})

	t.Run("rolled_back_append_leaves_no_gap", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		err := tryWrite(s, func(tx *store.Tx) error {
			e := drafting.Event{GuidelineID: gid, Type: drafting.EventClauseMoved, SubjectID: "x", CreatedAt: clk.Now()}
			if err := tx.AppendEvent(&e); err != nil {
				return err
			}
			if e.ID != b+1 {
				t.Errorf("id inside the transaction = %d, want %d", e.ID, b+1)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v", err)
		}
		if got := read(t, s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(gid) }); got != 0 {
			t.Fatalf("LatestEventID = %d: the rolled-back event is visible", got)
		}
		next := appendEvent(t, s, gid, drafting.EventClauseCreated, clk.Now())
		if next.ID != b+1 {
			t.Fatalf("id after a rolled-back append = %d, want %d", next.ID, b+1)
		}
		evs := allEvents(t, s, gid)
		if len(evs) != 1 || evs[0].Type != drafting.EventClauseCreated {
			t.Fatalf("events = %+v, want only the committed one", evs)
		}
	})

	t.Run("concurrent_appends_have_no_gaps_or_duplicates", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		const n = 8
		raceWrites(t, s, n, func(tx *store.Tx) (bool, error) {
			e := drafting.Event{GuidelineID: gid, Type: drafting.EventCommentCreated, SubjectID: "x", CreatedAt: clk.Now()}
			return true, tx.AppendEvent(&e)
		})
		sameInts(t, "ids", eventIDs(allEvents(t, s, gid)), seq(b+1, n))
	})

	// A reader never sees an id before it commits, so paging with "after"
	// cannot skip an event whose transaction commits late.
	t.Run("uncommitted_event_is_invisible", func(t *testing.T) {
		gid := guideline(t)
		appended, release := make(chan int64), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- tryWrite(s, func(tx *store.Tx) error {
				e := drafting.Event{GuidelineID: gid, Type: drafting.EventCommentCreated, SubjectID: "x", CreatedAt: clk.Now()}
				if err := tx.AppendEvent(&e); err != nil {
					close(appended)
					return err
				}
				appended <- e.ID
				<-release
				return nil
			})
		}()
		id, ok := <-appended
		if !ok {
			t.Fatalf("append: %v", <-done)
		}
		var latest int64
		var seen []drafting.Event
		err := s.Read(context.Background(), func(tx *store.Tx) error {
			var err error
			if latest, err = tx.LatestEventID(gid); err != nil {
				return err
			}
			seen, err = tx.Events(store.EventFilter{GuidelineID: gid, Limit: 10})
			return err
		})
		close(release)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if latest != 0 || len(seen) != 0 {
			t.Fatalf("while the writer is open: LatestEventID = %d, Events = %+v; want nothing", latest, seen)
		}
		if got := read(t, s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(gid) }); got != id {
			t.Fatalf("LatestEventID after commit = %d, want %d", got, id)
		}
	})

	t.Run("fields_round_trip", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		at := clk.Now().Add(90 * time.Second)
		in := drafting.Event{GuidelineID: w.Guideline.ID, Type: drafting.EventPositionRecorded, ActorID: w.Delegate.ID,
			SubjectID: w.Clause.ID, Data: map[string]any{"country": "CR", "version": float64(2)}, CreatedAt: at}
		bare := drafting.Event{Type: drafting.EventUserCreated, SubjectID: w.Delegate.ID, CreatedAt: at} // no guideline, actor or data
		mustWrite(t, s, func(tx *store.Tx) error {
			if err := tx.AppendEvent(&in); err != nil {
				return err
			}
			return tx.AppendEvent(&bare)
		})
		got := allEvents(t, s, w.Guideline.ID)
		if len(got) != 1 {
			t.Fatalf("events = %+v, want one (the bare event has no guideline)", got)
		}
		e := got[0]
		if e.ID != in.ID || e.GuidelineID != in.GuidelineID || e.Type != in.Type || e.ActorID != in.ActorID ||
			e.SubjectID != in.SubjectID || !e.CreatedAt.Equal(at) || fmt.Sprint(e.Data) != fmt.Sprint(in.Data) {
			t.Fatalf("event = %+v\nwant %+v", e, in)
		}
		if bare.ID != in.ID+1 {
			t.Fatalf("bare event id = %d, want %d", bare.ID, in.ID+1)
		}
	})
}

// seq returns n consecutive ids from first.
func seq(first int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
}

func TestEvents(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	types := []string{drafting.EventClauseCreated, drafting.EventCommentCreated, drafting.EventClauseTextChanged,
		drafting.EventCommentCreated, drafting.EventPositionRecorded, drafting.EventCommentCreated, drafting.EventClauseCreated}
	for _, typ := range types {
		appendEvent(t, s, w.Guideline.ID, typ, clk.Now()) // equal created_at: order is by id alone
	}
	all := allEvents(t, s, w.Guideline.ID)
	if len(all) != len(types) {
		t.Fatalf("%d events, want %d", len(all), len(types))
	}

	for _, limit := range []int{1, 2, 3, len(types), len(types) + 1} {
		t.Run(fmt.Sprintf("pages_of_%d_cover_the_log_once", limit), func(t *testing.T) {
			pages := pageAll(t, limit, func(last *drafting.Event) []drafting.Event {
				f := store.EventFilter{GuidelineID: w.Guideline.ID, Limit: limit}
				if last != nil {
					f.After = last.ID
				}
				return read(t, s, func(tx *store.Tx) ([]drafting.Event, error) { return tx.Events(f) })
			})
			sameInts(t, "paged ids", eventIDs(flatten(pages)), eventIDs(all))
		})
	}

	t.Run("types_filter_keeps_id_order", func(t *testing.T) {
		got := read(t, s, func(tx *store.Tx) ([]drafting.Event, error) {
			return tx.Events(store.EventFilter{GuidelineID: w.Guideline.ID, Limit: 100,
				Types: []string{drafting.EventCommentCreated, drafting.EventPositionRecorded}})
		})
		sameInts(t, "ids", eventIDs(got), []int64{all[1].ID, all[3].ID, all[4].ID, all[5].ID})
	})
	t.Run("after_the_last_is_empty", func(t *testing.T) {
		got := read(t, s, func(tx *store.Tx) ([]drafting.Event, error) {
			return tx.Events(store.EventFilter{GuidelineID: w.Guideline.ID, After: all[len(all)-1].ID, Limit: 10})
		})
		if len(got) != 0 {
			t.Fatalf("events after the last = %+v", got)
		}
	})
	t.Run("latest_event_id", func(t *testing.T) {
		if got := read(t, s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(w.Guideline.ID) }); got != int64(len(types)) {
			t.Fatalf("LatestEventID = %d, want %d", got, len(types))
		}
		if got := read(t, s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(newID()) }); got != 0 {
			t.Fatalf("LatestEventID of a guideline without events = %d, want 0", got)
		}
	})
	t.Run("notify_commits_on_both_databases", func(t *testing.T) {
		// A wake-up sent inside a transaction (pg_notify on PostgreSQL, a no-op
		// on SQLite) must not break the transaction it rides on.
		if err := s.Write(context.Background(), func(tx *store.Tx) error { return tx.Notify(w.Guideline.ID) }); err != nil {
			t.Fatalf("Notify: %v", err)
		}
	})
}

func sameInts(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
