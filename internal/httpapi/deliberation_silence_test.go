package httpapi_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

func TestSilenceProcedure(t *testing.T) {
	d := newDelib(t)
	ctx := context.Background()
	cid := d.mustOpenClause()
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "Subject to our federal law."}).want(200)

	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(-time.Minute)}).wantProblem(422, "silence.deadline_past")
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": "next friday"}).want(422)
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{}).wantProblem(422, "silence.deadline_required")
	deadline := d.clock.Now().Add(48 * time.Hour)
	s := d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": deadline}).want(200).JSON()
	if s["status"] != "silence" || s["silence_deadline"] != deadline.Format(time.RFC3339) {
		t.Fatalf("silence = %v", s)
	}
	if ev := d.eventData(cid, "silence.started"); len(ev) != 1 || ev[0]["deadline"] != deadline.Format(time.RFC3339) {
		t.Fatalf("silence.started = %v", ev)
	}
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.not_consensus")

	// An agreement during silence changes nothing.
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
		t.Fatalf("sweep before the deadline: %d, %v", n, err)
	}
	d.advance(48 * time.Hour)
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 1 {
		t.Fatalf("sweep at the deadline: %d, %v", n, err)
	}
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
		t.Fatalf("second sweep: %d, %v", n, err)
	}
	c := d.clause(cid)
	if c["status"] != "agreed" || c["silence_deadline"] != nil {
		t.Fatalf("after the deadline: %v", c)
	}
	var deemed []string
	for country, p := range d.positions(cid) {
		if p["stance"] != "agree" && p["stance"] != "agree_with_reservation" || p["current"] != true {
			t.Fatalf("%s = %v", country, p)
		}
		if p["deemed"] == true {
			if p["recorded_by_id"] != nil || p["recorded_by"] != nil {
				t.Fatalf("deemed %s recorded by %v (%v)", country, p["recorded_by_id"], p["recorded_by"])
			}
			deemed = append(deemed, country)
		}
	}
	sort.Strings(deemed)
	if fmt.Sprint(deemed) != "[GT HN NI PA SV]" {
		t.Fatalf("deemed = %v", deemed)
	}
	ended := d.eventData(cid, "silence.ended")
	if len(ended) != 1 || fmt.Sprint(ended[0]["deemed"]) != "[GT HN NI PA SV]" {
		t.Fatalf("silence.ended = %v", ended)
	}
	m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.delegate).want(200).JSON()
	row := m["clauses"].([]any)[0].(map[string]any)
	if fmt.Sprint(row["deemed"]) != "[GT HN NI PA SV]" || row["status"] != "agreed" || len(row["reservations"].([]any)) != 1 {
		t.Fatalf("matrix row = %v", row)
	}

	t.Run("an objection breaks the silence", func(t *testing.T) {
		cid := d.mustConsensusClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		r := d.position(cid, "NI", d.heads["NI"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Not consulted."}).want(200).JSON()
		if r["clause_status"] != "contested" {
			t.Fatalf("status = %v", r["clause_status"])
		}
		if c := d.clause(cid); c["silence_deadline"] != nil {
			t.Fatalf("deadline kept: %v", c)
		}
		if ev := d.eventData(cid, "silence.broken"); len(ev) != 1 || ev[0]["country"] != "NI" {
			t.Fatalf("silence.broken = %v", ev)
		}
		d.advance(2 * time.Hour)
		if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		if s := d.status(cid); s != "contested" {
			t.Fatalf("status = %s after the deadline, want contested", s)
		}
	})

	t.Run("a facilitator may reopen a silence procedure", func(t *testing.T) {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		r := d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{"reason": "Started by mistake."}).want(200).JSON()
		if r["status"] != "open" || r["silence_deadline"] != nil {
			t.Fatalf("reopened = %v", r)
		}
	})

	t.Run("a text change ends the silence", func(t *testing.T) {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		d.putText(cid, map[string]string{"en": "New.", "es": "Nuevo."}, nil).want(200)
		d.advance(2 * time.Hour)
		if n, _ := d.svc.SweepSilence(ctx, d.clock.Now()); n != 0 {
			t.Fatal("a silence ended by a text change was concluded")
		}
		if s := d.status(cid); s != "open" {
			t.Fatalf("status = %s", s)
		}
	})
}

// TestSilenceSweepReplicas runs several sweeps at once, as several replicas
// would: each clause is concluded once and deemed positions are not doubled.
func TestSilenceSweepReplicas(t *testing.T) {
	d := newDelib(t)
	var cids []string
	for i := 0; i < 3; i++ {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		cids = append(cids, cid)
	}
	d.advance(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := d.svc.SweepSilence(context.Background(), d.clock.Now())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 3 {
		t.Fatalf("the sweeps concluded %d clauses, want 3", total)
	}
	for _, cid := range cids {
		if s := d.status(cid); s != "agreed" {
			t.Fatalf("status = %s", s)
		}
		if n := len(d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).JSON()["items"].([]any)); n != 8 {
			t.Fatalf("%d positions recorded, want 8 deemed", n)
		}
		if n := len(d.eventData(cid, "silence.ended")); n != 1 {
			t.Fatalf("%d silence.ended events", n)
		}
	}
}

// publisherFunc is a service.Publisher for tests.
type publisherFunc func([]drafting.Event)

func (f publisherFunc) Publish(evs []drafting.Event) { f(evs) }

// TestSilenceSweeperCatchesUp starts the background sweeper after a deadline
// passed (as after a restart): the clause is agreed at once, not an
// interval later.
func TestSilenceSweeperCatchesUp(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
	d.advance(3 * time.Hour) // the server was down meanwhile

	ended := make(chan struct{})
	var once sync.Once
	d.svc.SetPublisher(publisherFunc(func(evs []drafting.Event) {
		for _, e := range evs {
			if e.Type == drafting.EventSilenceEnded && e.SubjectID == cid {
				once.Do(func() { close(ended) })
			}
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.svc.RunSilenceSweeper(ctx, time.Hour)
	}()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the sweeper did not conclude the overdue silence procedure on start")
	}
	cancel()
	<-done
	if s := d.status(cid); s != "agreed" {
		t.Fatalf("status = %s", s)
	}
}
