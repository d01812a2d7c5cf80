package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAlternativeTexts: a clause carries alternatives A and B; countries
// say which they accept; the matrix counts the support of each; the clause
// cannot be locked until the facilitator chooses one, which becomes a new
// version with the others kept in the history; renderings show them the
// way negotiators write them.
func TestAlternativeTexts(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	alts := []map[string]string{
		{"en": "States shall train consular officials.", "es": "Los Estados capacitarán a los funcionarios consulares."},
		{"en": "States may train consular officials.", "es": "Los Estados podrán capacitar a los funcionarios consulares."},
	}
	put := func(a account, body map[string]any) *resp {
		t.Helper()
		etag := d.get("/api/v1/clauses/"+cid, d.fac).want(200).Header().Get("ETag")
		return d.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/alternatives", token: a.Token, body: body,
			header: map[string]string{"If-Match": etag}})
	}
	put(d.heads["MX"], map[string]any{"alternatives": alts}).wantProblem(403, "auth.forbidden")
	put(d.fac, map[string]any{"alternatives": alts[:1]}).want(422)
	c := put(d.fac, map[string]any{"alternatives": alts, "note": "Two options from Session 2"}).want(200).JSON()
	wantText := "[Alt. A: States shall train consular officials.] [Alt. B: States may train consular officials.]"
	if c["version"] != 2.0 || c["text"].(map[string]any)["en"] != wantText || len(c["alternatives"].([]any)) != 2 ||
		c["alternatives"].([]any)[1].(map[string]any)["label"] != "B" {
		t.Fatalf("clause with alternatives = %v", c)
	}

	t.Run("an agreement says which alternatives it accepts", func(t *testing.T) {
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2}).wantProblem(422, "position.invalid")
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2, "acceptable": []string{"C"}}).wantProblem(422, "position.invalid")
		r := d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 2, "acceptable": []string{"A"}}).want(200).JSON()
		if fmt.Sprint(r["acceptable"]) != "[A]" {
			t.Fatalf("position = %v", r)
		}
		for _, country := range countries8 {
			if country == "BZ" {
				continue
			}
			acc := []string{"A", "B"}
			if country == "MX" || country == "GT" {
				acc = []string{"B"}
			}
			d.position(cid, country, d.heads[country], map[string]any{"stance": "agree", "clause_version": 2, "acceptable": acc}).want(200)
		}
		m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.delegate).want(200).JSON()
		row := m["clauses"].([]any)[0].(map[string]any)
		got := fmt.Sprint(row["alternatives"])
		want := "[map[countries:[BZ CR HN NI PA SV] label:A] map[countries:[CR GT HN MX NI PA SV] label:B]]"
		if got != want {
			t.Fatalf("matrix alternatives = %s, want %s", got, want)
		}
		if row["status"] != "consensus" {
			t.Fatalf("status = %v", row["status"])
		}
		if p := d.positions(cid)["MX"]; fmt.Sprint(p["acceptable"]) != "[B]" {
			t.Fatalf("MX = %v", p)
		}
	})

	t.Run("unresolved, it cannot be locked nor put to silence", func(t *testing.T) {
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.alternatives_unresolved")
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(48 * time.Hour)}).
			wantProblem(409, "clause.alternatives_unresolved")
		if d.status(cid) != "consensus" {
			t.Fatal("a refusal changed the clause")
		}
	})

	t.Run("renderings show the alternatives as negotiators write them", func(t *testing.T) {
		n := d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Alternatives"}).want(201).JSON()["number"]
		md := d.get(fmt.Sprintf("/api/v1/guidelines/%s/drafts/%v?format=markdown", d.gid, n), d.delegate).want(200).Body.String()
		if !strings.Contains(md, `\[Alt. A: States shall train consular officials.\] \[Alt. B: States may train consular officials.\]`) ||
			strings.Contains(md, `\[\[Alt.`) {
			t.Fatalf("markdown:\n%s", md)
		}
	})

	t.Run("the facilitator resolves by choosing one", func(t *testing.T) {
		d.post("/api/v1/clauses/"+cid+"/alternatives/B/choose", d.heads["MX"], nil).wantProblem(403, "auth.forbidden")
		d.post("/api/v1/clauses/"+cid+"/alternatives/C/choose", d.fac, nil).wantProblem(422, "alternative.unknown")
		c := d.post("/api/v1/clauses/"+cid+"/alternatives/B/choose", d.fac, nil).want(200).JSON()
		if c["version"] != 3.0 || c["text"].(map[string]any)["en"] != alts[1]["en"] || len(c["alternatives"].([]any)) != 0 || c["status"] != "open" {
			t.Fatalf("after choosing B = %v", c)
		}
		ev := d.eventData(cid, "clause.alternative_chosen")
		if len(ev) != 1 || ev[0]["label"] != "B" || ev[0]["from_version"] != 2.0 || ev[0]["version"] != 3.0 {
			t.Fatalf("clause.alternative_chosen = %v", ev)
		}
		v2 := d.get("/api/v1/clauses/"+cid+"/versions/2", d.fac).want(200).JSON()
		if v2["text"].(map[string]any)["en"] != wantText {
			t.Fatalf("the alternatives are not kept in the history: %v", v2)
		}
		d.post("/api/v1/clauses/"+cid+"/alternatives/A/choose", d.fac, nil).wantProblem(409, "clause.no_alternatives")
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 3, "acceptable": []string{"A"}}).wantProblem(422, "position.invalid")
		for _, country := range countries8 {
			d.position(cid, country, d.heads[country], map[string]any{"stance": "agree", "clause_version": 3}).want(200)
		}
		d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
	})
}
