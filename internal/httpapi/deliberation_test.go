package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"gorm.io/gorm"
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
		tok, err := d.tokens.Issue(a.ID, kind)
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
	in := account{ID: d.integID}
	reissue(&in, "client")
	d.integration = in.Token
}

func newDelib(t testing.TB) *delib {
	t.Helper()
	e := newEnv(t)
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
	if d.integration, err = e.tokens.Issue(in.ID, "client"); err != nil {
		t.Fatal(err)
	}
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: d.fac.Token, body: map[string]any{
		"title": "Regional guidelines on consular protection", "languages": []string{"en", "es"}, "participants": countries8}}).want(201).JSON()
	d.gid = g["id"].(string)
	d.sid = e.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/sections", token: d.fac.Token,
		body: map[string]any{"title": "I. Identification"}}).want(201).JSON()["id"].(string)
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
		d.get("/api/v1/guidelines/"+d.gid+"/comments/counts", d.heads["BZ"]).wantProblem(403, "auth.forbidden")
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
		if r["status"] != "declined" || r["resolution_note"] != "Covered by clause 1.3." || r["resolved_by"] != d.fac.ID || r["resolved_at"] == nil {
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
		if c["status"] != "incorporated" || c["resolved_by"] != d.fac.ID {
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
	if r["country"] != "BZ" || r["stance"] != "agree" || r["current"] != true || r["recorded_by"] != d.heads["BZ"].ID || r["clause_status"] != "open" {
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
			"title": "Implementation plan", "languages": []string{"es"}, "participants": []string{"CR", "PA"}}}).want(201).JSON()
		sec := d.post("/api/v1/guidelines/"+g["id"].(string)+"/sections", d.fac, map[string]any{"title": "I"}).want(201).JSON()
		small := d.post("/api/v1/guidelines/"+g["id"].(string)+"/clauses", d.fac, map[string]any{
			"section_id": sec["id"], "text": map[string]string{"es": "Texto."}}).want(201).JSON()["id"].(string)
		d.post("/api/v1/clauses/"+small+"/open", d.fac, nil).want(200)
		d.position(small, "BZ", d.heads["BZ"], agree).wantProblem(422, "position.not_participant")
		d.position(small, "XX", d.fac, agree).wantProblem(422, "position.not_participant")
		// Belize's delegate may not comment on a guideline Belize is not part of.
		d.comment(small, d.delegate, map[string]any{"body": "x"}).wantProblem(403, "auth.forbidden")
		d.position(small, "CR", d.heads["CR"], agree).want(200)
		d.position(small, "PA", d.heads["PA"], agree).want(200)
		if s := d.status(small); s != "consensus" {
			t.Fatalf("status = %s, want consensus with both participants agreeing", s)
		}
	})

	t.Run("facilitators record in session", func(t *testing.T) {
		r := d.position(cid, "CR", d.fac, map[string]any{"stance": "agree_with_reservation", "clause_version": 1,
			"reservation": "Costa Rica reads “victims” per its Law 9095."}).want(200).JSON()
		if r["recorded_by"] != d.fac.ID || r["reservation"] == "" {
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
		if ps["GT"]["stance"] != "pending" || ps["GT"]["clause_version"] != nil || ps["GT"]["current"] != false || ps["GT"]["recorded_by"] != nil {
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

func TestSilenceProcedure(t *testing.T) {
	d := newDelib(t)
	ctx := context.Background()
	cid := d.mustOpenClause()
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": "Subject to our federal law."}).want(200)

	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(-time.Minute)}).wantProblem(422, "silence.deadline_past")
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": "next friday"}).want(422)
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{}).wantProblem(422, "silence.deadline_required")
	deadline := d.clock.Now().Add(48 * time.Hour)
	s := d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": deadline}).want(200).JSON()
	if s["status"] != "silence" || s["silence_deadline"] != deadline.Format(time.RFC3339) {
		t.Fatalf("silence = %v", s)
	}
	if ev := d.eventData(cid, "silence.started"); len(ev) != 1 || ev[0]["deadline"] != deadline.Format(time.RFC3339) {
		t.Fatalf("silence.started = %v", ev)
	}
	d.post("/api/v1/clauses/"+cid+"/lock", d.fac, nil).wantProblem(409, "clause.not_consensus")

	// An agreement during silence changes nothing.
	d.position(cid, "CR", d.heads["CR"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
		t.Fatalf("sweep before the deadline: %d, %v", n, err)
	}
	d.advance(48 * time.Hour)
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 1 {
		t.Fatalf("sweep at the deadline: %d, %v", n, err)
	}
	if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
		t.Fatalf("second sweep: %d, %v", n, err)
	}
	c := d.clause(cid)
	if c["status"] != "agreed" || c["silence_deadline"] != nil {
		t.Fatalf("after the deadline: %v", c)
	}
	var deemed []string
	for country, p := range d.positions(cid) {
		if p["stance"] != "agree" && p["stance"] != "agree_with_reservation" || p["current"] != true {
			t.Fatalf("%s = %v", country, p)
		}
		if p["deemed"] == true {
			if p["recorded_by"] != nil {
				t.Fatalf("deemed %s recorded by %v", country, p["recorded_by"])
			}
			deemed = append(deemed, country)
		}
	}
	sort.Strings(deemed)
	if fmt.Sprint(deemed) != "[GT HN NI PA SV]" {
		t.Fatalf("deemed = %v", deemed)
	}
	ended := d.eventData(cid, "silence.ended")
	if len(ended) != 1 || fmt.Sprint(ended[0]["deemed"]) != "[GT HN NI PA SV]" {
		t.Fatalf("silence.ended = %v", ended)
	}
	m := d.get("/api/v1/guidelines/"+d.gid+"/consensus", d.delegate).want(200).JSON()
	row := m["clauses"].([]any)[0].(map[string]any)
	if fmt.Sprint(row["deemed"]) != "[GT HN NI PA SV]" || row["status"] != "agreed" || len(row["reservations"].([]any)) != 1 {
		t.Fatalf("matrix row = %v", row)
	}

	t.Run("an objection breaks the silence", func(t *testing.T) {
		cid := d.mustConsensusClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		r := d.position(cid, "NI", d.heads["NI"], map[string]any{"stance": "object", "clause_version": 1, "reason": "Not consulted."}).want(200).JSON()
		if r["clause_status"] != "contested" {
			t.Fatalf("status = %v", r["clause_status"])
		}
		if c := d.clause(cid); c["silence_deadline"] != nil {
			t.Fatalf("deadline kept: %v", c)
		}
		if ev := d.eventData(cid, "silence.broken"); len(ev) != 1 || ev[0]["country"] != "NI" {
			t.Fatalf("silence.broken = %v", ev)
		}
		d.advance(2 * time.Hour)
		if n, err := d.svc.SweepSilence(ctx, d.clock.Now()); err != nil || n != 0 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		if s := d.status(cid); s != "contested" {
			t.Fatalf("status = %s after the deadline, want contested", s)
		}
	})

	t.Run("a facilitator may reopen a silence procedure", func(t *testing.T) {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		r := d.post("/api/v1/clauses/"+cid+"/reopen", d.fac, map[string]any{"reason": "Started by mistake."}).want(200).JSON()
		if r["status"] != "open" || r["silence_deadline"] != nil {
			t.Fatalf("reopened = %v", r)
		}
	})

	t.Run("a text change ends the silence", func(t *testing.T) {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		d.putText(cid, map[string]string{"en": "New.", "es": "Nuevo."}, nil).want(200)
		d.advance(2 * time.Hour)
		if n, _ := d.svc.SweepSilence(ctx, d.clock.Now()); n != 0 {
			t.Fatal("a silence ended by a text change was concluded")
		}
		if s := d.status(cid); s != "open" {
			t.Fatalf("status = %s", s)
		}
	})
}

// TestSilenceSweepReplicas runs several sweeps at once, as several replicas
// would: each clause is concluded once and deemed positions are not doubled.
func TestSilenceSweepReplicas(t *testing.T) {
	d := newDelib(t)
	var cids []string
	for i := 0; i < 3; i++ {
		cid := d.mustOpenClause()
		d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
		cids = append(cids, cid)
	}
	d.advance(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := d.svc.SweepSilence(context.Background(), d.clock.Now())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 3 {
		t.Fatalf("the sweeps concluded %d clauses, want 3", total)
	}
	for _, cid := range cids {
		if s := d.status(cid); s != "agreed" {
			t.Fatalf("status = %s", s)
		}
		if n := len(d.get("/api/v1/clauses/"+cid+"/positions/history", d.fac).want(200).JSON()["items"].([]any)); n != 8 {
			t.Fatalf("%d positions recorded, want 8 deemed", n)
		}
		if n := len(d.eventData(cid, "silence.ended")); n != 1 {
			t.Fatalf("%d silence.ended events", n)
		}
	}
}

// publisherFunc is a service.Publisher for tests.
type publisherFunc func([]drafting.Event)

func (f publisherFunc) Publish(evs []drafting.Event) { f(evs) }

// TestSilenceSweeperCatchesUp starts the background sweeper after a deadline
// passed (as after a restart): the clause is agreed at once, not an
// interval later.
func TestSilenceSweeperCatchesUp(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.post("/api/v1/clauses/"+cid+"/silence", d.fac, map[string]any{"deadline": d.clock.Now().Add(time.Hour)}).want(200)
	d.advance(3 * time.Hour) // the server was down meanwhile

	ended := make(chan struct{})
	var once sync.Once
	d.svc.SetPublisher(publisherFunc(func(evs []drafting.Event) {
		for _, e := range evs {
			if e.Type == drafting.EventSilenceEnded && e.SubjectID == cid {
				once.Do(func() { close(ended) })
			}
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.svc.RunSilenceSweeper(ctx, time.Hour)
	}()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the sweeper did not conclude the overdue silence procedure on start")
	}
	cancel()
	<-done
	if s := d.status(cid); s != "agreed" {
		t.Fatalf("status = %s", s)
	}
}

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
			"title": "Empty", "languages": []string{"en"}, "participants": []string{"BZ"}}}).want(201).JSON()
		m := d.get("/api/v1/guidelines/"+g["id"].(string)+"/consensus", d.fac).want(200).JSON()
		if m["ready_for_adoption"] != false || len(m["clauses"].([]any)) != 0 {
			t.Fatalf("empty matrix = %v", m)
		}
	})
}

// statementCounter counts the SQL statements GORM runs on a store.
type statementCounter struct {
	mu sync.Mutex
	n  int
}

func countStatements(t testing.TB, st *store.Store) *statementCounter {
	t.Helper()
	sc := &statementCounter{}
	inc := func(*gorm.DB) { sc.mu.Lock(); sc.n++; sc.mu.Unlock() }
	cb := st.DB().Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("test:count_query", inc),
		cb.Raw().After("gorm:raw").Register("test:count_raw", inc),
		cb.Row().After("gorm:row").Register("test:count_row", inc),
		cb.Create().After("gorm:create").Register("test:count_create", inc),
		cb.Update().After("gorm:update").Register("test:count_update", inc),
		cb.Delete().After("gorm:delete").Register("test:count_delete", inc),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return sc
}

func (sc *statementCounter) during(fn func()) int {
	sc.mu.Lock()
	before := sc.n
	sc.mu.Unlock()
	fn()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.n - before
}

// TestConsensusMatrixStatements checks that the matrix costs the same number
// of SQL statements for 3 clauses as for 30.
func TestConsensusMatrixStatements(t *testing.T) {
	d := newDelib(t)
	sc := countStatements(t, d.store)
	matrix := func() int {
		// The caller's account is re-read on every counted request (the
		// account cache is emptied), so counts do not depend on timing.
		d.svc.InvalidatePrincipals()
		return sc.during(func() {
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
	first := sc.during(func() {
		d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	})
	for _, c := range countries8[1:7] {
		d.position(cid, c, d.heads[c], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	}
	last := sc.during(func() {
		d.position(cid, "SV", d.heads["SV"], map[string]any{"stance": "agree", "clause_version": 1}).want(200)
	})
	t.Logf("recording a position: %d statements; the one that completes consensus: %d", first, last)
	if last > first+6 {
		t.Fatalf("the position completing consensus ran %d statements, the first %d", last, first)
	}
}
