package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestCreateIdempotency: the facilitator's creating POSTs honour
// Idempotency-Key like comments do — a retry replays the first answer and
// creates nothing, even when the retries race.
func TestCreateIdempotency(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	newGuideline := map[string]any{"title": titled("Idempotent guidelines", "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}

	first := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: newGuideline, header: key("g-1")}).want(201)
	again := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: newGuideline, header: key("g-1")}).want(201)
	if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
		again.Header().Get("Location") != first.Header().Get("Location") || again.Header().Get("ETag") != first.Header().Get("ETag") {
		t.Fatalf("replay differs:\n%s %v\n%s %v", first.Body, first.Header(), again.Body, again.Header())
	}
	e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, header: key("g-1"),
		body: map[string]any{"title": titled("Another", "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}}).wantProblem(422, "idempotency.key_reused")
	list := e.do(req{method: "GET", path: "/api/v1/guidelines", token: f.Token}).want(200).JSON()["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("%d guidelines after a replay, want 1", len(list))
	}
	gid := first.JSON()["id"].(string)

	sec := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": titled("I.", "en")}, header: key("s-1")}).want(201).JSON()
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": titled("I.", "en")}, header: key("s-1")}).want(201)
	clause := map[string]any{"section_id": sec["id"], "text": map[string]string{"en": "States shall cooperate."}}
	c1 := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: clause, header: key("c-1")}).want(201)
	c2 := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: clause, header: key("c-1")}).want(201)
	if c1.Header().Get("ETag") == "" || c2.Header().Get("ETag") != c1.Header().Get("ETag") || c2.JSON()["id"] != c1.JSON()["id"] {
		t.Fatalf("clause replay: %v / %v", c1.Header(), c2.Header())
	}
	secs := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token}).want(200).JSON()["items"].([]any)
	clauses := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token}).want(200).JSON()["items"].([]any)
	if len(secs) != 1 || len(clauses) != 1 {
		t.Fatalf("%d sections, %d clauses after replays; want 1 and 1", len(secs), len(clauses))
	}

	// Admins' creations too; the account's password is never part of the answer.
	user := map[string]any{"email": "retry@example.org", "name": "Retry", "password": "a long enough password", "role": "observer"}
	u1 := e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token, body: user, header: key("u-1")}).want(201)
	u2 := e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token, body: user, header: key("u-1")}).want(201)
	if u1.Body.String() != u2.Body.String() || u2.Header().Get("Location") == "" {
		t.Fatalf("user replay differs: %s / %s", u1.Body, u2.Body)
	}

	// An integration client: the replay creates nothing and does not show
	// the secret again; the secret of the creation still works.
	client := map[string]any{"name": "National referral system"}
	i1 := e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: client, header: key("i-1")}).want(201).JSON()
	i2 := e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: client, header: key("i-1")}).want(201)
	if i2.Header().Get("Idempotent-Replayed") != "true" || i2.JSON()["id"] != i1["id"] || i2.JSON()["client_id"] != i1["client_id"] ||
		i1["client_secret"] == nil || i2.JSON()["client_secret"] != nil {
		t.Fatalf("integration replay: %v / %s", i1, i2.Body)
	}
	e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: map[string]any{"name": "Another"}, header: key("i-1")}).
		wantProblem(422, "idempotency.key_reused")
	if n := len(e.do(req{method: "GET", path: "/api/v1/integrations", token: admin.Token}).want(200).JSON()["items"].([]any)); n != 1 {
		t.Fatalf("%d integrations after a replay, want 1", n)
	}
	e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{"grant_type": "client_credentials",
		"client_id": i1["client_id"], "client_secret": i1["client_secret"]}}).want(200)

	// Eight racing retries of one draft create draft 1 only.
	var wg sync.WaitGroup
	numbers := make(chan float64, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Session 1"}, header: key("d-1")})
			if r.Code != 201 {
				numbers <- -1
				return
			}
			numbers <- r.JSON()["number"].(float64)
		}()
	}
	wg.Wait()
	close(numbers)
	for n := range numbers {
		if n != 1 {
			t.Fatalf("a retry got draft number %v, want 1", n)
		}
	}
	drafts := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token}).want(200).JSON()["items"].([]any)
	if len(drafts) != 1 {
		t.Fatalf("%d drafts after 8 retries, want 1: %s", len(drafts), fmt.Sprint(drafts))
	}
}
