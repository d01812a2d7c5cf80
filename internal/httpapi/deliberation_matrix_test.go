package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/rcm-iom/consenso/internal/store/storetest"
)

func TestConsensusMatrix(t *testing.T) {
	d := newDelib(t)
	agreed := d.mustAgreedClause()
	contested := d.mustOpenClause()
	d.position(contested, "GT", d.heads["GT"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Too vague."}).want(200)
	d.position(contested, "CR", d.heads["CR"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "Footnote."}).want(200)
	draft := d.mustClause()

	m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.observer).want(200).JSON()
	if fmt.Sprint(m["participants"]) != fmt.Sprint(countries8) {
		t.Fatalf("participants = %v", m["participants"])
	}
	rows := m["clauses"].([]any)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	byID := map[string]map[string]any{}
	for _, r := range rows {
		byID[r.(map[string]any)["id"].(string)] = r.(map[string]any)
	}
	if byID[agreed]["status"] != "agreed" || byID[agreed]["positions"].(map[string]any)["PA"] != "agree" {
		t.Fatalf("agreed row = %v", byID[agreed])
	}
	c := byID[contested]
	cells := c["positions"].(map[string]any)
	if c["status"] != "contested" || cells["GT"] != "object" || cells["CR"] != "agree_with_reservation" || cells["BZ"] != "pending" {
		t.Fatalf("contested row = %v", c)
	}
	if obj := c["objections"].([]any); len(obj) != 1 || obj[0].(map[string]any)["country"] != "GT" || obj[0].(map[string]any)["text"] != "Too vague." {
		t.Fatalf("objections = %v", obj)
	}
	if res := c["reservations"].([]any); len(res) != 1 || res[0].(map[string]any)["text"] != "Footnote." {
		t.Fatalf("reservations = %v", res)
	}
	if byID[draft]["status"] != "draft" {
		t.Fatalf("draft row = %v", byID[draft])
	}
	if fmt.Sprint(m["blocking"]) != fmt.Sprint([]any{contested, draft}) || m["ready_for_adoption"] != false {
		t.Fatalf("blocking = %v ready = %v", m["blocking"], m["ready_for_adoption"])
	}
	d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/consensus", token: d.integration}).wantProblem(403, "auth.forbidden")
	d.get("/api/v1/guidelines/nope/consensus", d.fac).wantProblem(404, "guideline.not_found")

	t.Run("ready for adoption when every clause is agreed", func(t *testing.T) {
		for _, cid := range []string{contested, draft} {
			if cid == draft {
				d.post("/api/v1/clauses/"+cid+"/open", d.fac, nil).want(200)
			}
			for _, country := range countries8 {
				d.position(cid, country, d.heads[country], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
			}
			d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
		}
		m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.fac).want(200).JSON()
		if len(m["blocking"].([]any)) != 0 || m["ready_for_adoption"] != true {
			t.Fatalf("blocking = %v ready = %v", m["blocking"], m["ready_for_adoption"])
		}
	})

	t.Run("an empty guideline is not ready", func(t *testing.T) {
		g := d.do(req{method: "POST", path: "/api/v1/guidelines", token: d.fac.Token, body: map[string]any{
			"title": titled("Empty", "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}}).want(201).JSON()
		m := d.get("/api/v1/guidelines/"+g["id"].(string)+"/consensus", d.fac).want(200).JSON()
		if m["ready_for_adoption"] != false || len(m["clauses"].([]any)) != 0 {
			t.Fatalf("empty matrix = %v", m)
		}
	})
}

// TestConsensusMatrixStatements checks that the matrix costs the same number
// of SQL statements for 3 clauses as for 30.
func TestConsensusMatrixStatements(t *testing.T) {
	d := newDelib(t)
	sc := storetest.CountStatements(t, d.store)
	matrix := func() int {
		// The caller's account is re-read on every counted request (the
		// account cache is emptied), so counts do not depend on timing.
		d.svc.InvalidatePrincipals()
		return sc.During(func() {
			d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.fac).want(200)
		})
	}
	addClauses := func(n int) {
		for i := 0; i < n; i++ {
			cid := d.mustOpenClause()
			for j, c := range countries8 {
				stance := map[string]any{"stance": "agree", "clause_version": 1}
				if j == i%8 {
					stance = map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "r"}
				}
				d.position(cid, c, d.heads[c], stance).want(200)
			}
		}
	}
	addClauses(3)
	small := matrix()
	addClauses(27)
	large := matrix()
	if small != large {
		t.Fatalf("the matrix ran %d statements for 3 clauses and %d for 30", small, large)
	}
	if small > 6 {
		t.Fatalf("the matrix ran %d statements, want at most 6 (authentication included)", small)
	}
	t.Logf("consensus matrix: %d SQL statements (authentication included) for 3 and for 30 clauses", small)

	// Recording a position is a bounded number of statements too.
	cid := d.mustOpenClause()
	first := sc.During(func() {
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	})
	for _, c := range countries8[1:7] {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	last := sc.During(func() {
		d.position(cid, "SV", d.heads["SV"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	})
	t.Logf("recording a position: %d statements; the one that completes consensus: %d", first, last)
	if last > first+6 {
		t.Fatalf("the position completing consensus ran %d statements, the first %d", last, first)
	}
}
