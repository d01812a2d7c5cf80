package httpapi_test

import (
	"sync"
	"testing"
)

func TestDraftingSmoke(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
		"title": "Directrices regionales", "languages": []string{"en", "es"}, "participants": []string{"BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA"}}}).want(201).JSON()
	gid := g["id"].(string)
	sec := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": "I. Prevention"}}).want(201).JSON()
	cl := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{
		"section_id": sec["id"], "text": map[string]string{"en": "States shall inform victims.", "es": "Los Estados informarán a las víctimas."}}}).want(201)
	etag := cl.Header().Get("ETag")
	cid := cl.JSON()["id"].(string)
	if cl.JSON()["number"] != "1.1" {
		t.Fatalf("number = %v", cl.JSON()["number"])
	}
	e.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", token: f.Token, body: map[string]any{"text": map[string]string{"en": "x"}}}).wantProblem(428, "request.if_match_required")
	var wg sync.WaitGroup
	codes := make(chan int, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.do(req{method: "PUT", path: "/api/v1/clauses/" + cid + "/text", token: f.Token, header: map[string]string{"If-Match": etag},
				body: map[string]any{"text": map[string]string{"en": "States shall promptly inform victims.", "es": "v" + string(rune('a'+i))}}})
			codes <- r.Code
		}(i)
	}
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[200] != 1 || n[412] != 9 {
		t.Fatalf("codes = %v", n)
	}
	d := e.do(req{method: "GET", path: "/api/v1/clauses/" + cid + "/diff?from=1&to=2&lang=en", token: f.Token}).want(200).JSON()
	t.Log(d["ops"])
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Draft after Session 1"}}).want(201)
	for _, format := range []string{"json", "markdown", "html", "akn"} {
		r := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1?format=" + format, token: f.Token}).want(200)
		if format == "markdown" {
			t.Log(r.Body.String())
		}
	}
}
