package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/demo"
	"github.com/rcm-iom/consenso/internal/drafting"
)

// TestDemoAgendaWalk walks the demo's whole agenda through the API, as
// docs/agenda.md does: Session 2's inputs and synthesis, Session 3's
// clauses citing them, Session 4's plan adopted as an annex, and the
// follow-up read by a delegation and an integration.
func TestDemoAgendaWalk(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	if err := demo.Load(context.Background(), e.svc, auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}, io.Discard); err != nil {
		t.Fatal(err)
	}
	fac := e.mustLogin(account{Email: "facilitator@demo.consenso.local", Password: demo.Password})
	hn := e.mustLogin(account{Email: "rosa.hn@demo.consenso.local", Password: demo.Password})
	_, integration := e.mustIntegration(admin)
	get := func(path, token string) *resp { return e.do(req{method: "GET", path: path, token: token}).want(200) }
	gid := get("/api/v1/guidelines", fac.Token).JSON()["items"].([]any)[0].(map[string]any)["id"].(string)
	g := "/api/v1/guidelines/" + gid

	// Session 2: inputs and their synthesis.
	if n := len(get(g+"/inputs?limit=200", hn.Token).JSON()["items"].([]any)); n != 16 {
		t.Fatalf("%d inputs, want 16", n)
	}
	var cited string
	for _, gr := range get(g+"/synthesis", fac.Token).JSON()["groups"].([]any) {
		gr := gr.(map[string]any)
		if gr["area"] == "prevention" && gr["kind"] == "challenge" {
			if c := strings.Join(toStrings(gr["countries"]), ","); c != "HN,PA" {
				t.Fatalf("prevention challenges raised by %s", c)
			}
			cited = toStrings(gr["inputs"].([]any)[0].(map[string]any)["cited_by"])[0]
		}
	}
	open := get(g+"/inputs?kind=challenge&unaddressed=true", fac.Token).JSON()["items"].([]any)
	if len(open) != 1 || open[0].(map[string]any)["country"] != "BZ" {
		t.Fatalf("unaddressed challenges = %v", open)
	}

	// Session 3: a clause and the countries it draws on; the draft shows sources.
	if cs := toStrings(get("/api/v1/clauses/"+cited+"/sources", hn.Token).JSON()["countries"]); len(cs) == 0 {
		t.Fatalf("clause %s draws on no country", cited)
	}
	drafts := get(g+"/drafts", fac.Token).JSON()["items"].([]any)
	last := drafts[0].(map[string]any)["number"].(float64)
	for _, d := range drafts {
		if n := d.(map[string]any)["number"].(float64); n > last {
			last = n
		}
	}
	md := get(fmt.Sprintf("%s/drafts/%d?format=markdown", g, int(last)), fac.Token).Body.String()
	if !strings.Contains(md, "_Sources:_") || !strings.Contains(md, "### Annex: Implementation plan") {
		t.Fatalf("the last draft lacks sources or the annex:\n%s", md)
	}

	// Session 4: ten actions, negotiated like clauses.
	status := map[string]int{}
	for _, a := range get(g+"/actions", fac.Token).JSON()["items"].([]any) {
		status[a.(map[string]any)["clause"].(map[string]any)["status"].(string)]++
	}
	if status["agreed"] != 6 || status["contested"] != 1 || status["open"] != 3 {
		t.Fatalf("action statuses = %v", status)
	}
	ap := get(g+"/approved", integration).JSON()
	if plan := ap["plan"].([]any); len(plan[0].(map[string]any)["actions"].([]any)) != 3 {
		t.Fatalf("approved plan = %v", plan)
	}

	// Follow-up: Honduras reports; everyone, integrations included, reads.
	prog := get(g+"/progress", integration).JSON()
	first := prog["actions"].([]any)[0].(map[string]any)
	e.do(req{method: "POST", path: "/api/v1/clauses/" + first["action_id"].(string) + "/progress", token: hn.Token,
		body: map[string]any{"status": "in_progress", "date": e.clock.Now().UTC().Format("2006-01-02"), "note": "Module drafted."}}).want(201)
	row := get(g+"/progress", hn.Token).JSON()["actions"].([]any)[0].(map[string]any)["progress"].(map[string]any)
	if row["HN"].(map[string]any)["status"] != "in_progress" || row["CR"].(map[string]any)["status"] != "done" {
		t.Fatalf("first action's progress = %v", row)
	}
	if csv := get(g+"/progress?format=csv", integration).Body.String(); !strings.Contains(csv, ",HN,in_progress,") {
		t.Fatalf("csv:\n%s", csv)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
