package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEquallyAuthenticLanguages: a change to one language leaves the other
// pending alignment; positions, silence and locking are refused (409
// clause.alignment_pending) until a facilitator or a designated translator
// confirms or corrects it; renderings mark the unaligned text.
func TestEquallyAuthenticLanguages(t *testing.T) {
	d := newDelib(t)
	cid := d.mustConsensusClause()
	es := d.clause(cid)["text"].(map[string]any)["es"].(string)
	c := d.putText(cid, map[string]string{"en": "States shall promptly train consular officials.", "es": es}, nil).want(200).JSON()
	if fmt.Sprint(c["alignment_pending"]) != "[es]" || c["status"] != "open" || c["version"] != 2.0 {
		t.Fatalf("after an English-only change: %v", c)
	}
	if ev := d.eventData(cid, "clause.text_changed"); fmt.Sprint(ev[len(ev)-1]["alignment_pending"]) != "[es]" {
		t.Fatalf("clause.text_changed = %v", ev[len(ev)-1])
	}

	t.Run("positions, silence and locking are refused while Spanish is pending", func(t *testing.T) {
		p := d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2}).
			wantProblem(409, "clause.alignment_pending").JSON()
		if fmt.Sprint(p["data"].(map[string]any)["alignment_pending"]) != "[es]" {
			t.Fatalf("problem = %v", p)
		}
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).
			wantProblem(409, "clause.alignment_pending")
		if p := d.positions(cid)["BZ"]; p["current"] != false || d.status(cid) != "open" {
			t.Fatalf("a refusal changed something: %v, %s", p, d.status(cid))
		}
	})

	t.Run("renderings mark the unaligned text", func(t *testing.T) {
		n := d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Unaligned"}).want(201).JSON()["number"]
		path := fmt.Sprintf("/api/v1/guidelines/%s/drafts/%v", d.gid, n)
		doc := d.get(path, d.delegate).want(200).JSON()
		cl := doc["sections"].([]any)[0].(map[string]any)["clauses"].([]any)[0].(map[string]any)
		if fmt.Sprint(cl["alignment_pending"]) != "[es]" {
			t.Fatalf("draft clause = %v", cl)
		}
		md := d.get(path+"?format=markdown", d.delegate).want(200).Body.String()
		if !strings.Contains(md, "Alineación pendiente") || strings.Contains(md, "Alignment pending") {
			t.Fatalf("markdown should mark the Spanish text only:\n%s", md)
		}
	})

	t.Run("only a facilitator or a designated translator aligns", func(t *testing.T) {
		d.post("/api/v1/clauses/"+cid+"/alignment", d.delegate, map[string]any{"lang": "es"}).wantProblem(403, "auth.forbidden")
		d.post("/api/v1/clauses/"+cid+"/alignment", d.heads["MX"], map[string]any{"lang": "es"}).wantProblem(403, "auth.forbidden")
		d.post("/api/v1/clauses/"+cid+"/alignment", d.observer, map[string]any{"lang": "es"}).wantProblem(403, "auth.forbidden")
		d.do(req{method: "PUT", path: "/api/v1/guidelines/" + d.gid + "/translators/" + d.delegate.ID, token: d.heads["BZ"].Token}).
			wantProblem(403, "auth.forbidden")
		d.do(req{method: "PUT", path: "/api/v1/guidelines/" + d.gid + "/translators/" + d.observer.ID, token: d.fac.Token}).
			wantProblem(422, "translator.invalid")
		if fmt.Sprint(d.clause(cid)["alignment_pending"]) != "[es]" {
			t.Fatal("a refused alignment changed the clause")
		}
		d.do(req{method: "PUT", path: "/api/v1/guidelines/" + d.gid + "/translators/" + d.delegate.ID, token: d.fac.Token}).want(204)
		list := d.get("/api/v1/guidelines/"+d.gid+"/translators", d.heads["MX"]).want(200).JSON()["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != d.delegate.ID {
			t.Fatalf("translators = %v", list)
		}
		d.post("/api/v1/clauses/"+cid+"/alignment", d.delegate, map[string]any{"lang": "en"}).wantProblem(409, "clause.alignment_not_pending")
		d.post("/api/v1/clauses/"+cid+"/alignment", d.delegate, map[string]any{"lang": "fr"}).want(422)
		c := d.post("/api/v1/clauses/"+cid+"/alignment", d.delegate, map[string]any{"lang": "es"}).want(200).JSON()
		if len(c["alignment_pending"].([]any)) != 0 || c["version"] != 2.0 {
			t.Fatalf("after confirming: %v", c)
		}
		ev := d.eventData(cid, "clause.alignment_confirmed")
		if len(ev) != 1 || ev[0]["lang"] != "es" || ev[0]["corrected"] != false {
			t.Fatalf("clause.alignment_confirmed = %v", ev)
		}
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2}).want(200)
		d.do(req{method: "DELETE", path: "/api/v1/guidelines/" + d.gid + "/translators/" + d.delegate.ID, token: d.fac.Token}).want(204)
	})

	t.Run("a correction is a new version touching only the pending language", func(t *testing.T) {
		cid := d.mustOpenClause()
		text := d.clause(cid)["text"].(map[string]any)
		d.putText(cid, map[string]string{"en": text["en"].(string), "es": "Los Estados capacitarán sin demora."}, nil).want(200)
		if fmt.Sprint(d.clause(cid)["alignment_pending"]) != "[en]" {
			t.Fatalf("pending = %v", d.clause(cid)["alignment_pending"])
		}
		c := d.post("/api/v1/clauses/"+cid+"/alignment", d.fac, map[string]any{"lang": "en", "text": "States shall train without delay."}).want(200).JSON()
		if len(c["alignment_pending"].([]any)) != 0 || c["version"] != 3.0 || c["text"].(map[string]any)["en"] != "States shall train without delay." {
			t.Fatalf("after correcting: %v", c)
		}
		for _, country := range countries8 {
			d.position(cid, country, d.heads[country], map[string]any{"stance": "agree", "clause_version": 3}).want(200)
		}
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
	})
}
