package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"
)

var planTables = []string{"sections", "clauses", "clause_versions", "action_details", "positions", "progress_reports", "events", "idempotency_keys"}

// plan is a deliberation with one clause of the text (citing a national
// input) and a section of the implementation plan.
type plan struct {
	*delib
	text, input, planSection string
}

func newPlan(t *testing.T) *plan {
	t.Helper()
	d := newDelib(t)
	p := &plan{delib: d}
	p.text = d.mustClause()
	p.input = d.mustInput(d.heads["HN"], "consular_assistance", "challenge", "No route to refer victims abroad.")["id"].(string)
	d.do(req{method: "PUT", path: "/api/v1/clauses/" + p.text + "/sources", token: d.fac.Token, body: map[string]any{"inputs": []string{p.input}}}).want(200)
	sec := d.post("/api/v1/guidelines/"+d.gid+"/sections", d.fac, map[string]any{"title": titled("Implementation plan"), "kind": "plan"}).want(201).JSON()
	if sec["kind"] != "plan" {
		t.Fatalf("plan section = %v", sec)
	}
	p.planSection = sec["id"].(string)
	return p
}

func (p *plan) actionBody(responsible ...string) map[string]any {
	return map[string]any{"section_id": p.planSection,
		"text":        map[string]string{"en": "Train consular staff in the referral route.", "es": "Capacitar al personal consular en la ruta de referencia."},
		"responsible": responsible, "timeframe": "Within 12 months of adoption",
		"indicators":            map[string]string{"en": "Share of consulates with trained staff", "es": "Porcentaje de consulados con personal capacitado"},
		"means_of_verification": map[string]string{"en": "Training records", "es": "Registros de capacitación"},
		"clauses":               []string{p.text}}
}

func (p *plan) mustAction(responsible ...string) string {
	p.t.Helper()
	return p.post("/api/v1/guidelines/"+p.gid+"/actions", p.fac, p.actionBody(responsible...)).want(201).JSON()["clause"].(map[string]any)["id"].(string)
}

// agreeAll records every head's agreement with the clause's current
// version and locks it.
func (p *plan) agreeAll(cid string) {
	p.t.Helper()
	v := p.clause(cid)["version"]
	if p.status(cid) == "draft" {
		p.post("/api/v1/clauses/"+cid+"/open", p.fac, nil).want(200)
	}
	for _, c := range countries8 {
		p.position(cid, c, p.heads[c], map[string]any{"stance": "agree", "clause_version": v}).want(200)
	}
	p.post("/api/v1/clauses/"+cid+"/lock", p.fac, nil).want(200)
}

// TestImplementationPlan: actions are clauses of plan sections, created
// with their details by the facilitator, negotiated with the clause
// machinery (positions, stale positions on a change, locking), and adopted
// with the text as its annex in every rendering.
func TestImplementationPlan(t *testing.T) {
	p := newPlan(t)
	d := p.delib
	actions := "/api/v1/guidelines/" + d.gid + "/actions"

	t.Run("only_the_facilitator_adds_valid_actions_to_plan_sections", func(t *testing.T) {
		before := d.rows(planTables...)
		d.post(actions, d.heads["CR"], p.actionBody("CR")).wantProblem(403, "auth.forbidden")
		d.post(actions, d.observer, p.actionBody("CR")).wantProblem(403, "auth.forbidden")
		d.post(actions, d.fac, p.actionBody("XX")).wantProblem(422, "action.invalid")
		d.post(actions, d.fac, p.actionBody()).wantProblem(422, "")
		bad := p.actionBody("CR")
		bad["clauses"] = []string{"00000000-0000-4000-8000-000000000000"}
		d.post(actions, d.fac, bad).wantProblem(422, "action.invalid")
		inText := p.actionBody("CR")
		inText["section_id"] = d.sid
		d.post(actions, d.fac, inText).wantProblem(422, "clause.invalid")
		atZero := p.actionBody("CR")
		atZero["position"] = 0 // the contract's minimum is 1
		checkFieldErrors(t, d.post(actions, d.fac, atZero).want(422), "position")
		// A plain clause does not go into the plan.
		d.post("/api/v1/guidelines/"+d.gid+"/clauses", d.fac, map[string]any{"section_id": p.planSection,
			"text": map[string]string{"en": "x"}}).wantProblem(422, "clause.invalid")
		if after := d.rows(planTables...); after != before {
			t.Fatalf("refusals changed something:\n%s\n%s", before, after)
		}
	})

	var aid, etag string
	t.Run("an_action_is_a_clause_with_details", func(t *testing.T) {
		key := map[string]string{"Idempotency-Key": "action-1"}
		r := d.do(req{method: "POST", path: actions, token: d.fac.Token, body: p.actionBody("HN", "CR", "IOM", "CR"), header: key}).want(201)
		a := r.JSON()
		cl := a["clause"].(map[string]any)
		aid, etag = cl["id"].(string), r.Header().Get("ETag")
		if cl["status"] != "draft" || cl["version"] != 1.0 || fmt.Sprint(a["responsible"]) != "[CR HN IOM]" || fmt.Sprint(a["clauses"]) != "["+p.text+"]" {
			t.Fatalf("action = %v", a)
		}
		again := d.do(req{method: "POST", path: actions, token: d.fac.Token, body: p.actionBody("HN", "CR", "IOM", "CR"), header: key}).want(201)
		if again.Header().Get("Idempotent-Replayed") != "true" || again.JSON()["clause"].(map[string]any)["id"] != aid {
			t.Fatalf("replay = %s", again.Body)
		}
		got := d.get("/api/v1/clauses/"+aid+"/action", d.observer).want(200)
		if got.Header().Get("ETag") != etag {
			t.Fatalf("action ETag %s, created %s", got.Header().Get("ETag"), etag)
		}
		d.do(req{method: "GET", path: "/api/v1/clauses/" + aid + "/action", token: d.observer.Token, header: map[string]string{"If-None-Match": etag}}).want(304)
		d.get("/api/v1/clauses/"+p.text+"/action", d.fac).wantProblem(404, "action.not_found")
		list := d.get(actions, d.heads["MX"]).want(200).JSON()["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["clause"].(map[string]any)["id"] != aid {
			t.Fatalf("actions = %v", list)
		}
		// It is a clause: the clause list and the consensus matrix hold it.
		if n := len(d.get("/api/v1/guidelines/"+d.gid+"/clauses", d.fac).want(200).JSON()["items"].([]any)); n != 2 {
			t.Fatalf("%d clauses, want 2 (text and action)", n)
		}
		d.do(req{method: "GET", path: actions, token: d.integration}).wantProblem(403, "")
	})

	t.Run("negotiated_with_the_clause_machinery", func(t *testing.T) {
		d.post("/api/v1/clauses/"+aid+"/open", d.fac, nil).want(200)
		d.comment(aid, d.heads["MX"], map[string]any{"kind": "substantive", "body": "Mexico asks for a shorter timeframe."}).want(201)
		for _, c := range countries8 {
			d.position(aid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
		}
		if st := d.status(aid); st != "consensus" {
			t.Fatalf("status %s, want consensus", st)
		}
		etag = d.get("/api/v1/clauses/"+aid, d.fac).want(200).Header().Get("ETag")
		change := map[string]any{"responsible": []string{"CR", "HN", "IOM"}, "timeframe": "Within 6 months of adoption",
			"indicators": map[string]string{"en": "Share of consulates with trained staff"}, "means_of_verification": map[string]string{"en": "Training records"},
			"clauses": []string{p.text}}
		before := d.rows(planTables...)
		for _, a := range []account{d.heads["MX"], d.observer} {
			d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: a.Token, body: change, header: map[string]string{"If-Match": etag}}).wantProblem(403, "")
		}
		d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: d.fac.Token, body: change}).wantProblem(428, "")
		d.do(req{method: "PUT", path: "/api/v1/clauses/" + p.text + "/action", token: d.fac.Token, body: change, header: map[string]string{"If-Match": "*"}}).wantProblem(404, "action.not_found")
		if after := d.rows(planTables...); after != before {
			t.Fatalf("refusals changed something:\n%s\n%s", before, after)
		}
		a := d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: d.fac.Token, body: change, header: map[string]string{"If-Match": etag}}).want(200).JSON()
		cl := a["clause"].(map[string]any)
		if cl["version"] != 2.0 || cl["status"] != "open" || a["timeframe"] != "Within 6 months of adoption" {
			t.Fatalf("changed action = %v", a)
		}
		if pos := d.positions(aid)["BZ"]; pos["current"] != false {
			t.Fatalf("BZ's position after the change = %v, want stale", pos)
		}
		stale := d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: d.fac.Token, body: change,
			header: map[string]string{"If-Match": etag}}).wantProblem(412, "clause.version_stale").JSON()
		if stale["data"].(map[string]any)["current"].(map[string]any)["timeframe"] != "Within 6 months of adoption" {
			t.Fatalf("412 current = %v", stale["data"])
		}
		if evs := d.eventData(aid, "action.changed"); len(evs) != 1 || evs[0]["to_version"] != 2.0 {
			t.Fatalf("action.changed = %v", evs)
		}
		// Version 1's details are kept with version 1.
		vs := d.get("/api/v1/clauses/"+aid+"/versions", d.fac).want(200).JSON()["items"].([]any)
		if len(vs) != 2 || vs[0].(map[string]any)["note"] != "action details changed" {
			t.Fatalf("versions = %v", vs)
		}
		// An action stays in the plan.
		d.post("/api/v1/clauses/"+aid+"/move", d.fac, map[string]any{"section_id": d.sid, "position": 1}).wantProblem(422, "clause.invalid")
		// A change of its text is a clause text change; the details stay.
		d.putText(aid, map[string]string{"en": "Train consular staff in the regional referral route.", "es": "Capacitar al personal consular en la ruta regional de referencia."}, nil).want(200)
		if a := d.get("/api/v1/clauses/"+aid+"/action", d.fac).want(200).JSON(); a["clause"].(map[string]any)["version"] != 3.0 || a["timeframe"] != "Within 6 months of adoption" {
			t.Fatalf("action after a text change = %v", a)
		}
		p.agreeAll(aid)
		d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: d.fac.Token, body: change,
			header: map[string]string{"If-Match": "*"}}).wantProblem(409, "")
	})

	t.Run("adopted_as_the_annex_in_every_rendering", func(t *testing.T) {
		p.agreeAll(p.text)
		d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Final"}).want(201)
		md := d.get("/api/v1/guidelines/"+d.gid+"/drafts/1?format=markdown", d.fac).want(200).Body.String()
		for _, want := range []string{"### Annex: Implementation plan", "_Responsible:_ CR, HN, IOM", "_Sources:_ HN, challenge (consular\\_assistance)", "_Fuentes:_"} {
			if !strings.Contains(md, want) {
				t.Fatalf("draft markdown lacks %q:\n%s", want, md)
			}
		}
		draft := d.get("/api/v1/guidelines/"+d.gid+"/drafts/1", d.fac).want(200).JSON()
		if n := len(draft["sections"].([]any)); n != 2 {
			t.Fatalf("draft JSON has %d sections, want the text's and the plan's", n)
		}
		d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).want(201)
		ap := d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/approved", token: d.integration}).want(200).JSON()
		if len(ap["sections"].([]any)) != 1 {
			t.Fatalf("approved sections = %v", ap["sections"])
		}
		pl := ap["plan"].([]any)
		act := pl[0].(map[string]any)["actions"].([]any)[0].(map[string]any)
		if act["id"] != aid || act["timeframe"] != "Within 6 months of adoption" || fmt.Sprint(act["clause_numbers"]) != "[1.1]" {
			t.Fatalf("approved plan = %v", pl)
		}
		for format, wants := range map[string][]string{
			"markdown": {"### Annex: Implementation plan", "_Timeframe:_ Within 6 months of adoption", "### Anexo: Plan de implementación", "_Carries out clauses:_ 1.1"},
			"html":     {"<h3>Annex: Implementation plan</h3>", "<em>Means of verification:</em> Training records"},
			"akn":      {`name="annex"`, "Responsible: CR, HN, IOM"},
		} {
			body := d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/approved?format=" + format, token: d.integration}).want(200).Body.String()
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Fatalf("approved %s lacks %q:\n%s", format, w, body)
				}
			}
			if strings.Contains(body, "Sources") || strings.Contains(body, "Fuentes") {
				t.Fatalf("approved %s shows sources:\n%s", format, body)
			}
		}
	})
}

// TestProgressReports: after adoption each responsible country (and IOM)
// reports on its actions; history is kept; the regional view (JSON, CSV)
// serves the facilitator, delegations and integrations.
func TestProgressReports(t *testing.T) {
	p := newPlan(t)
	d := p.delib
	aid := p.mustAction("CR", "HN", "IOM")
	regional := p.mustAction("regional")
	progress := "/api/v1/clauses/" + aid + "/progress"
	report := func(a account, body map[string]any) *resp {
		return d.do(req{method: "POST", path: progress, token: a.Token, body: body})
	}
	today := d.clock.Now().UTC().Format("2006-01-02")
	ok := map[string]any{"status": "in_progress", "date": today, "note": "Two of five consulates trained."}

	t.Run("not_before_adoption", func(t *testing.T) {
		before := d.rows(planTables...)
		report(d.heads["CR"], ok).wantProblem(409, "progress.not_adopted")
		d.get("/api/v1/guidelines/"+d.gid+"/progress", d.fac).wantProblem(404, "approved.not_found")
		if after := d.rows(planTables...); after != before {
			t.Fatalf("refusal changed something")
		}
	})

	d.mustForceAgreed(d.gid)
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Final"}).want(201)
	d.post("/api/v1/guidelines/"+d.gid+"/drafts/1/adopt", d.fac, nil).want(201)

	t.Run("only_responsible_parties_report", func(t *testing.T) {
		before := d.rows(planTables...)
		report(d.heads["MX"], ok).wantProblem(403, "progress.forbidden")
		report(d.observer, ok).wantProblem(403, "progress.forbidden")
		d.do(req{method: "POST", path: progress, token: d.integration, body: ok}).wantProblem(403, "")
		report(d.heads["CR"], map[string]any{"status": "finished", "date": today}).wantProblem(422, "progress.invalid")
		report(d.heads["CR"], map[string]any{"status": "blocked", "date": today}).wantProblem(422, "progress.invalid")
		report(d.heads["CR"], map[string]any{"status": "done", "date": "2999-01-01"}).wantProblem(422, "progress.invalid")
		report(d.heads["CR"], map[string]any{"status": "done", "date": today, "evidence_url": "javascript:alert(1)"}).wantProblem(422, "progress.invalid")
		if after := d.rows(planTables...); after != before {
			t.Fatalf("refusals changed something:\n%s\n%s", before, after)
		}
	})

	t.Run("reports_are_kept_and_idempotent", func(t *testing.T) {
		key := map[string]string{"Idempotency-Key": "cr-progress-1"}
		first := d.do(req{method: "POST", path: progress, token: d.heads["CR"].Token, body: ok, header: key}).want(201).JSON()
		if first["country"] != "CR" || first["status"] != "in_progress" || first["evidence_url"] != nil {
			t.Fatalf("report = %v", first)
		}
		again := d.do(req{method: "POST", path: progress, token: d.heads["CR"].Token, body: ok, header: key}).want(201)
		if again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatal("no replay")
		}
		d.advance(time.Minute)
		report(d.delegate, map[string]any{"status": "done", "date": today}).wantProblem(403, "progress.forbidden") // BZ is not responsible
		report(d.heads["CR"], map[string]any{"status": "done", "date": today, "evidence_url": "https://mre.go.cr/informe.pdf", "note": "=SUM(A1)"}).want(201)
		iom := report(d.fac, map[string]any{"status": "not_started", "date": today}).want(201).JSON()
		if iom["country"] != "IOM" {
			t.Fatalf("facilitator's report = %v", iom)
		}
		// A regional action: every participant reports.
		d.do(req{method: "POST", path: "/api/v1/clauses/" + regional + "/progress", token: d.heads["PA"].Token,
			body: map[string]any{"status": "blocked", "date": today, "note": "Waiting for the budget."}}).want(201)
		// A second report within the same clock tick is still the later one.
		d.do(req{method: "POST", path: "/api/v1/clauses/" + regional + "/progress", token: d.heads["PA"].Token,
			body: map[string]any{"status": "in_progress", "date": today, "note": "Budget approved."}}).want(201)
		hist := d.get(progress+"?country=CR", d.heads["HN"]).want(200).JSON()["items"].([]any)
		if len(hist) != 2 || hist[0].(map[string]any)["status"] != "done" || hist[1].(map[string]any)["status"] != "in_progress" {
			t.Fatalf("CR's history = %v", hist)
		}
		page := d.do(req{method: "GET", path: progress + "?limit=2", token: d.integration}).want(200).JSON()
		rest := d.do(req{method: "GET", path: progress + "?limit=2&cursor=" + page["next_cursor"].(string), token: d.integration}).want(200).JSON()
		if len(page["items"].([]any)) != 2 || len(rest["items"].([]any)) != 1 || rest["next_cursor"] != nil {
			t.Fatalf("pages = %v / %v", page, rest)
		}
		if evs := d.eventData(iom["id"].(string), "progress.reported"); len(evs) != 1 || evs[0]["country"] != "IOM" {
			t.Fatalf("progress.reported = %v", evs)
		}
		// Integrations follow adoption and progress, nothing else.
		seen := map[string]int{}
		for _, ev := range d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/events?limit=200", token: d.integration}).want(200).JSON()["items"].([]any) {
			seen[ev.(map[string]any)["type"].(string)]++
		}
		if len(seen) != 2 || seen["guideline.adopted"] != 1 || seen["progress.reported"] != 5 {
			t.Fatalf("an integration's events = %v", seen)
		}
	})

	t.Run("the_regional_view_in_json_and_csv", func(t *testing.T) {
		v := d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/progress", token: d.integration}).want(200).JSON()
		if fmt.Sprint(v["parties"]) != "[BZ CR GT HN IOM MX NI PA SV]" {
			t.Fatalf("parties = %v", v["parties"])
		}
		rows := v["actions"].([]any)
		if len(rows) != 2 {
			t.Fatalf("rows = %v", rows)
		}
		first := rows[0].(map[string]any)["progress"].(map[string]any)
		if first["CR"].(map[string]any)["status"] != "done" || first["HN"] != nil || first["IOM"].(map[string]any)["status"] != "not_started" {
			t.Fatalf("first action's progress = %v", first)
		}
		if _, ok := first["MX"]; ok {
			t.Fatalf("MX is not responsible for the first action: %v", first)
		}
		if pa := rows[1].(map[string]any)["progress"].(map[string]any)["PA"].(map[string]any); pa["status"] != "in_progress" {
			t.Fatalf("PA's current report on the regional action = %v, want the later one", pa)
		}
		// Paged by action; parties are the whole plan's on every page.
		p1 := d.get("/api/v1/guidelines/"+d.gid+"/progress?limit=1", d.fac).want(200).JSON()
		p2 := d.get("/api/v1/guidelines/"+d.gid+"/progress?limit=1&cursor="+p1["next_cursor"].(string), d.fac).want(200).JSON()
		if len(p1["actions"].([]any)) != 1 || len(p2["actions"].([]any)) != 1 || p2["next_cursor"] != nil ||
			p2["actions"].([]any)[0].(map[string]any)["action_id"] != regional || fmt.Sprint(p2["parties"]) != fmt.Sprint(v["parties"]) {
			t.Fatalf("pages = %v / %v", p1, p2)
		}
		d.get("/api/v1/guidelines/"+d.gid+"/progress?cursor="+cursorOf(`{"v":1,"i":9}`), d.fac).wantProblem(422, "page.invalid_cursor")
		d.get("/api/v1/guidelines/"+d.gid+"/progress?format=pdf", d.fac).wantProblem(422, "")
		r := d.get("/api/v1/guidelines/"+d.gid+"/progress?format=csv", d.heads["SV"]).want(200)
		if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type %s", ct)
		}
		recs, err := csv.NewReader(strings.NewReader(r.Body.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+3+8 || strings.Join(recs[0], ",") != "action_number,action_id,party,status,date,note,evidence_url" {
			t.Fatalf("csv = %v", recs)
		}
		var cr []string
		for _, rec := range recs {
			if rec[1] == aid && rec[2] == "CR" {
				cr = rec
			}
		}
		if cr == nil || cr[3] != "done" || cr[5] != "'=SUM(A1)" || cr[6] != "https://mre.go.cr/informe.pdf" {
			t.Fatalf("CR's row = %v", cr)
		}
	})
}

// agendaEvents produces the plan's event types on a guideline of its own
// (an action changed, the plan adopted, IOM reporting progress) and
// returns its id.
func (d *delib) agendaEvents() string {
	d.t.Helper()
	g := d.post("/api/v1/guidelines", d.fac, map[string]any{"title": titled("Plan guideline"), "languages": []string{"en", "es"}, "participants": []string{"CR"}}).want(201).JSON()["id"].(string)
	sec := d.post("/api/v1/guidelines/"+g+"/sections", d.fac, map[string]any{"title": titled("I.")}).want(201).JSON()["id"].(string)
	text := d.post("/api/v1/guidelines/"+g+"/clauses", d.fac, map[string]any{"section_id": sec, "text": map[string]string{"en": "States shall cooperate."}}).want(201).JSON()["id"].(string)
	plan := d.post("/api/v1/guidelines/"+g+"/sections", d.fac, map[string]any{"title": titled("Plan"), "kind": "plan"}).want(201).JSON()["id"].(string)
	details := map[string]any{"responsible": []string{"IOM"}, "timeframe": "2013", "indicators": map[string]string{"en": "Meetings held"},
		"means_of_verification": map[string]string{"en": "Minutes"}, "clauses": []string{text}}
	body := map[string]any{"section_id": plan, "text": map[string]string{"en": "IOM convenes a follow-up meeting."}}
	for k, v := range details {
		body[k] = v
	}
	r := d.post("/api/v1/guidelines/"+g+"/actions", d.fac, body).want(201)
	aid := r.JSON()["clause"].(map[string]any)["id"].(string)
	details["timeframe"] = "First half of 2013"
	d.do(req{method: "PUT", path: "/api/v1/clauses/" + aid + "/action", token: d.fac.Token, body: details, header: map[string]string{"If-Match": r.Header().Get("ETag")}}).want(200)
	d.mustForceAgreed(g)
	d.post("/api/v1/guidelines/"+g+"/drafts", d.fac, map[string]any{"label": "Final"}).want(201)
	d.post("/api/v1/guidelines/"+g+"/drafts/1/adopt", d.fac, nil).want(201)
	d.post("/api/v1/clauses/"+aid+"/progress", d.fac, map[string]any{"status": "in_progress", "date": d.clock.Now().UTC().Format("2006-01-02")}).want(201)
	return g
}
