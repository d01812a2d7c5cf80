package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestPositions(t *testing.T) {
	d := newDelib(t)
	cid := d.mustClause()
	agree := map[string]any{"stance": "agree", "clause_version": 1}

	d.position(cid, "BZ", d.heads["BZ"], agree).wantProblem(409, "clause.not_open")
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).wantProblem(409, "clause.silence_not_allowed")
	opened := d.post("/api/v1/clauses/"+cid+"/open", d.fac, nil).want(200)
	if opened.JSON()["status"] != "open" || opened.Header().Get("ETag") == "" {
		t.Fatalf("opened = %v", opened.JSON())
	}
	d.post("/api/v1/clauses/"+cid+"/open", d.fac, nil).wantProblem(409, "clause.not_draft")

	r := d.position(cid, "BZ", d.heads["BZ"], agree).want(200).JSON()
	if r["country"] != "BZ" || r["stance"] != "agree" || r["current"] != true || r["recorded_by_id"] != d.heads["BZ"].ID || r["clause_status"] != "open" {
		t.Fatalf("recorded = %v", r)
	}
	st := d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2}).wantProblem(409, "position.version_stale")
	if st.JSON()["data"].(map[string]any)["current_version"] != float64(1) {
		t.Fatalf("stale problem = %v", st.JSON())
	}
	checkFieldErrors(t, d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1}).wantProblem(422, "position.invalid"), "reservation")
	checkFieldErrors(t, d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "object", "clause_version": 1}).wantProblem(422, "position.invalid"), "reason")
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "maybe", "clause_version": 1}).want(422)
	d.position(cid, "CR", d.heads["BZ"], agree).wantProblem(403, "auth.forbidden")
	d.position(cid, "BZ", d.delegate, agree).wantProblem(403, "auth.forbidden")
	d.position(cid, "BZ", d.observer, agree).wantProblem(403, "auth.forbidden")
	d.position("nope", "BZ", d.heads["BZ"], agree).wantProblem(404, "clause.not_found")

	t.Run("only participants hold positions", func(t *testing.T) {
		g := d.do(req{method: "POST", path: "/api/v1/guidelines", token: d.fac.Token, body: map[string]any{
			"title": titled("Plan de implementación", "es"), "languages": []string{"es"}, "participants": []string{"CR", "PA"}}}).want(201).JSON()
		sec := d.post("/api/v1/guidelines/"+g["id"].(string)+"/sections", d.fac, map[string]any{"title": titled("I", "es")}).want(201).JSON()
		small := d.post("/api/v1/guidelines/"+g["id"].(string)+"/clauses", d.fac, map[string]any{
			"section_id": sec["id"], "text": map[string]string{"es": "Texto."}}).want(201).JSON()["id"].(string)
		d.post("/api/v1/clauses/"+small+"/open", d.fac, nil).want(200)
		d.position(small, "BZ", d.heads["BZ"], agree).wantProblem(422, "position.not_participant")
		d.position(small, "XX", d.fac, agree).wantProblem(403, "auth.forbidden")
		// Belize's delegate may not comment on a guideline Belize is not part of.
		d.comment(small, d.delegate, map[string]any{"body": "x"}).wantProblem(403, "auth.forbidden")
		d.position(small, "CR", d.heads["CR"], agree).want(200)
		d.position(small, "PA", d.heads["PA"], agree).want(200)
		if s := d.status(small); s != "consensus" {
			t.Fatalf("status = %s, want consensus with both participants agreeing", s)
		}
	})

	t.Run("only the country speaks for itself", func(t *testing.T) {
		reservation := map[string]any{"stance": "agree_with_reservation", "clause_version": 1,
			"reservation": "Costa Rica reads “victims” per its Law 9095."}
		before := d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).Body.String()
		d.position(cid, "CR", d.fac, reservation).wantProblem(403, "auth.forbidden")
		d.position(cid, "CR", d.admin, reservation).wantProblem(403, "auth.forbidden")
		if after := d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).Body.String(); after != before {
			t.Fatal("a refused position changed the history")
		}
		r := d.position(cid, "CR", d.heads["CR"], reservation).want(200).JSON()
		if r["recorded_by_id"] != d.heads["CR"].ID || r["recorded_as"] != "head_of_delegation" || r["reservation"] == "" {
			t.Fatalf("recorded = %v", r)
		}
	})

	t.Run("one row per participant, pending where none", func(t *testing.T) {
		all := d.get("/api/v1/clauses/"+cid+"/positions", d.observer).want(200).JSON()
		items := all["items"].([]any)
		if len(items) != 8 || all["status"] != "open" || all["clause_version"] != float64(1) {
			t.Fatalf("positions = %v", all)
		}
		ps := d.positions(cid)
		if ps["GT"]["stance"] != "pending" || ps["GT"]["clause_version"] != nil || ps["GT"]["current"] != false || ps["GT"]["recorded_by_id"] != nil || ps["GT"]["recorded_by"] != nil {
			t.Fatalf("GT = %v", ps["GT"])
		}
		if ps["CR"]["stance"] != "agree_with_reservation" {
			t.Fatalf("CR = %v", ps["CR"])
		}
	})

	t.Run("an objection contests, everyone agreeing is consensus", func(t *testing.T) {
		for _, c := range []string{"GT", "HN", "MX", "NI", "PA"} {
			d.position(cid, c, d.heads[c], agree).want(200)
		}
		d.advance(time.Minute)
		r := d.position(cid, "SV", d.heads["SV"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Conflicts with our consular law."}).want(200).JSON()
		if r["clause_status"] != "contested" {
			t.Fatalf("after an objection: %v", r["clause_status"])
		}
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.not_consensus")
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).wantProblem(409, "clause.contested")
		d.advance(time.Minute)
		r = d.position(cid, "SV", d.heads["SV"], map[string]any{"stance": "abstain", "clause_version": 1}).want(200).JSON()
		if r["clause_status"] != "consensus" {
			t.Fatalf("after the objection became an abstention: %v", r["clause_status"])
		}
		ev := d.eventData(cid, "position.recorded")
		last := ev[len(ev)-1]
		if last["country"] != "SV" || last["stance"] != "abstain" || last["previous_stance"] != "object" {
			t.Fatalf("position.recorded = %v", last)
		}
		changes := d.eventData(cid, "clause.status_changed")
		if to := changes[len(changes)-1]["to"]; to != "consensus" {
			t.Fatalf("last status change to %v", to)
		}
	})

	t.Run("history keeps every stance", func(t *testing.T) {
		h := d.get("/api/v1/clauses/"+cid+"/positions/history", d.delegate).want(200).JSON()["items"].([]any)
		if len(h) != 9 {
			t.Fatalf("%d history rows, want 9", len(h))
		}
		newest, previous := h[0].(map[string]any), h[1].(map[string]any)
		if newest["country"] != "SV" || newest["stance"] != "abstain" || newest["superseded"] != false {
			t.Fatalf("newest = %v", newest)
		}
		if previous["country"] != "SV" || previous["stance"] != "object" || previous["superseded"] != true || previous["reason"] == "" {
			t.Fatalf("previous = %v", previous)
		}
		page := d.get("/api/v1/clauses/"+cid+"/positions/history?limit=4", d.delegate).want(200).JSON()
		if len(page["items"].([]any)) != 4 || page["next_cursor"] == nil {
			t.Fatalf("first page = %v", page)
		}
		rest := d.get("/api/v1/clauses/"+cid+"/positions/history?limit=10&cursor="+page["next_cursor"].(string), d.delegate).want(200).JSON()
		if len(rest["items"].([]any)) != 5 || rest["next_cursor"] != nil {
			t.Fatalf("second page = %v", rest)
		}
	})

	t.Run("lock, no change while agreed, reopen with a reason", func(t *testing.T) {
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, map[string]any{"force": true}).wantProblem(422, "request.unknown_field")
		d.do(req{method: "POST", path: "/api/v1/clauses/" + cid + "/lock", token: d.fac.Token, header: map[string]string{"If-Match": `"r1"`}}).wantProblem(412, "clause.version_stale")
		l := d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200).JSON()
		if l["status"] != "agreed" {
			t.Fatalf("locked = %v", l["status"])
		}
		d.position(cid, "BZ", d.heads["BZ"], agree).wantProblem(409, "clause.agreed")
		d.putText(cid, map[string]string{"en": "Changed.", "es": "Cambiado."}, nil).wantProblem(409, "clause.agreed")
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.not_consensus")
		d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{"reason": ""}).wantProblem(422, "clause.reopen_reason_required")
		d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{}).wantProblem(422, "clause.reopen_reason_required")
		re := d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{"reason": "Mexico found a translation error."}).want(200).JSON()
		if re["status"] != "consensus" {
			t.Fatalf("reopened = %v, want consensus (all positions still current)", re["status"])
		}
		ch := d.eventData(cid, "clause.status_changed")
		if last := ch[len(ch)-1]; last["reason"] != "Mexico found a translation error." || last["from"] != "agreed" {
			t.Fatalf("reopen event = %v", last)
		}
		d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{"reason": "again"}).wantProblem(409, "clause.not_agreed")
	})

	t.Run("a text change makes every position stale", func(t *testing.T) {
		v := d.putText(cid, map[string]string{"en": "States shall train consular staff.", "es": "Los Estados capacitarán al personal consular."}, nil).want(200).JSON()
		if v["status"] != "open" || v["version"] != float64(2) {
			t.Fatalf("after the text change: %v", v)
		}
		for c, p := range d.positions(cid) {
			if p["current"] != false || p["clause_version"] != float64(1) || p["stance"] == "pending" {
				t.Fatalf("%s = %v, want its stale stance", c, p)
			}
		}
		m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.fac).want(200).JSON()
		for _, it := range m["clauses"].([]any) {
			row := it.(map[string]any)
			if row["id"] != cid {
				continue
			}
			for c, cell := range row["positions"].(map[string]any) {
				if cell != "stale" {
					t.Fatalf("matrix %s = %v, want stale", c, cell)
				}
			}
			if len(row["reservations"].([]any)) != 0 {
				t.Fatal("a stale reservation is still listed")
			}
		}
		d.position(cid, "BZ", d.heads["BZ"], agree).wantProblem(409, "position.version_stale")
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2}).want(200)
		if p := d.positions(cid)["BZ"]; p["current"] != true || p["clause_version"] != float64(2) {
			t.Fatalf("BZ = %v", p)
		}
	})
}

// TestConcurrentPositions has all eight heads record their positions at the
// same moment: every one is recorded and the derived status is consensus.
func TestConcurrentPositions(t *testing.T) {
	d := newDelib(t)
	for round := 0; round < 3; round++ {
		cid := d.mustOpenClause()
		var wg sync.WaitGroup
		codes := make(chan string, 8)
		for _, c := range countries8 {
			wg.Add(1)
			go func(c string) {
				defer wg.Done()
				r := d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1})
				if r.Code != 200 {
					codes <- fmt.Sprintf("%s: %d %s", c, r.Code, r.Body.String())
				}
			}(c)
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			t.Error(c)
		}
		if s := d.status(cid); s != "consensus" {
			t.Fatalf("round %d: status = %s, want consensus", round, s)
		}
		for c, p := range d.positions(cid) {
			if p["stance"] != "agree" || p["current"] != true {
				t.Fatalf("%s = %v", c, p)
			}
		}
		if n := len(d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).JSON()["items"].([]any)); n != 8 {
			t.Fatalf("%d history rows, want 8", n)
		}
	}
}
