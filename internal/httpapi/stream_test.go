package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
)

// streamServer is a real HTTP server on the env's service whose streams
// take their heartbeats from beat, as the test sends them.
func (e *env) streamServer(t *testing.T) (url string, beat chan time.Time) {
	t.Helper()
	beat = make(chan time.Time)
	srv, err := httpapi.New(httpapi.Config{Service: e.svc, Spec: api.OpenAPI, Hub: events.NewHub(5),
		Heartbeats: func() <-chan time.Time { return beat }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL, beat
}

// sseFrame is one frame of a stream: its fields, comments left out.
type sseFrame map[string]string

// openStream opens a stream as EventSource does: GET, with Last-Event-ID
// when lastID is not empty. The stream ends with the test (or cancel).
func openStream(t *testing.T, url, lastID string) (*http.Response, *bufio.Reader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	rq, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	rq.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		rq.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res, bufio.NewReader(res.Body), cancel
}

// nextFrame reads the next frame that has fields (heartbeats are comments).
func nextFrame(t *testing.T, r *bufio.Reader) sseFrame {
	t.Helper()
	f, err := readFrame(r)
	if err != nil {
		t.Fatalf("stream ended: %v", err)
	}
	return f
}

// readFrame is nextFrame for any goroutine: the stream's end is an error.
func readFrame(r *bufio.Reader) (sseFrame, error) {
	f := sseFrame{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && len(f) > 0:
			return f, nil
		case line == "" || strings.HasPrefix(line, ":"):
		default:
			name, value, _ := strings.Cut(line, ":")
			f[name] = strings.TrimPrefix(value, " ")
		}
	}
}

// checkEventFrame fails unless an event frame's data is an Event of the
// contract whose id and type are the frame's.
func checkEventFrame(t *testing.T, f sseFrame) {
	t.Helper()
	doc, _ := contract(t)
	var v any
	if err := json.Unmarshal([]byte(f["data"]), &v); err != nil {
		t.Fatalf("frame data is not JSON: %v: %q", err, f["data"])
	}
	if err := doc.Components.Schemas["Event"].Value.VisitJSON(v); err != nil {
		t.Fatalf("frame data does not match Event: %v\n%s", err, f["data"])
	}
	ev := v.(map[string]any)
	if strconv.FormatFloat(ev["id"].(float64), 'f', -1, 64) != f["id"] || ev["type"] != f["event"] {
		t.Fatalf("frame id %s event %s carries event %v %v", f["id"], f["event"], ev["id"], ev["type"])
	}
}

// latestEventID is the id of a guideline's newest event.
func (e *env) latestEventID(t *testing.T, token, gid string) string {
	t.Helper()
	items := e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid + "/events?limit=200", token: token}).want(200).JSON()["items"].([]any)
	return strconv.FormatFloat(items[len(items)-1].(map[string]any)["id"].(float64), 'f', -1, 64)
}

// TestStreamReconnects: a browser's EventSource keeps a stream across
// reconnects with nothing but the URL it was given. The first frame says
// which event the stream starts after, so a reconnect made before any
// event arrived still replays what happened in between; the ticket opens
// the reconnect; it is bound to its guideline and expires unused.
func TestStreamReconnects(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, false)
	other, _ := publishedFixture(t, e, f, false)
	base, beat := e.streamServer(t)
	ticket := func(gid string) string {
		return e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: f.Token}).want(201).JSON()["ticket"].(string)
	}
	stream := base + "/api/v1/guidelines/" + gid + "/events/stream?ticket="
	tk := ticket(gid)
	latest := e.latestEventID(t, f.Token, gid)

	res, r, cancel := openStream(t, stream+tk, "")
	if res.StatusCode != 200 {
		t.Fatalf("stream: %d", res.StatusCode)
	}
	first := nextFrame(t, r)
	if first["retry"] != "3000" || first["id"] != latest || first["event"] != "connected" || first["data"] != `{"last_event_id":`+latest+`}` {
		t.Fatalf("first frame = %v, want retry, id %s, event connected", first, latest)
	}
	// The connection drops before any event; meanwhile a draft is taken.
	cancel()
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "in the gap"}}).want(201)
	// EventSource reconnects to the same URL with the first frame's id.
	res, r, _ = openStream(t, stream+tk, first["id"])
	if res.StatusCode != 200 {
		t.Fatalf("reconnect: %d", res.StatusCode)
	}
	if again := nextFrame(t, r); again["id"] != latest || again["event"] != "connected" {
		t.Fatalf("reconnect's first frame = %v", again)
	}
	gap := nextFrame(t, r)
	checkEventFrame(t, gap)
	if gap["event"] != "draft.created" || !strings.Contains(gap["data"], "in the gap") {
		t.Fatalf("the event of the gap was not replayed: %v", gap)
	}

	// An id beyond the log (a database restored from a backup): the stream
	// starts after the newest event, says so, and delivers what comes next.
	res, r, _ = openStream(t, stream+tk+"&last_event_id=9223372036854775807", "")
	newest := e.latestEventID(t, f.Token, gid)
	if res.StatusCode != 200 {
		t.Fatalf("stream after an id beyond the log: %d", res.StatusCode)
	}
	if first := nextFrame(t, r); first["id"] != newest || first["data"] != `{"last_event_id":`+newest+`}` {
		t.Fatalf("first frame after an id beyond the log = %v, want %s", first, newest)
	}
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/drafts", token: f.Token, body: map[string]any{"label": "after the restore"}}).want(201)
	// Heartbeats wake the streams to read the log (this test's streams have
	// no hub publishing to them); the earlier stream may take some.
	got := make(chan sseFrame, 1)
	go func() {
		f, err := readFrame(r)
		if err != nil {
			f = sseFrame{"error": err.Error()}
		}
		got <- f
	}()
	for next := sseFrame(nil); next == nil; {
		select {
		case beat <- e.clock.Now():
		case next = <-got:
			if next["event"] != "draft.created" || !strings.Contains(next["data"], "after the restore") {
				t.Fatalf("the next event was not delivered: %v", next)
			}
		}
	}
	if res, _, _ := openStream(t, stream+tk+"&last_event_id=9223372036854775808", ""); res.StatusCode != 422 {
		t.Fatalf("an id beyond int64: %d, want 422", res.StatusCode)
	}

	// A ticket opens its own guideline's stream only.
	res, _, _ = openStream(t, base+"/api/v1/guidelines/"+other+"/events/stream?ticket="+tk, "")
	var p map[string]any
	_ = json.NewDecoder(res.Body).Decode(&p)
	if res.StatusCode != 401 || p["code"] != "auth.invalid_ticket" || res.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("ticket of another guideline: %d %v", res.StatusCode, p)
	}
	// An unused ticket expires.
	idle := ticket(gid)
	e.clock.Advance(service.StreamTicketTTL)
	if res, _, _ := openStream(t, stream+idle, ""); res.StatusCode != 401 {
		t.Fatalf("expired ticket: %d, want 401", res.StatusCode)
	}
}

// TestStreamKeepsItsTicket: an open stream renews its ticket, so the
// browser's reconnect works however long the stream was open; a ticket
// nobody uses dies StreamTicketTTL after its last use.
func TestStreamKeepsItsTicket(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	f := e.mustUser(admin, "facilitator", "", false)
	gid, _ := publishedFixture(t, e, f, false)
	base, beat := e.streamServer(t)
	stream := base + "/api/v1/guidelines/" + gid + "/events/stream?ticket="
	kept := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: f.Token}).want(201).JSON()["ticket"].(string)
	dropped := e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/events/stream-ticket", token: f.Token}).want(201).JSON()["ticket"].(string)
	// This page was closed: its stream (on another replica) ended.
	elsewhere, _ := e.streamServer(t)
	res, _, cancel := openStream(t, elsewhere+"/api/v1/guidelines/"+gid+"/events/stream?ticket="+dropped, "")
	if res.StatusCode != 200 {
		t.Fatalf("stream: %d", res.StatusCode)
	}
	cancel()

	res, r, _ := openStream(t, stream+kept, "")
	if res.StatusCode != 200 {
		t.Fatalf("stream: %d", res.StatusCode)
	}
	nextFrame(t, r)
	// Hours pass with the stream open; at every wake-up after a third of
	// the ticket's life the stream renews it. The second beat is taken
	// only once the first wake-up, renewal included, is done.
	for i := 0; i < 12; i++ {
		e.clock.Advance(service.StreamTicketRenew + time.Second)
		sendBeat(t, beat)
		sendBeat(t, beat)
	}
	if res, _, _ := openStream(t, stream+kept, ""); res.StatusCode != 200 {
		t.Fatalf("reconnect after hours with the stream open: %d, want 200", res.StatusCode)
	}
	if res, _, _ := openStream(t, stream+dropped, ""); res.StatusCode != 401 {
		t.Fatalf("ticket of a stream closed hours ago: %d, want 401", res.StatusCode)
	}
}
