package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// hygiene is a deliberation with one of everything a route can name: a
// clause with a comment, a draft, a webhook.
type hygiene struct {
	*delib
	cid, comment, webhook string
}

func newHygiene(t *testing.T) *hygiene {
	t.Helper()
	d := newDelib(t)
	h := &hygiene{delib: d}
	h.cid = d.mustOpenClause()
	h.comment = d.post("/api/v1/clauses/"+h.cid+"/comments", d.delegate, map[string]any{"body": "Add consular officials."}).want(201).JSON()["id"].(string)
	d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": "Draft after Session 1"}).want(201)
	h.webhook = d.mustWebhook(d.admin, "https://referrals.example.org/consenso", "*")["id"].(string)
	return h
}

// snapshot counts the rows of every table: every change the API makes
// adds an event, a token, a ticket or an idempotency key, so equal
// snapshots mean a refused request changed nothing.
func (h *hygiene) snapshot() string {
	h.t.Helper()
	var b strings.Builder
	for _, table := range []string{"countries", "users", "refresh_tokens", "integrations", "guidelines", "guideline_participants",
		"sections", "clauses", "clause_versions", "drafts", "draft_clauses", "events", "comments", "positions",
		"idempotency_keys", "approved_versions", "webhooks", "webhook_deliveries", "stream_tickets"} {
		var n int64
		if err := h.store.DB().Raw("SELECT count(*) FROM " + table).Scan(&n).Error; err != nil {
			h.t.Fatalf("count %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

// Values the text rule refuses in any field, and one that is blank once
// invisible characters are removed (zero-width space, zero-width joiner,
// no-break space, BOM, Hangul filler).
const (
	textNUL   = "abc\x00def"
	textRLO   = "agree\u202edisagree"
	textC1    = "csi\u009b31m"
	textBlank = "\u200b\u200d\u00a0\ufeff\u3164"
)

// TestFreeTextHygiene sends refused text in every free-text field of every
// route that takes one (and in the credentials of sign-in): a NUL, a C1
// control or a bidi override is 422 text.invalid_character naming the
// field, a required text that shows nothing is 422 naming the field, and
// neither changes anything. On PostgreSQL the NUL used to be a 500.
func TestFreeTextHygiene(t *testing.T) {
	h := newHygiene(t)
	d := h.delib
	agreed := d.mustAgreedClause()
	clauseETag := func() string { return d.get("/api/v1/clauses/"+h.cid, d.fac).want(200).Header().Get("ETag") }

	none := func() string { return "" }
	routes := []textRoute{
		{"login_email", "POST", "/api/v1/auth/login", none, func(v string) map[string]any {
			return map[string]any{"email": v, "password": "a long enough password"}
		}, "email", false, nil},
		{"login_password", "POST", "/api/v1/auth/login", none, func(v string) map[string]any {
			return map[string]any{"email": d.delegate.Email, "password": v}
		}, "password", false, nil},
		{"client_id", "POST", "/api/v1/auth/token", none, func(v string) map[string]any {
			return map[string]any{"grant_type": "client_credentials", "client_id": v, "client_secret": "secret"}
		}, "client_id", false, nil},
		{"refresh_token", "POST", "/api/v1/auth/refresh", none, func(v string) map[string]any {
			return map[string]any{"refresh_token": v}
		}, "refresh_token", false, nil},
		{"country_name", "POST", "/api/v1/countries", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"code": "CA", "name": v, "language": "en"}
		}, "name", true, nil},
		{"user_name", "POST", "/api/v1/users", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"email": "new@example.org", "name": v, "password": "a long enough password", "role": "observer"}
		}, "name", true, nil},
		{"user_email", "POST", "/api/v1/users", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"email": v, "name": "New", "password": "a long enough password", "role": "observer"}
		}, "email", false, nil},
		{"user_password", "POST", "/api/v1/users", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"email": "new@example.org", "name": "New", "password": v + " long enough", "role": "observer"}
		}, "password", false, nil},
		{"user_patch_name", "PATCH", "/api/v1/users/" + d.delegate.ID, tok(d.admin), func(v string) map[string]any {
			return map[string]any{"name": v}
		}, "name", true, nil},
		{"guideline_title", "POST", "/api/v1/guidelines", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"title": titled(v, "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}
		}, "title", true, nil},
		{"guideline_patch_title", "PATCH", "/api/v1/guidelines/" + d.gid, tok(d.fac), func(v string) map[string]any {
			return map[string]any{"title": titled(v)}
		}, "title", true, nil},
		{"section_title", "POST", "/api/v1/guidelines/" + d.gid + "/sections", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"title": titled(v)}
		}, "title", true, nil},
		{"section_patch_title", "PATCH", "/api/v1/sections/" + d.sid, tok(d.fac), func(v string) map[string]any {
			return map[string]any{"title": titled(v)}
		}, "title", true, nil},
		{"clause_text_en", "POST", "/api/v1/guidelines/" + d.gid + "/clauses", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"section_id": d.sid, "text": map[string]string{"en": v}}
		}, "text", true, nil},
		{"clause_text_es", "POST", "/api/v1/guidelines/" + d.gid + "/clauses", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"section_id": d.sid, "text": map[string]string{"en": "Fine.", "es": v}}
		}, "text.es", false, nil},
		{"clause_note", "POST", "/api/v1/guidelines/" + d.gid + "/clauses", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"section_id": d.sid, "text": map[string]string{"en": "Fine."}, "note": v}
		}, "note", false, nil},
		{"clause_section_id", "POST", "/api/v1/guidelines/" + d.gid + "/clauses", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"section_id": v, "text": map[string]string{"en": "Fine."}}
		}, "section_id", true, nil},
		{"new_version_text", "PUT", "/api/v1/clauses/" + h.cid + "/text", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"text": map[string]string{"en": v}}
		}, "text", true, func() map[string]string { return map[string]string{"If-Match": clauseETag()} }},
		{"new_version_note", "PUT", "/api/v1/clauses/" + h.cid + "/text", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"text": map[string]string{"en": "New wording."}, "note": v}
		}, "note", false, func() map[string]string { return map[string]string{"If-Match": clauseETag()} }},
		{"new_version_incorporates", "PUT", "/api/v1/clauses/" + h.cid + "/text", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"text": map[string]string{"en": "New wording."}, "incorporates": []string{v}}
		}, "incorporates[0]", false, func() map[string]string { return map[string]string{"If-Match": clauseETag()} }},
		{"comment_body", "POST", "/api/v1/clauses/" + h.cid + "/comments", tok(d.delegate), func(v string) map[string]any {
			return map[string]any{"body": v}
		}, "body", true, nil},
		{"comment_quote", "POST", "/api/v1/clauses/" + h.cid + "/comments", tok(d.delegate), func(v string) map[string]any {
			return map[string]any{"body": "On this part:", "quote": v}
		}, "quote", false, nil},
		{"comment_proposed_text", "POST", "/api/v1/clauses/" + h.cid + "/comments", tok(d.delegate), func(v string) map[string]any {
			return map[string]any{"body": "Better:", "kind": "amendment", "proposed_text": map[string]string{"en": v}}
		}, "proposed_text", true, nil},
		{"comment_parent_id", "POST", "/api/v1/clauses/" + h.cid + "/comments", tok(d.delegate), func(v string) map[string]any {
			return map[string]any{"body": "Reply", "parent_id": v}
		}, "parent_id", false, nil},
		{"comment_edit", "PATCH", "/api/v1/comments/" + h.comment, tok(d.delegate), func(v string) map[string]any {
			return map[string]any{"body": v}
		}, "body", true, nil},
		{"resolution_note", "POST", "/api/v1/comments/" + h.comment + "/resolve", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"status": "addressed", "note": v}
		}, "note", true, nil},
		{"reservation", "PUT", "/api/v1/clauses/" + h.cid + "/positions/BZ", tok(d.heads["BZ"]), func(v string) map[string]any {
			return map[string]any{"stance": "agree_with_reservation", "clause_version": 1, "reservation": v}
		}, "reservation", true, nil},
		{"objection_reason", "PUT", "/api/v1/clauses/" + h.cid + "/positions/BZ", tok(d.heads["BZ"]), func(v string) map[string]any {
			return map[string]any{"stance": "object", "clause_version": 1, "reason": v}
		}, "reason", true, nil},
		{"reopen_reason", "POST", "/api/v1/clauses/" + agreed + "/reopen", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"reason": v}
		}, "reason", true, nil},
		{"draft_label", "POST", "/api/v1/guidelines/" + d.gid + "/drafts", tok(d.fac), func(v string) map[string]any {
			return map[string]any{"label": v}
		}, "label", false, nil},
		{"integration_name", "POST", "/api/v1/integrations", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"name": v}
		}, "name", true, nil},
		{"integration_patch_name", "PATCH", "/api/v1/integrations/" + d.integID, tok(d.admin), func(v string) map[string]any {
			return map[string]any{"name": v}
		}, "name", true, nil},
		{"webhook_secret", "POST", "/api/v1/webhooks", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"url": "https://other.example.org/hook", "events": []string{"*"}, "secret": v + " and long enough"}
		}, "secret", false, nil},
		{"webhook_url", "POST", "/api/v1/webhooks", tok(d.admin), func(v string) map[string]any {
			return map[string]any{"url": "https://other.example.org/" + v, "events": []string{"*"}, "secret": hookSecret}
		}, "url", false, nil},
	}
	h.refuseBadText(t, routes, h.snapshot)
}

// textRoute is one free-text field of one request: body builds the
// request with v in field.
type textRoute struct {
	name, method, path string
	as                 func() string // token
	body               func(v string) map[string]any
	field              string
	required           bool // blank is refused too
	header             func() map[string]string
}

// tok is the token of an account, as a textRoute takes it.
func tok(a account) func() string { return func() string { return a.Token } }

// refuseBadText sends every route each bad text (and a blank one where the
// text is required) and wants the problem naming the field, with snapshot
// the same before and after.
func (h *hygiene) refuseBadText(t *testing.T, routes []textRoute, snapshot func() string) {
	t.Helper()
	d := h.delib
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			bad := map[string]string{"nul": textNUL, "rlo": textRLO, "c1": textC1}
			if r.required {
				bad["blank"] = textBlank
			}
			for kind, v := range bad {
				before := snapshot()
				var header map[string]string
				if r.header != nil {
					header = r.header()
				}
				res := d.do(req{method: r.method, path: r.path, token: r.as(), body: r.body(v), header: header})
				code := "text.invalid_character"
				if kind == "blank" {
					code = ""
				}
				status := 422
				if r.path == "/api/v1/auth/token" {
					status = 400 // RFC 6749 §5.2: the token endpoint answers invalid_request with 400
				}
				res.wantProblem(status, code)
				if !namesField(res, r.field) {
					t.Fatalf("%s: the problem does not name %s: %s", kind, r.field, res.Body.String())
				}
				if after := snapshot(); after != before {
					t.Fatalf("%s: a refused request changed something:\nbefore %s\nafter  %s", kind, before, after)
				}
			}
		})
	}
}

// namesField reports whether a 422 problem names field, or one of its
// parts ("text" for "text.en").
func namesField(r *resp, field string) bool {
	errs, _ := r.JSON()["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		if f, _ := m["field"].(string); f == field || strings.HasPrefix(f, field+".") {
			return true
		}
	}
	return false
}

// TestFreeTextIsNormalised shows what an accepted text becomes: NFC, LF
// line ends, no surrounding space; an optional text that shows nothing is
// no text; a quote matches the clause however either was composed.
func TestFreeTextIsNormalised(t *testing.T) {
	d := newDelib(t)
	cid := d.do(req{method: "POST", path: "/api/v1/guidelines/" + d.gid + "/clauses", token: d.fac.Token, body: map[string]any{
		"section_id": d.sid, "text": map[string]string{"en": "  The consular officer\r\nshall inform the cafe\u0301 owner.\t"}}}).want(201).JSON()
	if got := cid["text"].(map[string]any)["en"]; got != "The consular officer\nshall inform the café owner." {
		t.Fatalf("clause text = %q", got)
	}
	path := "/api/v1/clauses/" + cid["id"].(string) + "/comments"
	c := d.post(path, d.delegate, map[string]any{"body": "Cafe\u0301?\r\nWhy.", "quote": "officer\r\nshall inform the café"}).want(201).JSON()
	if c["body"] != "Café?\nWhy." || c["quote"] != "officer\nshall inform the café" {
		t.Fatalf("comment = %q, quote %q", c["body"], c["quote"])
	}
	d.post(path, d.delegate, map[string]any{"body": "Not there", "quote": "the café owner\u200b"}).wantProblem(422, "comment.invalid")
	dr := d.post("/api/v1/guidelines/"+d.gid+"/drafts", d.fac, map[string]any{"label": textBlank}).want(201).JSON()
	if dr["label"] != "Draft 1" {
		t.Fatalf("a blank label became %q, want the default", dr["label"])
	}
}

// malformedIDs are path values no id can have.
var malformedIDs = []string{
	"abc%00def",
	url.PathEscape("'; DROP TABLE clauses; --"),
	strings.Repeat("a", 4000),
	"%ff%fe",
	"%E2%80%AEabc",
	"6f1c1b1e-8d3a-4c8e-9a55-0b6d2f6f1a2b%00",
	"6f1c1b1e-8d3a-4c8e-9a55-0b6d2f6f1a2",
}

// TestMalformedPathParameters sends malformed values in every path
// parameter of every route (the others well-formed and real): an id or a
// country code is 404, a number 422, never a 500, and nothing changes.
func TestMalformedPathParameters(t *testing.T) {
	h := newHygiene(t)
	d := h.delib
	valid := map[string]string{"gid": d.gid, "cid": h.cid, "sid": d.sid, "id": h.comment, "uid": d.delegate.ID,
		"iid": d.integID, "wid": h.webhook, "country": "BZ", "n": "1", "version": "1", "label": "A"}
	badNumbers := []string{"abc%00", "99999999999", "-1", "1%E2%80%AE"}
	badCountries := []string{"B%00", "BZE", "%E2%80%AEB", "B%ff"}
	tested := 0
	for _, rt := range d.srv.Routes() {
		if !strings.Contains(rt.Path, ":") {
			continue
		}
		segs := strings.Split(rt.Path, "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, ":") {
				continue
			}
			name := seg[1:]
			want, bads := 404, malformedIDs
			switch name {
			case "n", "version":
				want, bads = 422, badNumbers
			case "country":
				bads = badCountries
			}
			before := h.snapshot()
			for _, bad := range bads {
				parts := make([]string, len(segs))
				for j, s := range segs {
					switch {
					case j == i:
						parts[j] = bad
					case strings.HasPrefix(s, ":"):
						v, ok := valid[s[1:]]
						if !ok {
							t.Fatalf("%s: no valid value for :%s; add one to this test", rt.Path, s[1:])
						}
						parts[j] = v
					default:
						parts[j] = s
					}
				}
				res := d.do(req{method: rt.Method, path: strings.Join(parts, "/"), token: d.admin.Token, body: map[string]any{}})
				if res.Code != want {
					t.Fatalf("%s %s (:%s = %.40q) = %d, want %d: %s", rt.Method, rt.Path, name, bad, res.Code, want, res.Body.String())
				}
				res.wantProblem(want, "")
				tested++
			}
			if after := h.snapshot(); after != before {
				t.Fatalf("%s %s with a malformed :%s changed something:\nbefore %s\nafter  %s", rt.Method, rt.Path, name, before, after)
			}
		}
	}
	if tested < 100 {
		t.Fatalf("only %d requests: are the routes registered?", tested)
	}
}

func cursorOf(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }

// TestMalformedQueryValues sends malformed query values to every route
// that reads one, including cursors this API could not have made: 422
// naming the parameter, never a 500.
func TestMalformedQueryValues(t *testing.T) {
	h := newHygiene(t)
	d := h.delib
	g, c := "/api/v1/guidelines/"+d.gid, "/api/v1/clauses/"+h.cid
	nulCursor := cursorOf(`{"t":"2026-01-01T00:00:00Z","i":"\u0000"}`)
	notAnID := cursorOf(`{"t":"2026-01-01T00:00:00Z","i":"'; DROP TABLE guidelines; --"}`)
	cases := []struct{ path, field, code string }{
		{"/api/v1/guidelines?cursor=abc%00", "cursor", "page.invalid_cursor"},
		{"/api/v1/guidelines?cursor=" + nulCursor, "cursor", "page.invalid_cursor"},
		{"/api/v1/guidelines?cursor=" + notAnID, "cursor", "page.invalid_cursor"},
		{"/api/v1/guidelines?cursor=" + strings.Repeat("A", 3000), "cursor", "page.invalid_cursor"},
		{"/api/v1/guidelines?limit=%00", "limit", "page.invalid_limit"},
		{"/api/v1/users?cursor=" + cursorOf(`"a\u0000"`), "cursor", "page.invalid_cursor"},
		{"/api/v1/users?cursor=" + cursorOf(`"\u202e"`), "cursor", "page.invalid_cursor"},
		{c + "/versions?cursor=" + cursorOf(`99999999999`), "cursor", "page.invalid_cursor"},
		{g + "/drafts?cursor=" + cursorOf(`-3`), "cursor", "page.invalid_cursor"},
		{c + "/positions/history?cursor=" + nulCursor, "cursor", "page.invalid_cursor"},
		{c + "/comments?cursor=" + nulCursor, "cursor", "page.invalid_cursor"},
		{"/api/v1/webhooks?cursor=" + cursorOf(`{"t":"2026-01-01T00:00:00Z","id":"\u0000"}`), "cursor", "page.invalid_cursor"},
		{c + "/comments?country=B%00", "country", "request.invalid_parameter"},
		{c + "/comments?status=open%00", "status", "request.invalid_parameter"},
		{c + "/comments?kind=%E2%80%AE", "kind", "request.invalid_parameter"},
		{c + "/comments?version=1%00", "version", "request.invalid_parameter"},
		{g + "/comments?country=%ff", "country", "request.invalid_parameter"},
		{g + "/clauses?section_id=abc%00def", "section_id", "request.invalid_parameter"},
		{g + "/clauses?status=%00", "status", "request.invalid_parameter"},
		{g + "/events?after=%00", "after", "request.invalid_parameter"},
		{g + "/events?after=99999999999999999999", "after", "request.invalid_parameter"},
		{c + "/diff?from=%00&to=1", "from", "request.invalid_parameter"},
		{c + "/diff?from=1&to=1&lang=e%00", "lang", "request.invalid_parameter"},
		{g + "/drafts/1?format=%00", "format", "request.invalid_parameter"},
		{g + "/drafts/1?format=akn&lang=%E2%80%AE", "lang", "request.invalid_parameter"},
		{g + "/drafts/1/diff?against=%00", "against", "request.invalid_parameter"},
		{g + "/approved?format=%00", "format", "request.invalid_parameter"},
		{"/api/v1/webhooks?include_inactive=%00", "include_inactive", "request.invalid_parameter"},
		{"/api/v1/webhooks/" + h.webhook + "/deliveries?status=%00", "status", "request.invalid_parameter"},
	}
	for _, tc := range cases {
		before := h.snapshot()
		res := d.do(req{method: "GET", path: tc.path, token: d.admin.Token}).wantProblem(422, tc.code)
		if !namesField(res, tc.field) {
			t.Fatalf("GET %.80s: the problem does not name %s: %s", tc.path, tc.field, res.Body.String())
		}
		if after := h.snapshot(); after != before {
			t.Fatalf("GET %.80s changed something", tc.path)
		}
	}
}

// TestStrictJSONKeys: a key in the wrong case is an unknown field (422),
// a key given twice is refused (400), at the top and nested, and neither
// changes anything.
func TestStrictJSONKeys(t *testing.T) {
	h := newHygiene(t)
	d := h.delib
	cases := []struct {
		name, method, path string
		token              string
		raw                string
		status             int
		code               string
	}{
		{"login_wrong_case", "POST", "/api/v1/auth/login", "", `{"Email":"` + d.delegate.Email + `","password":"a long enough password"}`, 422, "request.unknown_field"},
		{"login_duplicate", "POST", "/api/v1/auth/login", "", `{"email":"x@example.org","email":"` + d.delegate.Email + `","password":"a long enough password"}`, 400, "request.duplicate_key"},
		{"comment_wrong_case", "POST", "/api/v1/clauses/" + h.cid + "/comments", d.delegate.Token, `{"Body":"Shouting"}`, 422, "request.unknown_field"},
		{"comment_both_cases", "POST", "/api/v1/clauses/" + h.cid + "/comments", d.delegate.Token, `{"body":"a","BODY":"b"}`, 422, "request.unknown_field"},
		{"comment_duplicate", "POST", "/api/v1/clauses/" + h.cid + "/comments", d.delegate.Token, `{"body":"a","body":"b"}`, 400, "request.duplicate_key"},
		{"position_duplicate_stance", "PUT", "/api/v1/clauses/" + h.cid + "/positions/BZ", d.heads["BZ"].Token,
			`{"stance":"object","clause_version":1,"reason":"no","stance":"agree"}`, 400, "request.duplicate_key"},
		{"clause_duplicate_language", "POST", "/api/v1/guidelines/" + d.gid + "/clauses", d.fac.Token,
			`{"section_id":"` + d.sid + `","text":{"en":"One","en":"Two"}}`, 400, "request.duplicate_key"},
		{"guideline_wrong_case", "POST", "/api/v1/guidelines", d.fac.Token,
			`{"title":{"en":"T"},"Languages":["en"],"participants":["BZ"]}`, 422, "request.unknown_field"},
		{"user_patch_wrong_case", "PATCH", "/api/v1/users/" + d.delegate.ID, d.admin.Token, `{"Active":false}`, 422, "request.unknown_field"},
		{"withdraw_empty_object_wrong_key", "POST", "/api/v1/comments/" + h.comment + "/withdraw", d.delegate.Token, `{"Reason":"x"}`, 422, "request.unknown_field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.snapshot()
			d.do(req{method: tc.method, path: tc.path, token: tc.token, raw: []byte(tc.raw)}).wantProblem(tc.status, tc.code)
			if after := h.snapshot(); after != before {
				t.Fatalf("changed something:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
