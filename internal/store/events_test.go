package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// appendEvent records one event of type typ to gid in its own transaction
// and publishes it.
func appendEvent(t *testing.T, s *store.Store, gid, typ string, at time.Time) drafting.Event {
	t.Helper()
	e := drafting.Event{GuidelineID: gid, Type: typ, SubjectID: gid, Data: map[string]any{"n": typ}, CreatedAt: at}
	mustWrite(t, s, func(tx *store.Tx) error { return outbox(tx, e) })
	got := publish(t, s)
	if len(got) != 1 {
		t.Fatalf("published %+v, want one event", got)
	}
	return got[0]
}

// outbox leaves events in the transaction's outbox row.
func outbox(tx *store.Tx, events ...drafting.Event) error {
	_, err := tx.Outbox(events)
	return err
}

// publish publishes everything committed to the outbox.
func publish(t *testing.T, s *store.Store) []drafting.Event {
	t.Helper()
	var all []drafting.Event
	for {
		evs, more, err := s.Publish(context.Background(), 3)
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		all = append(all, evs...)
		if !more {
			return all
		}
	}
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

// Writers leave their events in the outbox; Publish numbers them from one
// counter row: ids start at 1, have no gaps (a rolled-back write leaves
// nothing), follow the order of the outbox rows, and a reader paging with
// "after" sees them in order. The subtests share one database and run in
// turn; each appends to a guideline of its own and expects the ids that
// follow the last one the counter gave.
func TestOutboxPublish(t *testing.T) {
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
	event := func(gid, typ string) drafting.Event {
		return drafting.Event{GuidelineID: gid, Type: typ, SubjectID: "x", CreatedAt: clk.Now()}
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

	t.Run("rows_are_published_in_the_order_they_were_left", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		// Seven rows of one to three events, published three rows at a
		// time: the ids follow the rows, and the events within each.
		var want []string
		for i := range 7 {
			var evs []drafting.Event
			for j := range i%3 + 1 {
				e := event(gid, drafting.EventCommentCreated)
				e.SubjectID = fmt.Sprintf("%d.%d", i, j)
				evs, want = append(evs, e), append(want, e.SubjectID)
			}
			mustWrite(t, s, func(tx *store.Tx) error { return outbox(tx, evs...) })
		}
		got := publish(t, s)
		sameInts(t, "ids", eventIDs(got), seq(b+1, len(want)))
		stored := allEvents(t, s, gid)
		sameInts(t, "stored ids", eventIDs(stored), seq(b+1, len(want)))
		if subjects := mapIDs(stored, func(e drafting.Event) string { return e.SubjectID }); !slices.Equal(subjects, want) {
			t.Fatalf("events in id order = %v, want %v", subjects, want)
		}
		if pending, err := s.Pending(context.Background()); err != nil || pending {
			t.Fatalf("Pending after publishing = %v, %v; want false", pending, err)
		}
	})

	t.Run("rolled_back_write_leaves_nothing", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		err := tryWrite(s, func(tx *store.Tx) error {
			if err := outbox(tx, event(gid, drafting.EventClauseMoved)); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v", err)
		}
		if got := publish(t, s); len(got) != 0 {
			t.Fatalf("published %+v from a rolled-back write", got)
		}
		next := appendEvent(t, s, gid, drafting.EventClauseCreated, clk.Now())
		if next.ID != b+1 {
			t.Fatalf("id after a rolled-back write = %d, want %d", next.ID, b+1)
		}
		evs := allEvents(t, s, gid)
		if len(evs) != 1 || evs[0].Type != drafting.EventClauseCreated {
			t.Fatalf("events = %+v, want only the committed one", evs)
		}
	})

	// Writers and publishers at once, as on replicas that each publish
	// after their own writes: every event is published once, with no gap.
	t.Run("concurrent_writers_and_publishers_have_no_gaps_or_duplicates", func(t *testing.T) {
		gid, b := guideline(t), last(t)
		const n = 8
		var mu sync.Mutex
		var published []drafting.Event
		raceWrites(t, s, n, func(tx *store.Tx) (bool, error) {
			return true, outbox(tx, event(gid, drafting.EventCommentCreated), event(gid, drafting.EventCommentCreated))
		})
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				evs, _, err := s.Publish(context.Background(), 2)
				mu.Lock()
				published = append(published, evs...)
				mu.Unlock()
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
		}
		published = append(published, publish(t, s)...)
		ids := eventIDs(published)
		slices.Sort(ids)
		sameInts(t, "published ids", ids, seq(b+1, 2*n))
		sameInts(t, "stored ids", eventIDs(allEvents(t, s, gid)), seq(b+1, 2*n))
	})

	// A reader never sees an event before it is published, so paging with
	// "after" cannot skip one whose transaction commits late; and a
	// publication leaves an uncommitted row alone.
	t.Run("uncommitted_row_is_not_published", func(t *testing.T) {
		gid := guideline(t)
		left, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- tryWrite(s, func(tx *store.Tx) error {
				err := outbox(tx, event(gid, drafting.EventCommentCreated))
				close(left)
				if err != nil {
					return err
				}
				<-release
				return nil
			})
		}()
		<-left
		published, _, perr := s.Publish(context.Background(), 10)
		latest, lerr := tryRead(s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(gid) })
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if perr != nil || lerr != nil {
			t.Fatalf("Publish: %v; LatestEventID: %v", perr, lerr)
		}
		if latest != 0 || len(published) != 0 {
			t.Fatalf("while the writer is open: LatestEventID = %d, published %+v; want nothing", latest, published)
		}
		got := publish(t, s)
		if len(got) != 1 || got[0].GuidelineID != gid {
			t.Fatalf("published after commit: %+v", got)
		}
		if id := read(t, s, func(tx *store.Tx) (int64, error) { return tx.LatestEventID(gid) }); id != got[0].ID {
			t.Fatalf("LatestEventID after publishing = %d, want %d", id, got[0].ID)
		}
	})

	// A publication queues one delivery per event and webhook active then
	// and subscribed to its type.
	t.Run("webhook_deliveries_are_queued_by_the_publication", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		hook := func(active bool) drafting.Webhook {
			return drafting.Webhook{ID: newID(), URL: "https://hooks.example.org/consenso", Events: []string{drafting.EventCommentCreated},
				Secret: "s", Active: active, CreatedBy: w.Facilitator.ID, CreatedAt: clk.Now()}
		}
		on, off := hook(true), hook(false)
		mustWrite(t, s, func(tx *store.Tx) error {
			return outbox(tx, event(w.Guideline.ID, drafting.EventCommentCreated), event(w.Guideline.ID, drafting.EventClauseMoved))
		})
		// Created after the events were written, before they are published.
		mustWrite(t, s, func(tx *store.Tx) error { return errors.Join(tx.CreateWebhook(on), tx.CreateWebhook(off)) })
		pub := publish(t, s)
		if len(pub) != 2 {
			t.Fatalf("published %+v, want two events", pub)
		}
		deliveries := func(h drafting.Webhook) []store.DeliveryLogEntry {
			return read(t, s, func(tx *store.Tx) ([]store.DeliveryLogEntry, error) {
				return tx.DeliveryLog(store.DeliveryPage{WebhookID: h.ID, Limit: 10})
			})
		}
		if got := deliveries(on); len(got) != 1 || got[0].EventID != pub[0].ID || got[0].Status != drafting.DeliveryPending {
			t.Fatalf("deliveries of the active webhook = %+v, want one pending, of the comment (event %d)", got, pub[0].ID)
		}
		if got := deliveries(off); len(got) != 0 {
			t.Fatalf("deliveries of the inactive webhook = %+v, want none", got)
		}
	})

	// Counts that drifted from the comments do not stop publication: a
	// count is never taken below zero.
	t.Run("drifted_counts_do_not_stop_publication", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		mustWrite(t, s, func(tx *store.Tx) error {
			c := drafting.Comment{ID: newID(), GuidelineID: w.Guideline.ID, ClauseID: w.Clause.ID, ClauseVersion: 1, AuthorID: w.Delegate.ID,
				Country: w.Delegate.Country, Kind: drafting.KindGeneral, Body: "b", Status: drafting.CommentOpen, Revision: 1,
				CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
			return errors.Join(tx.InsertComment(c), outbox(tx, event(w.Guideline.ID, drafting.EventCommentCreated)))
		})
		publish(t, s)
		// The count row is set to zero behind the store's back, then the
		// comment is withdrawn: its delta would take it to -1.
		if err := s.DB().Exec("UPDATE comment_counts SET n = 0 WHERE clause_id = ?", w.Clause.ID).Error; err != nil {
			t.Fatal(err)
		}
		mustWrite(t, s, func(tx *store.Tx) error {
			cs, err := tx.Comments(store.CommentFilter{ClauseID: w.Clause.ID, Limit: 1})
			if err != nil || len(cs) != 1 {
				return fmt.Errorf("comments %v: %w", cs, err)
			}
			c := cs[0]
			c.Status, c.Revision = drafting.CommentWithdrawn, c.Revision+1
			ok, err := tx.SaveComment(c)
			if !ok && err == nil {
				err = errors.New("comment not saved")
			}
			return errors.Join(err, outbox(tx, event(w.Guideline.ID, drafting.EventCommentWithdrawn)))
		})
		if got := publish(t, s); len(got) != 1 || got[0].Type != drafting.EventCommentWithdrawn {
			t.Fatalf("published %+v, want the withdrawal", got)
		}
	})

	t.Run("fields_round_trip", func(t *testing.T) {
		w := mustWorld(t, s, clk.Now())
		at := clk.Now().Add(90 * time.Second)
		in := drafting.Event{GuidelineID: w.Guideline.ID, Type: drafting.EventPositionRecorded, ActorID: w.Delegate.ID,
			SubjectID: w.Clause.ID, Data: map[string]any{"country": "CR", "version": float64(2)}, CreatedAt: at}
		bare := drafting.Event{Type: drafting.EventUserCreated, SubjectID: w.Delegate.ID, CreatedAt: at} // no guideline, actor or data
		mustWrite(t, s, func(tx *store.Tx) error { return outbox(tx, in, bare) })
		pub := publish(t, s)
		got := allEvents(t, s, w.Guideline.ID)
		if len(got) != 1 || len(pub) != 2 {
			t.Fatalf("events = %+v, published %+v; want one stored for the guideline, two published", got, pub)
		}
		e := got[0]
		if e.ID != pub[0].ID || e.GuidelineID != in.GuidelineID || e.Type != in.Type || e.ActorID != in.ActorID ||
			e.SubjectID != in.SubjectID || !e.CreatedAt.Equal(at) || fmt.Sprint(e.Data) != fmt.Sprint(in.Data) {
			t.Fatalf("event = %+v\nwant %+v", e, in)
		}
		if p := pub[0]; p.GuidelineID != e.GuidelineID || p.Type != e.Type || !p.CreatedAt.Equal(at) || fmt.Sprint(p.Data) != fmt.Sprint(e.Data) {
			t.Fatalf("published %+v, stored %+v", p, e)
		}
		if pub[1].ID != pub[0].ID+1 || pub[1].Type != bare.Type || len(pub[1].Data) != 0 {
			t.Fatalf("bare event published as %+v, want id %d and no data", pub[1], pub[0].ID+1)
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
	// A filtered page merges the types' next events: paged with any
	// limit, the filtered log is covered once, in id order, and another
	// guideline's events of the same types stay out.
	appendEvent(t, s, mustWorld(t, s, clk.Now()).Guideline.ID, drafting.EventCommentCreated, clk.Now())
	for _, limit := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("filtered_pages_of_%d_cover_the_filtered_log_once", limit), func(t *testing.T) {
			pages := pageAll(t, limit, func(last *drafting.Event) []drafting.Event {
				f := store.EventFilter{GuidelineID: w.Guideline.ID, Limit: limit,
					Types: []string{drafting.EventPositionRecorded, drafting.EventClauseCreated, drafting.EventCommentCreated}}
				if last != nil {
					f.After = last.ID
				}
				return read(t, s, func(tx *store.Tx) ([]drafting.Event, error) { return tx.Events(f) })
			})
			sameInts(t, "paged ids", eventIDs(flatten(pages)), []int64{all[0].ID, all[1].ID, all[3].ID, all[4].ID, all[5].ID, all[6].ID})
		})
	}
	t.Run("a_type_not_of_the_log_is_refused", func(t *testing.T) {
		err := s.Read(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Events(store.EventFilter{GuidelineID: w.Guideline.ID, Limit: 10, Types: []string{"comment.created' OR '1'='1"}})
			return err
		})
		if err == nil {
			t.Fatal("an event type outside drafting's was written into the statement")
		}
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
