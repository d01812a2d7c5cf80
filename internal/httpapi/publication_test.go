package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
)

// publishedFixture builds a guideline with two clauses and one draft; when
// agree is set the clauses are marked agreed directly in the database — the
// consensus path to `agreed` is covered by the deliberation tests, and here
// only adoption's own rules are under test.
func publishedFixture(t *testing.T, e *env, f account, agree bool) (gid string, clauses []string) {
	t.Helper()
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
		"title": titled(fmt.Sprintf("Regional guidelines on consular protection %d", e.seq.Add(1))), "languages": []string{"en", "es"}, "participants": []string{"BZ", "CR"}}}).want(201).JSON()
	gid = g["id"].(string)
	sec := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token, body: map[string]any{"title": titled("I. Prevention")}}).want(201).JSON()
	for _, text := range []map[string]string{
		{"en": "States shall train consular staff.", "es": "Los Estados capacitarán al personal consular."},
		{"en": "Victims shall be informed of their rights <promptly>.", "es": "Se informará a las víctimas de sus derechos."},
	} {
		c := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/clauses", token: f.Token, body: map[string]any{"section_id": sec["id"], "text": text}}).want(201).JSON()
		clauses = append(clauses, c["id"].(string))
	}
	if agree {
		e.mustForceAgreed(gid)
	}
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "Final draft"}}).want(201)
	return gid, clauses
}

func (e *env) mustIntegration(admin account) (id, token string) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: map[string]any{"name": "Referral system"}}).want(201).JSON()
	tok := e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{
		"grant_type": "client_credentials", "client_id": r["client_id"], "client_secret": r["client_secret"]}}).want(200).JSON()
	return r["id"].(string), tok["access_token"].(string)
}

func TestAdoption(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	d := e.mustUser(admin, "delegate", "BZ", true)

	t.Run("not_agreed_is_refused_with_blocking_clauses", func(t *testing.T) {
		gid, clauses := publishedFixture(t, e, f, false)
		p := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).wantProblem(409, "draft.not_agreed").JSON()
		blocking := p["data"].(map[string]any)["blocking"].([]any)
		if len(blocking) != len(clauses) {
			t.Fatalf("blocking = %v", blocking)
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: f.Token}).wantProblem(404, "approved.not_found")
	})

	t.Run("adopt_once_then_pull", func(t *testing.T) {
		gid, _ := publishedFixture(t, e, f, true)
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: d.Token}).wantProblem(403, "auth.forbidden")
		a := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).want(201).JSON()
		if a["version"].(float64) != 1 {
			t.Fatalf("adoption = %v", a)
		}
		e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts/1/adopt", token: f.Token}).wantProblem(409, "draft.already_adopted")

		_, itok := e.mustIntegration(admin)
		r := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: itok}).want(200)
		etag := r.Header().Get("ETag")
		var body map[string]any
		r.Decode(&body)
		if body["content_hash"] != a["content_hash"] {
			t.Fatalf("content_hash = %v, adoption said %v", body["content_hash"], a["content_hash"])
		}
		// The hash covers the canonical JSON without content_hash.
		delete(body, "content_hash")
		canon, err := service.Canonical(body)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(canon)
		if "sha256:"+hex.EncodeToString(sum[:]) != a["content_hash"] {
			t.Fatalf("recomputed hash differs from %v", a["content_hash"])
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: itok, header: map[string]string{"If-None-Match": etag}}).want(304)

		// Clients that accept gzip get the same JSON compressed once, as
		// another representation with its own ETag.
		gz := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: itok, header: map[string]string{"Accept-Encoding": "gzip"}}).want(200)
		if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == etag {
			t.Fatalf("gzip answer: Content-Encoding %q, ETag %q (identity %q)", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"), etag)
		}
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, r.Body.Bytes()) {
			t.Fatal("gzip body differs from the identity body")
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved", token: itok,
			header: map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gz.Header().Get("ETag")}}).want(304)
		v1 := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved/1", token: itok}).want(200)
		if !strings.Contains(v1.Header().Get("Cache-Control"), "immutable") {
			t.Fatalf("Cache-Control = %q", v1.Header().Get("Cache-Control"))
		}
		for format, ct := range map[string]string{"markdown": "text/markdown", "html": "text/html", "akn": "application/akn+xml"} {
			r := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved?format=" + format, token: itok}).want(200)
			if !strings.HasPrefix(r.Header().Get("Content-Type"), ct) {
				t.Fatalf("%s Content-Type = %q", format, r.Header().Get("Content-Type"))
			}
			if strings.Contains(r.Body.String(), "[States") {
				t.Fatalf("%s: agreed text must not be bracketed:\n%s", format, r.Body.String())
			}
			if format == "html" && strings.Contains(r.Body.String(), "<promptly>") {
				t.Fatalf("html not escaped")
			}
		}
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/approved/2", token: itok}).wantProblem(404, "approved.not_found")

		// Integrations read approved text and publication events only.
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/drafts/1", token: itok}).wantProblem(403, "auth.forbidden")
		e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/clauses", token: itok}).wantProblem(403, "auth.forbidden")
		e.do(req{method: "POST", path: "/api/v1/guidelines", token: itok, body: map[string]any{"title": titled("x", "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}}).wantProblem(403, "auth.forbidden")
		e.do(req{method: "GET", path: "/api/v1/users", token: itok}).wantProblem(403, "auth.forbidden")
		evs := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/events", token: itok}).want(200).JSON()["items"].([]any)
		if len(evs) != 1 || evs[0].(map[string]any)["type"] != "guideline.adopted" {
			t.Fatalf("integration events = %v", evs)
		}
		all := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/events?limit=200", token: f.Token}).want(200).JSON()["items"].([]any)
		var last float64
		for _, x := range all {
			id := x.(map[string]any)["id"].(float64)
			if id <= last {
				t.Fatalf("event ids not increasing: %v", all)
			}
			last = id
		}
	})

	t.Run("disabled_integration_and_rotated_secret", func(t *testing.T) {
		iid, itok := e.mustIntegration(admin)
		e.do(req{method: "GET", path: "/api/v1/me", token: itok}).want(200)
		e.do(req{method: "PATCH", path: "/api/v1/integrations/" + iid, token: admin.Token, body: map[string]any{"active": false}}).want(200)
		e.do(req{method: "GET", path: "/api/v1/me", token: itok}).wantProblem(401, "auth.invalid_token")
		e.do(req{method: "POST", path: "/api/v1/integrations", token: d.Token, body: map[string]any{"name": "x"}}).wantProblem(403, "auth.forbidden")
		rot := e.do(req{method: "POST", path: "/api/v1/integrations/" + iid + "/secret", token: admin.Token}).want(200).JSON()
		if rot["client_secret"] == "" {
			t.Fatal("no new secret")
		}
	})
}

// TestEventStream follows the live stream through a real HTTP server: a new
// event arrives, Last-Event-ID replays, a ticket opens a stream and its
// reconnects.
func TestEventStream(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, false)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close) // runs last, after the streams below are closed

	open := func(t *testing.T, url string, header map[string]string) (*http.Response, *bufio.Reader) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		rq, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+url, nil)
		for k, v := range header {
			rq.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res, bufio.NewReader(res.Body)
	}
	nextEvent := func(t *testing.T, r *bufio.Reader) (id, typ string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				typ = strings.TrimPrefix(line, "event: ")
			case line == "" && typ == "connected": // the first frame: not an event of the log
				id, typ = "", ""
			case line == "" && id != "":
				return id, typ
			}
		}
	}

	res, r := open(t, "/api/v1/guidelines/"+gid+"/events/stream", map[string]string{"Authorization": "Bearer " + f.Token})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "live"}}).want(201)
	id, typ := nextEvent(t, r)
	if typ != "draft.created" {
		t.Fatalf("first live event = %s", typ)
	}

	// Replay from the start with Last-Event-ID: 0.
	_, r2 := open(t, "/api/v1/guidelines/"+gid+"/events/stream", map[string]string{"Authorization": "Bearer " + f.Token, "Last-Event-ID": "0"})
	first, _ := nextEvent(t, r2)
	if first >= id && len(first) >= len(id) {
		t.Fatalf("replay started at %s, live event was %s", first, id)
	}

	// A ticket opens a stream, and again when the browser reconnects.
	tk := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: f.Token}).want(201).JSON()["ticket"].(string)
	res3, _ := open(t, "/api/v1/guidelines/"+gid+"/events/stream?ticket="+tk, nil)
	if res3.StatusCode != 200 {
		t.Fatalf("ticket stream: %d", res3.StatusCode)
	}
	res4, _ := open(t, "/api/v1/guidelines/"+gid+"/events/stream?ticket="+tk, map[string]string{"Last-Event-ID": id})
	if res4.StatusCode != 200 {
		t.Fatalf("reconnect with the ticket: %d, want 200", res4.StatusCode)
	}
	res5, _ := open(t, "/api/v1/guidelines/"+gid+"/events/stream", nil)
	if res5.StatusCode != 401 {
		t.Fatalf("no credentials: %d, want 401", res5.StatusCode)
	}
	var p map[string]any
	_ = json.NewDecoder(res5.Body).Decode(&p)
	if p["code"] != "auth.token_missing" {
		t.Fatalf("problem = %v", p)
	}
}

// TestEventStreamLifecycle: heartbeats keep an idle stream alive past the
// server's write time-out, the per-account stream limit answers 429, and
// shutdown ends open streams. The test sends each heartbeat itself, so
// nothing depends on how fast the machine is.
func TestEventStreamLifecycle(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, false)
	hub := events.NewHub(2)
	beat := make(chan time.Time)
	srv, err := httpapi.New(httpapi.Config{Service: e.svc, Spec: api.OpenAPI, Hub: hub,
		Heartbeats: func() <-chan time.Time { return beat }})
	if err != nil {
		t.Fatal(err)
	}
	// A write time-out far shorter than the test: the stream must outlive it.
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.WriteTimeout = 100 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	openAs := func(token string) *http.Response {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		rq, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/guidelines/"+gid+"/events/stream", nil)
		rq.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	open := func() *http.Response { return openAs(f.Token) }

	// A disabled account's open stream ends at the next wake-up.
	d := e.mustUser(admin, "delegate", "BZ", false)
	dr := bufio.NewReader(openAs(d.Token).Body)
	if line, err := dr.ReadString('\n'); err != nil || line != "retry: 3000\n" {
		t.Fatalf("stream opened with %q, %v", line, err)
	}
	e.do(req{method: "PATCH", path: "/api/v1/users/" + d.ID, token: admin.Token, body: map[string]any{"active": false}}).want(200)
	sendBeat(t, beat) // the only open stream takes it
	for {
		line, err := dr.ReadString('\n')
		if err != nil {
			t.Fatalf("the disabled account's stream ended without saying why: %v", err)
		}
		if line == "event: reauthenticate\n" {
			break
		}
	}

	first := open()
	r := bufio.NewReader(first.Body)
	heartbeat := func(n int) {
		t.Helper()
		sendBeat(t, beat)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended at heartbeat %d, before outliving the write time-out: %v", n, err)
			}
			if line == ": heartbeat\n" {
				return
			}
		}
	}
	heartbeat(1)
	// Wait out the server's write time-out (measured from the request's
	// start), then the stream must still carry a heartbeat: it clears the
	// server's deadline and keeps its own per-write watchdog.
	<-time.After(2 * ts.Config.WriteTimeout)
	heartbeat(2)
	heartbeat(3)
	open()
	if res := open(); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream of one account: %d, want 429 with Retry-After", res.StatusCode)
	}
	hub.Close()
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("stream did not end cleanly: %v", err)
	}
	if !strings.Contains(string(rest), "event: shutdown") {
		t.Fatalf("no shutdown event before the end: %q", rest)
	}
}

// sendBeat hands one heartbeat tick to a stream waiting for it.
func sendBeat(t *testing.T, beat chan<- time.Time) {
	t.Helper()
	select {
	case beat <- time.Time{}:
	case <-time.After(10 * time.Second):
		t.Fatal("no open stream took the heartbeat")
	}
}
