package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// countries8 are the participating countries of the test guideline.
var countries8 = []string{"BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"}

// delib is a guideline negotiated by the eight countries, with one account
// per role: an admin, a facilitator, the eight heads of delegation, a
// delegate of Belize who is not head, an observer and an integration.
type delib struct {
	*env
	t           testing.TB
	admin, fac  account
	heads       map[string]account
	delegate    account // BZ, not head of delegation
	observer    account
	integration string // access token
	integID     string
	gid, sid    string
}

// advance moves the test clock on and gives every account a fresh access
// token (tokens live 15 minutes on the test clock).
func (d *delib) advance(dt time.Duration) {
	d.t.Helper()
	d.clock.Advance(dt)
	reissue := func(a *account, kind string) {
		tok, err := d.tokens.Issue(a.ID, kind, sessionOf(d.t, a.Token))
		if err != nil {
			d.t.Fatal(err)
		}
		a.Token = tok
	}
	for _, a := range []*account{&d.admin, &d.fac, &d.delegate, &d.observer} {
		reissue(a, "user")
	}
	for c, a := range d.heads {
		reissue(&a, "user")
		d.heads[c] = a
	}
	in := account{ID: d.integID, Token: d.integration}
	reissue(&in, "client")
	d.integration = in.Token
}

func newDelib(t testing.TB, opts ...func(*service.Config)) *delib {
	t.Helper()
	e := newEnv(t, opts...)
	d := &delib{env: e, t: t, heads: map[string]account{}}
	d.admin = e.mustAdmin()
	d.fac = e.mustUser(d.admin, drafting.RoleFacilitator, "", false)
	for _, c := range countries8 {
		d.heads[c] = e.mustUser(d.admin, drafting.RoleDelegate, c, true)
	}
	d.delegate = e.mustUser(d.admin, drafting.RoleDelegate, "BZ", false)
	d.observer = e.mustUser(d.admin, drafting.RoleObserver, "", false)
	in, _, err := e.svc.CreateIntegration(context.Background(), auth.Principal{ID: d.admin.ID, Role: drafting.RoleAdmin}, "Regional portal")
	if err != nil {
		t.Fatal(err)
	}
	d.integID = in.ID
	if d.integration, err = e.tokens.Issue(in.ID, "client", auth.ClientSession(in.SecretHash)); err != nil {
		t.Fatal(err)
	}
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: d.fac.Token, body: map[string]any{
		"title": titled("Regional guidelines on consular protection"), "languages": []string{"en", "es"}, "participants": countries8}}).want(201).JSON()
	d.gid = g["id"].(string)
	d.sid = e.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/sections", token: d.fac.Token,
		body: map[string]any{"title": titled("I. Identification")}}).want(201).JSON()["id"].(string)
	return d
}

var clauseSeq int

// mustClause adds a clause in draft and returns its id.
func (d *delib) mustClause() string {
	d.t.Helper()
	clauseSeq++
	return d.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/clauses", token: d.fac.Token, body: map[string]any{
		"section_id": d.sid, "text": map[string]string{
			"en": fmt.Sprintf("States shall train consular officials to identify victims of trafficking (%d).", clauseSeq),
			"es": fmt.Sprintf("Los Estados capacitarán a los funcionarios consulares para identificar a las víctimas de trata (%d).", clauseSeq)}}}).
		want(201).JSON()["id"].(string)
}

// mustOpenClause adds a clause and opens it.
func (d *delib) mustOpenClause() string {
	d.t.Helper()
	cid := d.mustClause()
	d.post("/api/v1/clauses/"+cid+"/open", d.fac, nil).want(200)
	return cid
}

// mustConsensusClause adds a clause on which all eight countries agree.
func (d *delib) mustConsensusClause() string {
	d.t.Helper()
	cid := d.mustOpenClause()
	for _, c := range countries8 {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	return cid
}

// mustAgreedClause adds a clause in consensus and locks it.
func (d *delib) mustAgreedClause() string {
	d.t.Helper()
	cid := d.mustConsensusClause()
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).want(200)
	return cid
}

func (d *delib) post(path string, a account, body any) *resp {
	d.t.Helper()
	return d.do(req{method: "POST", path: path, token: a.Token, body: body})
}

func (d *delib) get(path string, a account) *resp {
	d.t.Helper()
	return d.do(req{method: "GET", path: path, token: a.Token})
}

func (d *delib) position(cid, country string, a account, body map[string]any) *resp {
	d.t.Helper()
	return d.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/positions/" + country, token: a.Token, body: body})
}

func (d *delib) comment(cid string, a account, body map[string]any) *resp {
	d.t.Helper()
	return d.post("/api/v1/clauses/"+cid+"/comments", a, body)
}

func (d *delib) clause(cid string) map[string]any {
	d.t.Helper()
	return d.get("/api/v1/clauses/"+cid, d.fac).want(200).JSON()
}

func (d *delib) status(cid string) string {
	d.t.Helper()
	return d.clause(cid)["status"].(string)
}

// positions returns the positions of a clause by country.
func (d *delib) positions(cid string) map[string]map[string]any {
	d.t.Helper()
	out := map[string]map[string]any{}
	for _, it := range d.get("/api/v1/clauses/"+cid+"/positions", d.fac).want(200).JSON()["items"].([]any) {
		row := it.(map[string]any)
		out[row["country"].(string)] = row
	}
	return out
}

// events lists the types of a guideline's events about subject.
func (d *delib) events(subject string) []string {
	d.t.Helper()
	var out []string
	for _, it := range d.get("/api/v1/guidelines/"+d.gid+"/events?limit=200", d.fac).want(200).JSON()["items"].([]any) {
		ev := it.(map[string]any)
		if ev["subject_id"] == subject {
			out = append(out, ev["type"].(string))
		}
	}
	return out
}

func (d *delib) eventData(subject, typ string) []map[string]any {
	d.t.Helper()
	var out []map[string]any
	for _, it := range d.get("/api/v1/guidelines/"+d.gid+"/events?limit=200", d.fac).want(200).JSON()["items"].([]any) {
		ev := it.(map[string]any)
		if ev["subject_id"] == subject && ev["type"] == typ {
			out = append(out, ev["data"].(map[string]any))
		}
	}
	return out
}

func (d *delib) putText(cid string, text map[string]string, incorporates []string) *resp {
	d.t.Helper()
	etag := d.get("/api/v1/clauses/"+cid, d.fac).want(200).Header().Get("ETag")
	body := map[string]any{"text": text, "note": "compromise"}
	if incorporates != nil {
		body["incorporates"] = incorporates
	}
	return d.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", token: d.fac.Token, body: body,
		header: map[string]string{"If-Match": etag}})
}

func itemIDs(r *resp) []string {
	var out []string
	for _, it := range r.JSON()["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestComments(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	other := d.mustOpenClause()

	t.Run("the author's country is recorded", func(t *testing.T) {
		c := d.comment(cid, d.delegate, map[string]any{"body": "We suggest “promptly”.", "kind": "editorial"}).want(201)
		if c.Header().Get("Location") != "/api/v1/comments/"+c.JSON()["id"].(string) {
			t.Fatalf("Location = %q", c.Header().Get("Location"))
		}
		j := c.JSON()
		if j["country"] != "BZ" || j["observer"] != false || j["clause_version"] != float64(1) || j["status"] != "open" || j["author_id"] != d.delegate.ID {
			t.Fatalf("comment = %v", j)
		}
	})
	t.Run("observers are marked, facilitators have no country", func(t *testing.T) {
		o := d.comment(cid, d.observer, map[string]any{"body": "The secretariat notes a similar clause in 2019."}).want(201).JSON()
		if o["country"] != nil || o["observer"] != true || o["kind"] != "general" {
			t.Fatalf("observer comment = %v", o)
		}
		f := d.comment(cid, d.fac, map[string]any{"body": "Please send wording by Friday."}).want(201).JSON()
		if f["country"] != nil || f["observer"] != false {
			t.Fatalf("facilitator comment = %v", f)
		}
	})
	t.Run("integrations cannot comment", func(t *testing.T) {
		d.do(req{method: "POST", path: "/api/v1/clauses/" + cid + "/comments", token: d.integration, body: map[string]any{"body": "x"}}).wantProblem(403, "auth.forbidden")
	})
	t.Run("quote must be in the version", func(t *testing.T) {
		d.comment(cid, d.heads["MX"], map[string]any{"body": "Too broad.", "kind": "substantive", "quote": "consular officials"}).want(201)
		r := d.comment(cid, d.heads["MX"], map[string]any{"body": "Too broad.", "quote": "diplomatic staff"}).wantProblem(422, "comment.invalid")
		checkFieldErrors(t, r, "quote")
	})
	t.Run("amendments carry proposed text", func(t *testing.T) {
		r := d.comment(cid, d.heads["GT"], map[string]any{"body": "Alternative wording.", "kind": "amendment"}).wantProblem(422, "comment.invalid")
		checkFieldErrors(t, r, "proposed_text")
		a := d.comment(cid, d.heads["GT"], map[string]any{"body": "Alternative wording.", "kind": "amendment",
			"proposed_text": map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}}).want(201).JSON()
		if a["proposed_text"].(map[string]any)["en"] != "States shall promptly train consular officials." {
			t.Fatalf("proposed_text = %v", a["proposed_text"])
		}
		r = d.comment(cid, d.heads["GT"], map[string]any{"body": "x", "proposed_text": map[string]string{"en": "y"}}).wantProblem(422, "comment.invalid")
		checkFieldErrors(t, r, "proposed_text")
	})
	t.Run("threads stay on one clause", func(t *testing.T) {
		parent := d.comment(cid, d.heads["CR"], map[string]any{"body": "Why training only?"}).want(201).JSON()["id"].(string)
		reply := d.comment(cid, d.heads["PA"], map[string]any{"body": "Budget.", "parent_id": parent}).want(201).JSON()
		if reply["parent_id"] != parent {
			t.Fatalf("parent_id = %v", reply["parent_id"])
		}
		r := d.comment(other, d.heads["PA"], map[string]any{"body": "Budget.", "parent_id": parent}).wantProblem(422, "comment.invalid")
		checkFieldErrors(t, r, "parent_id")
		d.comment(cid, d.heads["PA"], map[string]any{"body": "Budget.", "parent_id": "nope"}).wantProblem(422, "comment.invalid")
	})
	t.Run("unknown clause", func(t *testing.T) {
		d.comment("nope", d.delegate, map[string]any{"body": "x"}).wantProblem(404, "clause.not_found")
	})
	t.Run("unknown fields are refused", func(t *testing.T) {
		d.comment(cid, d.delegate, map[string]any{"body": "x", "country": "MX"}).wantProblem(422, "request.unknown_field")
	})

	t.Run("filters", func(t *testing.T) {
		list := func(q string) []string {
			return itemIDs(d.get("/api/v1/clauses/"+cid+"/comments"+q, d.heads["HN"]).want(200))
		}
		all := list("")
		if len(all) != 7 {
			t.Fatalf("%d comments, want 7", len(all))
		}
		if n := len(list("?country=BZ")); n != 1 {
			t.Fatalf("BZ: %d", n)
		}
		if n := len(list("?country=observer")); n != 1 {
			t.Fatalf("observer: %d", n)
		}
		if n := len(list("?kind=amendment")); n != 1 {
			t.Fatalf("amendment: %d", n)
		}
		if n := len(list("?country=GT&kind=amendment&status=open&version=1")); n != 1 {
			t.Fatalf("combined: %d", n)
		}
		if n := len(list("?version=2")); n != 0 {
			t.Fatalf("version 2: %d", n)
		}
		d.get("/api/v1/clauses/"+cid+"/comments?status=closed", d.fac).want(422)
		d.get("/api/v1/clauses/"+cid+"/comments?country=belize", d.fac).wantProblem(422, "comment.invalid_filter")
		d.get("/api/v1/clauses/nope/comments", d.fac).wantProblem(404, "clause.not_found")
		d.get("/api/v1/guidelines/nope/comments", d.fac).wantProblem(404, "guideline.not_found")
	})

	t.Run("pages are stable", func(t *testing.T) {
		d.comment(other, d.heads["SV"], map[string]any{"body": "On the other clause."}).want(201)
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			path := "/api/v1/guidelines/" + d.gid + "/comments?limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := d.get(path, d.delegate).want(200)
			got = append(got, itemIDs(r)...)
			next, _ := r.JSON()["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
			if pages > 5 {
				t.Fatal("too many pages")
			}
		}
		if len(got) != 8 {
			t.Fatalf("%d comments over the pages, want 8", len(got))
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("comment %s twice", id)
			}
			seen[id] = true
		}
		d.get("/api/v1/guidelines/"+d.gid+"/comments?cursor=garbage", d.fac).wantProblem(422, "page.invalid_cursor")
	})

	t.Run("counts per clause and country", func(t *testing.T) {
		r := d.get("/api/v1/guidelines/"+d.gid+"/comments/counts", d.fac).want(200)
		got := map[string]float64{}
		for _, it := range r.JSON()["items"].([]any) {
			row := it.(map[string]any)
			got[row["number"].(string)+"/"+row["country"].(string)] = row["total"].(float64)
		}
		want := map[string]float64{"1.1/BZ": 1, "1.1/observer": 1, "1.1/facilitator": 1, "1.1/MX": 1, "1.1/GT": 1, "1.1/CR": 1, "1.1/PA": 1, "1.2/SV": 1}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %v, want %v (all: %v)", k, got[k], n, got)
			}
		}
		// Every participant sees who has spoken; integrations read approved text only.
		if heads := d.get("/api/v1/guidelines/"+d.gid+"/comments/counts", d.heads["BZ"]).want(200).Body.String(); heads != r.Body.String() {
			t.Fatalf("a head of delegation reads other counts:\n%s\nthan the facilitator:\n%s", heads, r.Body.String())
		}
		d.do(req{method: "GET", path: "/api/v1/guidelines/" + d.gid + "/comments/counts", token: d.integration}).wantProblem(403, "auth.forbidden")
	})

	t.Run("authors edit and withdraw their own open comments", func(t *testing.T) {
		c := d.comment(cid, d.delegate, map[string]any{"body": "First thought."}).want(201).JSON()
		id := c["id"].(string)
		path := "/api/v1/comments/" + id
		g := d.get(path, d.heads["MX"]).want(200)
		if g.Header().Get("ETag") != `"r1"` {
			t.Fatalf("ETag = %q", g.Header().Get("ETag"))
		}
		e := d.do(req{method: "PATCH", path: path, token: d.delegate.Token, body: map[string]any{"body": "Second thought."}}).want(200)
		if e.JSON()["body"] != "Second thought." || e.Header().Get("ETag") != `"r2"` {
			t.Fatalf("edited = %v, ETag %s", e.JSON(), e.Header().Get("ETag"))
		}
		d.do(req{method: "PATCH", path: path, token: d.delegate.Token, body: map[string]any{"body": "Third."},
			header: map[string]string{"If-Match": `"r1"`}}).wantProblem(412, "comment.version_stale")
		d.do(req{method: "PATCH", path: path, token: d.delegate.Token, body: map[string]any{"body": " "}}).wantProblem(422, "comment.invalid")
		// Same country, not the author: refused and nothing changes.
		d.do(req{method: "PATCH", path: path, token: d.heads["BZ"].Token, body: map[string]any{"body": "Hijacked."}}).wantProblem(403, "comment.not_author")
		d.post(path+"/withdraw", d.heads["BZ"], nil).wantProblem(403, "comment.not_author")
		if got := d.get(path, d.fac).want(200).JSON(); got["body"] != "Second thought." || got["status"] != "open" {
			t.Fatalf("after refused changes: %v", got)
		}
		w := d.post(path+"/withdraw", d.delegate, nil).want(200).JSON()
		if w["status"] != "withdrawn" {
			t.Fatalf("withdrawn = %v", w)
		}
		d.do(req{method: "PATCH", path: path, token: d.delegate.Token, body: map[string]any{"body": "Again."}}).wantProblem(409, "comment.not_open")
		d.post(path+"/withdraw", d.delegate, nil).wantProblem(409, "comment.not_open")
		d.post(path+"/resolve", d.fac, map[string]any{"status": "addressed", "note": "n"}).wantProblem(409, "comment.not_open")
		if ev := d.events(id); !hasString(ev, "comment.created") || !hasString(ev, "comment.edited") || !hasString(ev, "comment.withdrawn") {
			t.Fatalf("events = %v", ev)
		}
	})

	t.Run("facilitators resolve with a note", func(t *testing.T) {
		id := d.comment(cid, d.heads["NI"], map[string]any{"body": "Add a reference to the Palermo Protocol."}).want(201).JSON()["id"].(string)
		path := "/api/v1/comments/" + id + "/resolve"
		d.post(path, d.heads["NI"], map[string]any{"status": "addressed", "note": "self"}).wantProblem(403, "auth.forbidden")
		d.post(path, d.fac, map[string]any{"status": "withdrawn", "note": "x"}).want(422)
		d.post(path, d.fac, map[string]any{"status": "declined", "note": ""}).wantProblem(422, "comment.invalid_resolution")
		r := d.post(path, d.fac, map[string]any{"status": "declined", "note": "Covered by clause 1.3."}).want(200).JSON()
		if r["status"] != "declined" || r["resolution_note"] != "Covered by clause 1.3." || r["resolved_by_id"] != d.fac.ID || r["resolved_at"] == nil {
			t.Fatalf("resolved = %v", r)
		}
		d.post(path, d.fac, map[string]any{"status": "addressed", "note": "again"}).wantProblem(409, "comment.not_open")
		if ev := d.eventData(id, "comment.resolved"); len(ev) != 1 || ev[0]["status"] != "declined" {
			t.Fatalf("comment.resolved events = %v", ev)
		}
	})

	t.Run("comments record the current version and are allowed on agreed clauses", func(t *testing.T) {
		agreed := d.mustAgreedClause()
		c := d.comment(agreed, d.heads["HN"], map[string]any{"body": "For the record: we welcome this."}).want(201).JSON()
		if c["clause_version"] != float64(1) {
			t.Fatalf("clause_version = %v", c["clause_version"])
		}
		d.putText(other, map[string]string{"en": "States shall train officials.", "es": "Los Estados capacitarán."}, nil).want(200)
		c = d.comment(other, d.heads["HN"], map[string]any{"body": "Better.", "quote": "train officials"}).want(201).JSON()
		if c["clause_version"] != float64(2) {
			t.Fatalf("clause_version = %v, want 2", c["clause_version"])
		}
		if n := len(itemIDs(d.get("/api/v1/clauses/"+other+"/comments?version=2", d.fac).want(200))); n != 1 {
			t.Fatalf("version=2: %d", n)
		}
	})
}

func TestCommentsIncorporatedByMerge(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	other := d.mustOpenClause()
	a := d.comment(cid, d.heads["GT"], map[string]any{"body": "Say promptly.", "kind": "amendment",
		"proposed_text": map[string]string{"en": "States shall promptly train consular officials."}}).want(201).JSON()["id"].(string)
	b := d.comment(cid, d.heads["MX"], map[string]any{"body": "Agree with Guatemala."}).want(201).JSON()["id"].(string)
	elsewhere := d.comment(other, d.heads["MX"], map[string]any{"body": "Elsewhere."}).want(201).JSON()["id"].(string)
	withdrawn := d.comment(cid, d.heads["CR"], map[string]any{"body": "Never mind."}).want(201).JSON()["id"].(string)
	d.post("/api/v1/comments/"+withdrawn+"/withdraw", d.heads["CR"], nil).want(200)

	newText := map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}
	for _, bad := range []string{elsewhere, withdrawn, "nope"} {
		d.putText(cid, newText, []string{a, bad}).wantProblem(422, "clause.invalid_incorporates")
	}
	if d.get("/api/v1/comments/"+a, d.fac).want(200).JSON()["status"] != "open" {
		t.Fatal("a refused merge changed a comment")
	}
	v := d.putText(cid, newText, []string{a, b}).want(200).JSON()
	if v["version"] != float64(2) {
		t.Fatalf("version = %v", v["version"])
	}
	for _, id := range []string{a, b} {
		c := d.get("/api/v1/comments/"+id, d.fac).want(200).JSON()
		if c["status"] != "incorporated" || c["resolved_by_id"] != d.fac.ID {
			t.Fatalf("comment %s = %v", id, c)
		}
	}
	if got := itemIDs(d.get("/api/v1/clauses/"+cid+"/comments?status=incorporated", d.fac).want(200)); len(got) != 2 {
		t.Fatalf("incorporated = %v", got)
	}
}

func TestCommentIdempotency(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	path := "/api/v1/clauses/" + cid + "/comments"
	send := func(a account, key string, body map[string]any) *resp {
		return d.do(req{method: "POST", path: path, token: a.Token, body: body, header: map[string]string{"Idempotency-Key": key}})
	}
	count := func() int { return len(itemIDs(d.get(path+"?limit=200", d.fac).want(200))) }
	body := map[string]any{"body": "We object to the word “shall”.", "kind": "substantive"}

	first := send(d.delegate, "k-1", body).want(201)
	again := send(d.delegate, "k-1", body).want(201)
	if !bytes.Equal(first.Body.Bytes(), again.Body.Bytes()) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	if again.Header().Get("Idempotent-Replayed") != "true" || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatal("Idempotent-Replayed header wrong")
	}
	if again.Header().Get("Location") != first.Header().Get("Location") {
		t.Fatal("Location differs on replay")
	}
	if n := count(); n != 1 {
		t.Fatalf("%d comments after a retry, want 1", n)
	}
	send(d.delegate, "k-1", map[string]any{"body": "Something else."}).wantProblem(422, "idempotency.key_reused")
	// Keys are per user: another user's same key is a new request.
	send(d.heads["BZ"], "k-1", body).want(201)
	if n := count(); n != 2 {
		t.Fatalf("%d comments, want 2", n)
	}
	// A failed request stores nothing; fixing it under the same key works.
	send(d.delegate, "k-2", map[string]any{"body": ""}).wantProblem(422, "comment.invalid")
	send(d.delegate, "k-2", map[string]any{"body": "Fixed."}).want(201)
	// An over-long key is refused.
	long := string(bytes.Repeat([]byte("k"), 129))
	r := d.do(req{method: "POST", path: path, token: d.delegate.Token, body: body, header: map[string]string{"Idempotency-Key": long}})
	if r.Code < 400 {
		t.Fatalf("a 129-character key was accepted: %d", r.Code)
	}

	t.Run("keys expire after 24 hours", func(t *testing.T) {
		before := count()
		d.advance(23 * time.Hour)
		send(d.delegate, "k-1", body).want(201)
		if count() != before {
			t.Fatal("a 23-hour-old key did not replay")
		}
		d.advance(time.Hour)
		fresh := send(d.delegate, "k-1", map[string]any{"body": "A new comment under an old key."}).want(201)
		if fresh.Header().Get("Idempotent-Replayed") != "" || count() != before+1 {
			t.Fatal("an expired key was not reusable")
		}
	})

	t.Run("eight concurrent retries create one comment", func(t *testing.T) {
		before := count()
		var wg sync.WaitGroup
		bodies := make([][]byte, 8)
		codes := make([]int, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := send(d.heads["CR"], "concurrent", body)
				codes[i], bodies[i] = r.Code, r.Body.Bytes()
			}(i)
		}
		wg.Wait()
		for i := range codes {
			if codes[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
				t.Fatalf("retry %d: %d %s (first %s)", i, codes[i], bodies[i], bodies[0])
			}
		}
		if n := count(); n != before+1 {
			t.Fatalf("%d comments created by 8 retries, want 1", n-before)
		}
	})
}
