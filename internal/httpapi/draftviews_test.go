package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDraftAcceptRejectViews: a draft read as if every open amendment were
// accepted (one amendment: its text; several: bracketed alternatives) or
// rejected (the draft's text), in JSON and the renderings.
func TestDraftAcceptRejectViews(t *testing.T) {
	d := newDelib(t)
	one, several, none := d.mustOpenClause(), d.mustOpenClause(), d.mustOpenClause()
	amend := func(cid string, a account, en, es string) string {
		t.Helper()
		return d.comment(cid, a, map[string]any{"kind": "amendment", "body": "Proposal.",
			"proposed_text": map[string]string{"en": en, "es": es}}).want(201).JSON()["id"].(string)
	}
	a1 := amend(one, d.heads["CR"], "States shall promptly train consular officials.", "Los Estados capacitarán sin demora.")
	b1 := amend(several, d.heads["GT"], "Option of Guatemala.", "Opción de Guatemala.")
	d.advance(time.Minute) // oldest first
	b2 := amend(several, d.heads["MX"], "Option of Mexico.", "Opción de México.")
	gone := amend(none, d.heads["NI"], "Withdrawn.", "Retirada.")
	d.post("/api/v1/comments/"+gone+"/withdraw", d.heads["NI"], nil).want(200)
	n := d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Before Session 3"}).want(201).JSON()["number"]
	path := fmt.Sprintf("/api/v1/guidelines/%s/drafts/%v", d.gid, n)

	clauses := func(view string) map[string]map[string]any {
		t.Helper()
		doc := d.get(path+"?view="+view, d.delegate).want(200).JSON()
		if doc["view"] != view {
			t.Fatalf("view = %v", doc["view"])
		}
		out := map[string]map[string]any{}
		for _, sec := range doc["sections"].([]any) {
			for _, cl := range sec.(map[string]any)["clauses"].([]any) {
				c := cl.(map[string]any)
				out[c["id"].(string)] = c
			}
		}
		return out
	}
	asIs := clauses("as_is")
	accepted := clauses("accepted")
	if en := accepted[one]["text"].(map[string]any)["en"]; en != "States shall promptly train consular officials." ||
		fmt.Sprint(accepted[one]["amendments"]) != "["+a1+"]" || accepted[one]["bracketed"] != true || accepted[one]["alternatives"] != false {
		t.Fatalf("one amendment accepted: %v", accepted[one])
	}
	if en := accepted[several]["text"].(map[string]any)["en"]; en != "[Alt. A: Option of Guatemala.] [Alt. B: Option of Mexico.]" ||
		fmt.Sprint(accepted[several]["amendments"]) != fmt.Sprintf("[%s %s]", b1, b2) || accepted[several]["alternatives"] != true {
		t.Fatalf("several amendments accepted: %v", accepted[several])
	}
	if fmt.Sprint(accepted[none]["text"]) != fmt.Sprint(asIs[none]["text"]) || len(accepted[none]["amendments"].([]any)) != 0 {
		t.Fatalf("a withdrawn amendment was accepted: %v", accepted[none])
	}
	rejected := clauses("rejected")
	for _, cid := range []string{one, several, none} {
		if fmt.Sprint(rejected[cid]["text"]) != fmt.Sprint(asIs[cid]["text"]) {
			t.Fatalf("rejected %s = %v, want the draft's text %v", cid, rejected[cid]["text"], asIs[cid]["text"])
		}
	}
	if fmt.Sprint(rejected[several]["amendments"]) != fmt.Sprintf("[%s %s]", b1, b2) || len(asIs[several]["amendments"].([]any)) != 0 {
		t.Fatalf("amendments: rejected %v, as is %v", rejected[several]["amendments"], asIs[several]["amendments"])
	}

	md := d.get(path+"?view=accepted&format=markdown", d.delegate).want(200).Body.String()
	// Markdown escapes the brackets it prints.
	for _, want := range []string{"as if every open amendment were accepted", `\[Alt. A: Option of Guatemala.\] \[Alt. B: Option of Mexico.\]`,
		`\[States shall promptly train consular officials.\]`, `\[Alt. A: Opción de Guatemala.\] \[Alt. B: Opción de México.\]`} {
		if !strings.Contains(md, want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, `\[\[Alt.`) {
		t.Fatalf("alternatives bracketed twice:\n%s", md)
	}
	d.get(path+"?view=maybe", d.delegate).wantProblem(422, "draft.invalid_view")
	d.do(req{method: "GET", path: path + "?view=accepted", token: d.integration}).wantProblem(403, "auth.forbidden")
}
