package service_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
)

// recorder is a Publisher that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	events []drafting.Event
}

func (r *recorder) Publish(evs []drafting.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return eventTypes(r.events)
}

// TestWritesArePublished: a write returns once its events are numbered in
// the log, its comment counts folded in and the live streams told; what a
// replica left in the outbox when it stopped between its commit and its
// publication is published by the next RunPublisher pass of any replica.
func TestWritesArePublished(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t)
	svc := w.service()
	rec := &recorder{}
	svc.SetPublisher(rec)
	n := negotiate(t, svc)
	fp, g := n.facilitator, n.guideline
	c := n.clause(t, svc, "States shall inform.")
	log := func() []drafting.Event {
		t.Helper()
		evs, err := svc.Events(ctx, fp, g.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}

	t.Run("a_write_returns_published", func(t *testing.T) {
		before := len(log())
		cm, err := svc.CreateComment(ctx, fp, c.ID, drafting.CommentInput{Body: "The chair notes.", Kind: drafting.CommentKind("general")}, service.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		evs := log()
		if len(evs) != before+1 || evs[before].Type != drafting.EventCommentCreated || evs[before].SubjectID != cm.Value.ID {
			t.Fatalf("log after the comment = %+v, want its comment.created last", evs)
		}
		if got := rec.events[len(rec.events)-1]; got.ID != evs[before].ID || got.Type != drafting.EventCommentCreated {
			t.Fatalf("streams were told %+v, want event %d", got, evs[before].ID)
		}
		counts, _, err := svc.CommentCounts(ctx, fp, g.ID, service.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[0].Speaker != "facilitator" || counts[0].ByStatus[drafting.CommentOpen] != 1 {
			t.Fatalf("comment counts = %+v, want the facilitator's open comment", counts)
		}
		if pending, err := w.st.Pending(ctx); err != nil || pending {
			t.Fatalf("outbox pending = %v, %v; want empty", pending, err)
		}
	})

	t.Run("what_a_stopped_replica_left_is_published", func(t *testing.T) {
		before := len(rec.types())
		// A replica that committed this and stopped before publishing it.
		err := w.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Outbox([]drafting.Event{{GuidelineID: g.ID, Type: drafting.EventClauseMoved, ActorID: fp.ID,
				SubjectID: c.ID, Data: map[string]any{"clause_id": c.ID}, CreatedAt: w.clk.Now()}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if evs := log(); evs[len(evs)-1].Type == drafting.EventClauseMoved {
			t.Fatal("an unpublished event is in the log")
		}
		done, cancel := context.WithCancel(ctx)
		cancel()                                  // one pass, then return
		w.service().RunPublisher(done, time.Hour) // another replica's sweep
		evs := log()
		if last := evs[len(evs)-1]; last.Type != drafting.EventClauseMoved || last.ID != evs[len(evs)-2].ID+1 {
			t.Fatalf("log after the sweep ends with %+v, want the clause.moved next", last)
		}
		if got := rec.types()[before:]; len(got) != 0 {
			t.Fatalf("this replica's streams were told %v by another replica's sweep (they hear it by NOTIFY)", got)
		}
		svc.RunPublisher(done, time.Hour) // nothing is published twice
		if n := slices.Index(eventTypes(log()), drafting.EventClauseMoved); n != len(log())-1 {
			t.Fatalf("clause.moved at %d of %d", n, len(log()))
		}
	})
}

func eventTypes(evs []drafting.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// TestOwnWritesWhenAnotherReplicaPublishes: a replica that listens keeps
// the revisions it read; when another replica's RunPublisher publishes a
// write between its commit and its own publication, the writing replica
// still reads its write at once (it does not wait for the notification).
func TestOwnWritesWhenAnotherReplicaPublishes(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t)
	b := w.service()
	swept, cancel := context.WithCancel(ctx)
	cancel()
	a := service.New(service.Config{Store: w.st, Tokens: w.tokens, Now: w.clk.Now, Argon2: auth.FastArgon2,
		AfterCommit: func() { b.RunPublisher(swept, time.Hour) }})
	n := negotiate(t, a)
	c := n.clause(t, a, "Old.")
	a.Listening(true) // as while its listener is connected
	read := func() string {
		t.Helper()
		got, err := a.Clause(ctx, n.facilitator, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Text["en"]
	}
	if got := read(); got != "Old." {
		t.Fatalf("clause = %q", got)
	}
	read() // kept, with its revision known
	if _, err := a.UpdateText(ctx, n.facilitator, c.ID, service.AnyRevision, service.TextChange{Text: drafting.Text{"en": "New."}}); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "New." {
		t.Fatalf("clause read on the writing replica after its write = %q, want %q", got, "New.")
	}
}
