package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rebuild joins the ops of a word diff: kept with equal+delete gives the
// old text, with equal+insert the new one.
func rebuild(ops []any, kept string) string {
	var b strings.Builder
	for _, o := range ops {
		op := o.(map[string]any)
		if op["op"] == "equal" || op["op"] == kept {
			b.WriteString(op["text"].(string))
		}
	}
	return b.String()
}

// rawJSON decodes a body into a generic value, for comparing parts.
func rawJSON(t *testing.T, r *resp) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestClausePage: one request with include= answers what the separate
// GETs answer, parts left out when not asked for.
func TestClausePage(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.putText(cid, map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}, nil).want(200)
	first := d.comment(cid, d.heads["GT"], map[string]any{"body": "Guatemala asks for a deadline."}).want(201).JSON()["id"].(string)
	d.comment(cid, d.heads["CR"], map[string]any{"body": "Costa Rica agrees.", "parent_id": first}).want(201)
	d.comment(cid, d.observer, map[string]any{"body": "The secretariat notes a 2019 precedent."}).want(201)
	d.position(cid, "MX", d.heads["MX"], map[string]any{"stance": "agree", "clause_version": 2}).want(200)
	d.position(cid, "BZ", d.heads["BZ"], map[string]any{"stance": "abstain", "clause_version": 2}).want(200)

	as := d.heads["PA"]
	plain := d.get("/api/v1/clauses/"+cid, as).want(200)
	page := d.get("/api/v1/clauses/"+cid+"?include=section,positions,comments,versions", as).want(200)
	noEmails(t, page)
	got := rawJSON(t, page)
	clause := rawJSON(t, plain)
	sid := clause["section_id"].(string)
	parts := map[string]string{
		"section":   "/api/v1/sections/" + sid,
		"positions": "/api/v1/clauses/" + cid + "/positions",
		"comments":  "/api/v1/clauses/" + cid + "/comments",
		"versions":  "/api/v1/clauses/" + cid + "/versions",
	}
	for name, path := range parts {
		if diff := cmp.Diff(rawJSON(t, d.get(path, as).want(200)), got[name]); diff != "" {
			t.Errorf("%s differs from GET %s (-get +include):\n%s", name, path, diff)
		}
		clause[name] = got[name]
	}
	if diff := cmp.Diff(clause, got); diff != "" {
		t.Fatalf("the page is not the clause plus its parts (-want +got):\n%s", diff)
	}
	if n := len(got["comments"].(map[string]any)["items"].([]any)); n != 3 {
		t.Fatalf("%d comments on the page", n)
	}

	t.Run("the page has no ETag; its body names the clause's", func(t *testing.T) {
		etag := plain.Header().Get("ETag")
		if etag == "" || got["etag"] != etag {
			t.Fatalf("plain ETag %q, page etag %v", etag, got["etag"])
		}
		if h := page.Header().Get("ETag"); h != "" {
			t.Fatalf("the page carries ETag %q", h)
		}
		// The body's etag is what If-Match takes.
		d.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", token: d.fac.Token, header: map[string]string{"If-Match": got["etag"].(string)},
			body: map[string]any{"text": map[string]string{"en": "States shall train consular officials within a year.", "es": "En un año."}}}).want(200)
	})

	t.Run("only what is asked for", func(t *testing.T) {
		for _, in := range []string{"section", "positions", "comments", "versions", "comments,section", "versions,versions"} {
			g := d.get("/api/v1/clauses/"+cid+"?include="+in, as).want(200).JSON()
			for name := range parts {
				if _, present := g[name]; present != strings.Contains(in, name) {
					t.Fatalf("include=%s: %s present = %v", in, name, present)
				}
			}
		}
	})

	t.Run("unknown or empty names are refused", func(t *testing.T) {
		for _, q := range []string{"include=author", "include=", "include=section,", "include=Section", "include=section,diff"} {
			r := d.get("/api/v1/clauses/"+cid+"?"+q, as).wantProblem(422, "request.invalid_parameter")
			if errs := r.JSON()["errors"].([]any); errs[0].(map[string]any)["field"] != "include" {
				t.Fatalf("%s: %v", q, errs)
			}
		}
		d.get("/api/v1/clauses/no-such-clause?include=section", as).wantProblem(404, "clause.not_found")
	})

	t.Run("comments: the first page and its cursor", func(t *testing.T) {
		c2 := d.mustOpenClause()
		for i := range 52 {
			d.comment(c2, d.heads[countries8[i%8]], map[string]any{"body": fmt.Sprintf("Remark %d.", i)}).want(201)
		}
		p := d.get("/api/v1/clauses/"+c2+"?include=comments", as).want(200).JSON()["comments"].(map[string]any)
		items, next := p["items"].([]any), p["next_cursor"]
		if len(items) != 50 || next == nil {
			t.Fatalf("%d comments, next %v", len(items), next)
		}
		rest := d.get("/api/v1/clauses/"+c2+"/comments?cursor="+next.(string), as).want(200).JSON()
		if n := len(rest["items"].([]any)); n != 2 || rest["next_cursor"] != nil {
			t.Fatalf("the rest: %v", rest)
		}
	})
}

func TestSectionGet(t *testing.T) {
	d := newDelib(t)
	list := d.get("/api/v1/guidelines/"+d.gid+"/sections", d.delegate).want(200).JSON()["items"].([]any)
	got := d.get("/api/v1/sections/"+d.sid, d.delegate).want(200).JSON()
	if diff := cmp.Diff(list[0], any(got)); diff != "" {
		t.Fatalf("GET /sections/{sid} differs from the list (-list +get):\n%s", diff)
	}
	d.get("/api/v1/sections/no-such-section", d.delegate).wantProblem(404, "section.not_found")
	d.do(req{method: "GET", path: "/api/v1/sections/" + d.sid, token: d.integration}).wantProblem(403, "auth.forbidden")
}

// TestAmendmentDiff: GET /comments/{id}?include=diff compares the clause's
// current text with what an amendment proposes, in each proposed language.
func TestAmendmentDiff(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	v1 := d.clause(cid)["text"].(map[string]any)
	proposed := map[string]string{"en": "States shall promptly train consular officials to identify victims.",
		"es": "Los Estados capacitarán sin demora a los funcionarios consulares."}
	amendment := d.comment(cid, d.heads["GT"], map[string]any{"body": "Guatemala proposes “promptly”.", "kind": "amendment",
		"proposed_text": proposed}).want(201).JSON()["id"].(string)
	general := d.comment(cid, d.heads["CR"], map[string]any{"body": "Costa Rica supports Guatemala."}).want(201).JSON()["id"].(string)
	path := "/api/v1/comments/" + amendment

	check := func(version float64, current map[string]any) {
		t.Helper()
		r := d.get(path+"?include=diff", d.heads["BZ"]).want(200)
		if h := r.Header().Get("ETag"); h != "" {
			t.Fatalf("the comment with its diff carries ETag %q", h)
		}
		c := r.JSON()
		if c["diff_version"] != version {
			t.Fatalf("diff_version = %v, want %v", c["diff_version"], version)
		}
		diff := c["diff"].(map[string]any)
		if len(diff) != 2 {
			t.Fatalf("diff = %v", diff)
		}
		for lang, ops := range diff {
			if from := rebuild(ops.([]any), "delete"); from != current[lang] {
				t.Errorf("%s: ops rebuild %q as the current text, want %q", lang, from, current[lang])
			}
			if to := rebuild(ops.([]any), "insert"); to != proposed[lang] {
				t.Errorf("%s: ops rebuild %q as the proposal, want %q", lang, to, proposed[lang])
			}
		}
		plain := d.get(path, d.heads["BZ"]).want(200)
		if _, present := plain.JSON()["diff"]; present || plain.Header().Get("ETag") == "" || plain.Header().Get("ETag") != c["etag"] {
			t.Fatalf("without include: %v, ETag %q", plain.JSON(), plain.Header().Get("ETag"))
		}
	}
	check(1, v1)
	// The text changes: the diff follows the current version.
	v2 := map[string]string{"en": "States shall train consular officials to identify victims.", "es": "Los Estados capacitarán a los funcionarios consulares."}
	d.putText(cid, v2, nil).want(200)
	check(2, map[string]any{"en": v2["en"], "es": v2["es"]})

	g := d.get("/api/v1/comments/"+general+"?include=diff", d.heads["BZ"]).want(200).JSON()
	if d, ok := g["diff"]; !ok || d != nil || g["diff_version"] != nil {
		t.Fatalf("a comment without proposed text: diff %v, diff_version %v", g["diff"], g["diff_version"])
	}
	d.get(path+"?include=diffs", d.heads["BZ"]).wantProblem(422, "request.invalid_parameter")
	d.do(req{method: "GET", path: path + "?include=diff", token: d.integration}).wantProblem(403, "auth.forbidden")
}

// TestClauseDiffAllLanguages: lang=* answers every language at once, each
// as the single-language diff does.
func TestClauseDiffAllLanguages(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	d.putText(cid, map[string]string{"en": "States shall promptly train consular officials.", "es": "Los Estados capacitarán sin demora."}, nil).want(200)
	all := d.get("/api/v1/clauses/"+cid+"/diff?lang=*", d.delegate).want(200).JSON()
	if all["from"] != float64(1) || all["to"] != float64(2) {
		t.Fatalf("all = %v", all)
	}
	if _, single := all["lang"]; single {
		t.Fatalf("lang=* answered the single-language shape: %v", all)
	}
	langs := all["langs"].(map[string]any)
	if len(langs) != 2 {
		t.Fatalf("langs = %v", langs)
	}
	for _, lang := range []string{"en", "es"} {
		one := d.get("/api/v1/clauses/"+cid+"/diff?from=1&to=2&lang="+lang, d.delegate).want(200).JSON()
		if one["lang"] != lang {
			t.Fatalf("lang=%s answered %v", lang, one)
		}
		if diff := cmp.Diff(one["ops"], langs[lang]); diff != "" {
			t.Fatalf("%s (-single +all):\n%s", lang, diff)
		}
	}
	d.get("/api/v1/clauses/"+cid+"/diff?lang=fr", d.delegate).want(422)
}
