package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAdReferendum: an agreement ad referendum joins consensus, shows in the
// matrix and the renderings, stops the lock until confirmed, and lapses to
// pending at its deadline with an event.
func TestAdReferendum(t *testing.T) {
	d := newDelib(t)
	ctx := context.Background()
	// mustAdRefClause opens a clause on which seven countries agree and MX
	// agrees ad referendum, to be confirmed within 72 hours.
	mustAdRefClause := func() (string, time.Time) {
		t.Helper()
		cid := d.mustOpenClause()
		for _, c := range countries8 {
			if c != "MX" {
				d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
			}
		}
		confirmBy := d.clock.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		r := d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1,
			"ad_referendum": true, "confirm_by": confirmBy}).want(200).JSON()
		if r["clause_status"] != "consensus" || r["ad_referendum"] != true || r["confirm_by"] != confirmBy.Format(time.RFC3339) {
			t.Fatalf("recorded = %v", r)
		}
		return cid, confirmBy
	}

	t.Run("only an agreement, with a deadline ahead, can be ad referendum", func(t *testing.T) {
		cid := d.mustOpenClause()
		later := d.clock.Now().Add(time.Hour)
		d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "object", "reason": "No.", "clause_version": 1,
			"ad_referendum": true, "confirm_by": later}).want(422)
		d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1, "ad_referendum": true}).
			wantProblem(422, "position.invalid")
		d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1, "ad_referendum": true,
			"confirm_by": d.clock.Now().Add(-time.Minute)}).wantProblem(422, "position.confirm_by_past")
		if p := d.positions(cid)["MX"]; p["stance"] != "pending" {
			t.Fatalf("a refused position changed MX: %v", p)
		}
	})

	t.Run("consensus ad referendum cannot be locked until confirmed", func(t *testing.T) {
		cid, confirmBy := mustAdRefClause()
		m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.delegate).want(200).JSON()
		var row map[string]any
		for _, it := range m["clauses"].([]any) {
			if r := it.(map[string]any); r["id"] == cid {
				row = r
			}
		}
		if row["status"] != "consensus" || row["positions"].(map[string]any)["MX"] != "agree" ||
			fmt.Sprint(row["ad_referendum"]) != fmt.Sprintf("[map[confirm_by:%s country:MX]]", confirmBy.Format(time.RFC3339)) {
			t.Fatalf("matrix row = %v", row)
		}
		if p := d.positions(cid)["MX"]; p["ad_referendum"] != true || p["confirm_by"] != confirmBy.Format(time.RFC3339) {
			t.Fatalf("MX = %v", p)
		}
		rec := d.eventData(cid, "position.recorded")
		if last := rec[len(rec)-1]; last["ad_referendum"] != true || last["confirm_by"] != confirmBy.Format(time.RFC3339) {
			t.Fatalf("position.recorded = %v", last)
		}
		p := d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.ad_referendum").JSON()
		if fmt.Sprint(p["data"].(map[string]any)["ad_referendum"]) != "[MX]" {
			t.Fatalf("problem = %v", p)
		}
		if d.status(cid) != "consensus" {
			t.Fatal("a refused lock changed the clause")
		}

		// The draft shows it: a footnote "agreed ad referendum by MX".
		n := d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Before the capital answers"}).want(201).JSON()["number"]
		path := fmt.Sprintf("/api/v1/guidelines/%s/drafts/%v", d.gid, n)
		doc := d.get(path, d.delegate).want(200).JSON()
		found := false
		for _, sec := range doc["sections"].([]any) {
			for _, cl := range sec.(map[string]any)["clauses"].([]any) {
				if c := cl.(map[string]any); c["id"] == cid {
					found = fmt.Sprint(c["ad_referendum"]) == "[MX]"
				}
			}
		}
		if !found {
			t.Fatalf("draft JSON does not mark MX ad referendum: %v", doc)
		}
		md := d.get(path+"?format=markdown", d.delegate).want(200).Body.String()
		if !strings.Contains(md, "Agreed ad referendum by MX") || !strings.Contains(md, "Aprobado ad referéndum por MX") {
			t.Fatalf("markdown lacks the footnote:\n%s", md)
		}

		// The capital confirms: a plain agreement; now it locks.
		d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
		rec = d.eventData(cid, "position.recorded")
		if last := rec[len(rec)-1]; last["ad_referendum"] != false || last["ad_referendum_confirmed"] != true {
			t.Fatalf("confirmation = %v", last)
		}
		if p := d.positions(cid)["MX"]; p["ad_referendum"] != false || p["confirm_by"] != nil {
			t.Fatalf("MX after confirming = %v", p)
		}
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
	})

	t.Run("unconfirmed at the deadline it lapses to pending, visibly", func(t *testing.T) {
		cid, confirmBy := mustAdRefClause()
		if n, err := d.svc.SweepAdReferendum(ctx, d.clock.Now()); err != nil || n != 0 {
			t.Fatalf("sweep before the deadline: %d, %v", n, err)
		}
		d.advance(72 * time.Hour)
		if n, err := d.svc.SweepAdReferendum(ctx, d.clock.Now()); err != nil || n != 1 {
			t.Fatalf("sweep at the deadline: %d, %v", n, err)
		}
		if n, err := d.svc.SweepAdReferendum(ctx, d.clock.Now()); err != nil || n != 0 {
			t.Fatalf("second sweep: %d, %v", n, err)
		}
		if p := d.positions(cid)["MX"]; p["stance"] != "pending" {
			t.Fatalf("MX after the deadline = %v", p)
		}
		if d.status(cid) != "open" {
			t.Fatalf("status = %s", d.status(cid))
		}
		lapsed := d.eventData(cid, "position.lapsed")
		if len(lapsed) != 1 || lapsed[0]["country"] != "MX" || lapsed[0]["confirm_by"] != confirmBy.Format(time.RFC3339) {
			t.Fatalf("position.lapsed = %v", lapsed)
		}
		changed := d.eventData(cid, "clause.status_changed")
		if last := changed[len(changed)-1]; last["from"] != "consensus" || last["to"] != "open" {
			t.Fatalf("clause.status_changed = %v", last)
		}
		h := d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).JSON()["items"].([]any)
		mx := 0
		for _, it := range h {
			if r := it.(map[string]any); r["country"] == "MX" {
				mx++
				if r["lapsed_at"] == nil || r["superseded"] != true || r["ad_referendum"] != true {
					t.Fatalf("history row = %v", r)
				}
			}
		}
		if mx != 1 {
			t.Fatalf("MX history rows = %d", mx)
		}
	})

	t.Run("a position after the deadline lapses the old one first", func(t *testing.T) {
		cid, _ := mustAdRefClause()
		d.advance(73 * time.Hour)
		d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
		evs := d.events(cid)
		if !hasString(evs, "position.lapsed") {
			t.Fatalf("events = %v", evs)
		}
		if n, err := d.svc.SweepAdReferendum(ctx, d.clock.Now()); err != nil || n != 0 {
			t.Fatalf("sweep after the lapse on write: %d, %v", n, err)
		}
		if d.status(cid) != "consensus" {
			t.Fatalf("status = %s", d.status(cid))
		}
	})

	t.Run("a silence procedure ends in consensus, not agreement, while the capital has not answered", func(t *testing.T) {
		cid, _ := mustAdRefClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).want(200)
		d.advance(48 * time.Hour)
		if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 1 {
			t.Fatalf("silence sweep: %d, %v", n, err)
		}
		if d.status(cid) != "consensus" {
			t.Fatalf("status = %s", d.status(cid))
		}
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.ad_referendum")
	})

	t.Run("only the country's head records it", func(t *testing.T) {
		cid := d.mustOpenClause()
		d.position(cid, "MX", d.fac, map[string]any{"stance": "agree", "clause_version": 1, "ad_referendum": true,
			"confirm_by": d.clock.Now().Add(time.Hour)}).want(403)
		d.position(cid, "MX", d.heads["CR"], map[string]any{"stance": "agree", "clause_version": 1, "ad_referendum": true,
			"confirm_by": d.clock.Now().Add(time.Hour)}).want(403)
		if p := d.positions(cid)["MX"]; p["stance"] != "pending" {
			t.Fatalf("MX = %v", p)
		}
	})
}
