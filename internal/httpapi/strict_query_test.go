package httpapi_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestUnknownQueryParameter: on every route, a query parameter its
// operation does not declare in api/openapi.yaml is 422
// request.unknown_parameter naming it, before anything is read or written.
func TestUnknownQueryParameter(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	comment := d.comment(cid, d.heads["CR"], map[string]any{"kind": "general", "body": "A remark."}).want(201).JSON()["id"].(string)
	values := map[string]string{
		"gid": d.gid, "cid": cid, "sid": d.sid, "id": comment, "uid": d.delegate.ID, "iid": d.integID,
		"wid": "0b6f9a3e-8c1d-4e2f-9a7b-3c5d7e9f1a2b", "country": "CR", "code": "CR", "n": "1", "version": "1",
		"file": "swagger-ui.css", "label": "A", "nid": "0b6f9a3e-8c1d-4e2f-9a7b-3c5d7e9f1a2c",
	}
	before := d.queryRefusalSnapshot(cid)
	for _, r := range d.srv.Routes() {
		segs := strings.Split(r.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				v, ok := values[s[1:]]
				if !ok {
					t.Fatalf("%s %s: no test value for %s", r.Method, r.Path, s)
				}
				segs[i] = v
			}
		}
		path := strings.Join(segs, "/")
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			p := d.do(req{method: r.Method, path: path + "?zz_unknown=1", token: d.fac.Token}).
				wantProblem(422, "request.unknown_parameter").JSON()
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != "zz_unknown" {
				t.Fatalf("errors = %v, want the one field zz_unknown", p["errors"])
			}
		})
	}
	if after := d.queryRefusalSnapshot(cid); after != before {
		t.Fatalf("a refused request changed something:\nbefore %s\nafter  %s", before, after)
	}
}

// queryRefusalSnapshot is what the refused writes could have changed: the event log,
// the guideline, the clause, its positions and comments, the accounts.
func (d *delib) queryRefusalSnapshot(cid string) string {
	d.t.Helper()
	var b strings.Builder
	for _, p := range []string{
		"/api/v1/guidelines/" + d.gid + "/events?limit=200", "/api/v1/guidelines/" + d.gid, "/api/v1/clauses/" + cid,
		"/api/v1/clauses/" + cid + "/positions", "/api/v1/clauses/" + cid + "/comments", "/api/v1/users?limit=200",
		"/api/v1/guidelines?limit=200", "/api/v1/webhooks", "/api/v1/integrations", "/api/v1/countries",
	} {
		b.WriteString(d.get(p, d.admin).want(200).Body.String())
	}
	return b.String()
}

// TestUnknownQueryParameterOnValidWrites: a write whose body and token are
// valid is still refused whole for an undeclared query parameter, and
// changes nothing; the same request without it succeeds.
func TestUnknownQueryParameterOnValidWrites(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	writes := []req{
		{method: "POST", path: "/api/v1/guidelines", token: d.fac.Token, body: map[string]any{
			"title": map[string]string{"en": "Another guideline"}, "languages": []string{"en"}, "participants": countries8}},
		{method: "PUT", path: "/api/v1/clauses/" + cid + "/positions/CR", token: d.heads["CR"].Token,
			body: map[string]any{"stance": "agree", "clause_version": 1}},
		{method: "POST", path: "/api/v1/clauses/" + cid + "/comments", token: d.heads["GT"].Token,
			body: map[string]any{"kind": "general", "body": "A remark."}},
		{method: "POST", path: "/api/v1/clauses/" + cid + "/silence", token: d.fac.Token,
			body: map[string]any{"deadline": d.clock.Now().Add(48 * testMinSilence).Format("2006-01-02T15:04:05Z")}},
	}
	for _, w := range writes {
		before := d.queryRefusalSnapshot(cid)
		bad := w
		bad.path += "?dry_run=true"
		d.do(bad).wantProblem(422, "request.unknown_parameter")
		if after := d.queryRefusalSnapshot(cid); after != before {
			t.Fatalf("%s %s?dry_run=true changed something", w.method, w.path)
		}
		if r := d.do(w); r.Code >= 300 {
			t.Fatalf("%s %s without the parameter: %d %s", w.method, w.path, r.Code, r.Body.String())
		}
	}
}

// TestDeclaredQueryParameters: parameters are per operation — one
// declared elsewhere is unknown here — and the stream's ticket and
// last_event_id, the events list's after, are declared.
func TestDeclaredQueryParameters(t *testing.T) {
	d := newDelib(t)
	cid := d.mustClause()
	d.get("/api/v1/clauses/"+cid+"?include=section", d.fac).want(200)
	d.get("/api/v1/guidelines/"+d.gid+"?include=section", d.fac).wantProblem(422, "request.unknown_parameter")
	d.get("/api/v1/guidelines/"+d.gid+"/sections?limit=5", d.fac).wantProblem(422, "request.unknown_parameter")
	d.get("/api/v1/guidelines/"+d.gid+"/events?after=0&limit=5", d.fac).want(200)
	d.get("/healthz?verbose=1", d.fac).wantProblem(422, "request.unknown_parameter")
	// Every unknown parameter is named; a declared one beside them is not.
	p := d.get("/api/v1/guidelines?limit=5&b_unknown=1&a_unknown=2", d.fac).wantProblem(422, "request.unknown_parameter").JSON()
	if errs := p["errors"].([]any); len(errs) != 2 || errs[0].(map[string]any)["field"] != "a_unknown" || errs[1].(map[string]any)["field"] != "b_unknown" {
		t.Fatalf("errors = %v, want a_unknown and b_unknown", errs)
	}
	// Parameter names are exact: a known one in another case is unknown.
	d.get("/api/v1/guidelines?Limit=5", d.fac).wantProblem(422, "request.unknown_parameter")
	// The stream reads its ticket and last_event_id: a bad ticket is the
	// stream's own 401, never an unknown parameter.
	d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/events/stream?ticket=nope&last_event_id=3"}).want(401)
	d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/events/stream?token=" + url.QueryEscape(d.fac.Token)}).
		wantProblem(422, "request.unknown_parameter")
}

// TestEventsPagination: the event log pages like every list (cursor,
// next_cursor null at the end, limit bounds), and `after` stays an alias
// for a position in the log.
func TestEventsPagination(t *testing.T) {
	d := newDelib(t)
	for i := 0; i < 3; i++ {
		d.mustOpenClause()
	}
	all := d.get("/api/v1/guidelines/"+d.gid+"/events?limit=200", d.fac).want(200).JSON()
	if all["next_cursor"] != nil {
		t.Fatalf("one page holds the whole log, next_cursor = %v", all["next_cursor"])
	}
	var want []string
	for _, it := range all["items"].([]any) {
		want = append(want, strconv.FormatFloat(it.(map[string]any)["id"].(float64), 'f', -1, 64))
	}
	if len(want) < 5 {
		t.Fatalf("only %d events", len(want))
	}
	if got := strconv.FormatFloat(all["last_id"].(float64), 'f', -1, 64); got != want[len(want)-1] {
		t.Fatalf("last_id = %s, want %s", got, want[len(want)-1])
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("paging does not end")
		}
		path := "/api/v1/guidelines/" + d.gid + "/events?limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		p := d.get(path, d.fac).want(200).JSON()
		items := p["items"].([]any)
		for _, it := range items {
			got = append(got, strconv.FormatFloat(it.(map[string]any)["id"].(float64), 'f', -1, 64))
		}
		next, _ := p["next_cursor"].(string)
		if next == "" {
			break
		}
		if len(items) != 2 {
			t.Fatalf("a page with a next_cursor holds %d items, want 2", len(items))
		}
		cursor = next
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("paged ids %v, want %v", got, want)
	}
	// after=n: the events after n; a cursor wins over after.
	p := d.get("/api/v1/guidelines/"+d.gid+"/events?after="+want[1], d.fac).want(200).JSON()
	if n := len(p["items"].([]any)); n != len(want)-2 {
		t.Fatalf("after=%s gave %d events, want %d", want[1], n, len(want)-2)
	}
	first := d.get("/api/v1/guidelines/"+d.gid+"/events?limit=1", d.fac).want(200).JSON()
	c := first["next_cursor"].(string)
	p = d.get("/api/v1/guidelines/"+d.gid+"/events?after="+want[3]+"&cursor="+c, d.fac).want(200).JSON()
	if n := len(p["items"].([]any)); n != len(want)-1 {
		t.Fatalf("cursor with after gave %d events, want %d (the cursor wins)", n, len(want)-1)
	}
	// Nothing newer: an empty page, no cursor, last_id is where it stands.
	p = d.get("/api/v1/guidelines/"+d.gid+"/events?after="+want[len(want)-1], d.fac).want(200).JSON()
	if len(p["items"].([]any)) != 0 || p["next_cursor"] != nil || strconv.FormatFloat(p["last_id"].(float64), 'f', -1, 64) != want[len(want)-1] {
		t.Fatalf("after the last event: %v", p)
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x"} {
		d.get("/api/v1/guidelines/"+d.gid+"/events?"+q, d.fac).wantProblem(422, "page.invalid_limit")
	}
	d.get("/api/v1/guidelines/"+d.gid+"/events?cursor=abc", d.fac).wantProblem(422, "page.invalid_cursor")
	d.get("/api/v1/guidelines/"+d.gid+"/events?after=-1", d.fac).wantProblem(422, "request.invalid_parameter")
}
