package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
)

// hookSecret is a Standard Webhooks secret: "whsec_" and the base64 of 32 bytes.
const hookSecret = "whsec_Y29uc2Vuc28tdGVzdC13ZWJob29rLXNlY3JldC0zMmI="

func (e *env) mustWebhook(admin account, target string, types ...string) map[string]any {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token,
		body: map[string]any{"url": target, "events": types, "secret": hookSecret}}).want(201).JSON()
}

// hookDeliverer is the outbox worker on the test's database and clock.
func (e *env) hookDeliverer() *events.Deliverer {
	return events.NewDeliverer(events.DelivererConfig{Store: e.store, Now: e.clock.Now, AllowPrivate: true})
}

func (e *env) deliverDue(d *events.Deliverer, want int) {
	e.t.Helper()
	n, err := d.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatalf("DeliverDue: %v", err)
	}
	if n != want {
		e.t.Fatalf("DeliverDue made %d attempts, want %d", n, want)
	}
}

// hookPost is one POST a receiver got.
type hookPost struct {
	header http.Header
	body   []byte
}

// hookReceiver records POSTs on 127.0.0.1 and answers with the status codes
// given, in turn (the last one repeats).
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	posts []hookPost
}

func newHookReceiver(t *testing.T, codes ...int) *hookReceiver {
	t.Helper()
	if len(codes) == 0 {
		codes = []int{http.StatusOK}
	}
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.posts = append(rc.posts, hookPost{header: r.Header.Clone(), body: body})
		n := len(rc.posts)
		rc.mu.Unlock()
		w.WriteHeader(codes[min(n, len(codes))-1])
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) got() []hookPost {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookPost(nil), rc.posts...)
}

// verifyHook checks a delivery as the Standard Webhooks specification tells
// a receiver to, written from its text with nothing from Consenso: the
// three headers, a timestamp within five minutes of now, and for each
// "v1," entry of webhook-signature whether it is the base64 HMAC-SHA256,
// keyed with the base64 after "whsec_", of "{id}.{timestamp}.{body}".
func verifyHook(t *testing.T, p hookPost, now time.Time, secret string) []bool {
	t.Helper()
	id, ts, sig := p.header.Get("webhook-id"), p.header.Get("webhook-timestamp"), p.header.Get("webhook-signature")
	if id == "" || ts == "" || sig == "" {
		t.Fatalf("Standard Webhooks headers missing: %v", p.header)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		t.Fatalf("webhook-timestamp %q is not within 5 minutes of %v", ts, now)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(p.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	var out []bool
	for _, entry := range strings.Split(sig, " ") {
		out = append(out, hmac.Equal([]byte(entry), []byte(want)))
	}
	return out
}

func TestWebhookAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()

	r := e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, body: map[string]any{
		"url": "https://referrals.example.org/consenso", "events": []string{"guideline.adopted", "draft.created", "guideline.adopted"}, "secret": hookSecret}}).want(201)
	if strings.Contains(r.Body.String(), hookSecret) || strings.Contains(r.Body.String(), `"secret"`) {
		t.Fatalf("the secret is echoed: %s", r.Body.String())
	}
	w := r.JSON()
	id := w["id"].(string)
	if loc := r.Header().Get("Location"); loc != "/api/v1/webhooks/"+id {
		t.Errorf("Location = %q", loc)
	}
	if w["url"] != "https://referrals.example.org/consenso" || w["active"] != true || w["created_at"] != at(0) {
		t.Errorf("webhook = %v", w)
	}
	if evs, _ := json.Marshal(w["events"]); string(evs) != `["guideline.adopted","draft.created"]` {
		t.Errorf("events = %s, want duplicates removed in order", evs)
	}
	e.clock.Advance(time.Second)
	all := e.mustWebhook(admin, "https://all.example.org/hook", "*", "draft.created")
	if evs, _ := json.Marshal(all["events"]); string(evs) != `["*"]` {
		t.Errorf(`events = %s, want ["*"]`, evs)
	}

	got := e.do(req{method: "GET", path: "/api/v1/webhooks/" + id, token: admin.Token}).want(200)
	if strings.Contains(got.Body.String(), hookSecret) {
		t.Fatal("the secret is shown")
	}
	list := e.do(req{method: "GET", path: "/api/v1/webhooks", token: admin.Token}).want(200).JSON()
	if items := list["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != id || list["next_cursor"] != nil {
		t.Fatalf("list = %v", list)
	}

	// Pages follow creation order.
	e.clock.Advance(time.Second)
	third := e.mustWebhook(admin, "https://third.example.org/hook", "comment.created")
	p1 := e.do(req{method: "GET", path: "/api/v1/webhooks?limit=2", token: admin.Token}).want(200).JSON()
	cursor, _ := p1["next_cursor"].(string)
	if len(p1["items"].([]any)) != 2 || cursor == "" {
		t.Fatalf("page 1 = %v", p1)
	}
	p2 := e.do(req{method: "GET", path: "/api/v1/webhooks?limit=2&cursor=" + url.QueryEscape(cursor), token: admin.Token}).want(200).JSON()
	if items := p2["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != third["id"] || p2["next_cursor"] != nil {
		t.Fatalf("page 2 = %v", p2)
	}
	e.do(req{method: "GET", path: "/api/v1/webhooks?cursor=garbage", token: admin.Token}).wantProblem(422, "page.invalid_cursor")
	e.do(req{method: "GET", path: "/api/v1/webhooks?include_inactive=maybe", token: admin.Token}).wantProblem(422, "")

	// Deleting stops it; the record and its log stay readable.
	e.do(req{method: "DELETE", path: "/api/v1/webhooks/" + id, token: admin.Token}).want(204)
	e.do(req{method: "DELETE", path: "/api/v1/webhooks/" + id, token: admin.Token}).want(204) // already deleted: nothing changes
	if items := e.do(req{method: "GET", path: "/api/v1/webhooks", token: admin.Token}).want(200).JSON()["items"].([]any); len(items) != 2 {
		t.Fatalf("active webhooks = %d, want 2", len(items))
	}
	withDeleted := e.do(req{method: "GET", path: "/api/v1/webhooks?include_inactive=true", token: admin.Token}).want(200).JSON()["items"].([]any)
	if len(withDeleted) != 3 || withDeleted[0].(map[string]any)["active"] != false {
		t.Fatalf("with deleted = %v", withDeleted)
	}
	if g := e.do(req{method: "GET", path: "/api/v1/webhooks/" + id, token: admin.Token}).want(200).JSON(); g["active"] != false {
		t.Fatalf("deleted webhook = %v", g)
	}
	e.do(req{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries", token: admin.Token}).want(200)

	for _, r := range []req{
		{method: "GET", path: "/api/v1/webhooks/nope"},
		{method: "DELETE", path: "/api/v1/webhooks/nope"},
		{method: "GET", path: "/api/v1/webhooks/nope/deliveries"},
	} {
		r.token = admin.Token
		e.do(r).wantProblem(404, "webhook.not_found")
	}
}

func TestWebhookValidation(t *testing.T) {
	e := newEnv(t) // private targets are not allowed by default
	admin := e.mustAdmin()
	valid := func(change map[string]any) map[string]any {
		b := map[string]any{"url": "https://hooks.example.org/consenso", "events": []string{"*"}, "secret": hookSecret}
		for k, v := range change {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"plain http", valid(map[string]any{"url": "http://hooks.example.org/consenso"}), []string{"url"}},
		{"loopback literal", valid(map[string]any{"url": "https://127.0.0.1:8443/hook"}), []string{"url"}},
		{"private literal", valid(map[string]any{"url": "https://10.0.0.7/hook"}), []string{"url"}},
		{"metadata address", valid(map[string]any{"url": "https://169.254.169.254/latest"}), []string{"url"}},
		{"IPv6 unique local", valid(map[string]any{"url": "https://[fd00::7]/hook"}), []string{"url"}},
		{"localhost", valid(map[string]any{"url": "https://localhost/hook"}), []string{"url"}},
		{"user info", valid(map[string]any{"url": "https://me:pw@hooks.example.org/"}), []string{"url"}},
		{"relative", valid(map[string]any{"url": "/hook"}), []string{"url"}},
		{"no url", valid(map[string]any{"url": nil}), []string{"url"}},
		{"no events", valid(map[string]any{"events": []string{}}), []string{"events"}},
		{"unknown event", valid(map[string]any{"events": []string{"clause.created", "clause.exploded"}}), []string{"events"}},
		{"secret of the old kind", valid(map[string]any{"secret": "a-shared-secret-for-hmac"}), []string{"secret"}},
		{"secret without prefix", valid(map[string]any{"secret": strings.TrimPrefix(hookSecret, "whsec_")}), []string{"secret"}},
		{"short secret", valid(map[string]any{"secret": "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23))}), []string{"secret"}},
		{"long secret", valid(map[string]any{"secret": "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))}), []string{"secret"}},
		{"secret not base64", valid(map[string]any{"secret": "whsec_" + strings.Repeat("*", 44)}), []string{"secret"}},
		{"secret unpadded", valid(map[string]any{"secret": strings.TrimRight(hookSecret, "=")}), []string{"secret"}},
		{"everything wrong", map[string]any{"url": "ftp://x", "events": []string{"nope"}, "secret": "x"}, []string{"url", "events", "secret"}},
		{"unknown field", valid(map[string]any{"active": false}), []string{"active"}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, body: c.body}).wantProblem(422, "")
			var p struct {
				Errors []drafting.FieldError `json:"errors"`
			}
			r.Decode(&p)
			var got []string
			for _, fe := range p.Errors {
				got = append(got, fe.Field)
			}
			sort.Strings(got)
			sort.Strings(c.fields)
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("fields = %v, want %v (%s)", got, c.fields, r.Body.String())
			}
		})
	}
	e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, raw: []byte(`{"url": `)}).wantProblem(400, "request.malformed")
	e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, raw: []byte(`url=x`),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).wantProblem(415, "")
	e.do(req{method: "POST", path: "/api/v1/webhooks", body: valid(nil)}).wantProblem(401, "")
	if items := e.do(req{method: "GET", path: "/api/v1/webhooks", token: admin.Token}).want(200).JSON()["items"].([]any); len(items) != 0 {
		t.Fatalf("refused registrations left %d webhooks", len(items))
	}

	// With CONSENSO_WEBHOOK_ALLOW_PRIVATE, local plain-http receivers are accepted.
	e.svc.SetWebhookAllowPrivate(true)
	e.mustWebhook(admin, "http://127.0.0.1:9000/hook", "*")
}

func TestWebhookNonAdminForbidden(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	id := e.mustWebhook(admin, "https://hooks.example.org/consenso", "*")["id"].(string)
	in := e.do(req{method: "POST", path: "/api/v1/integrations", token: admin.Token, body: map[string]any{"name": "Referral system"}}).want(201).JSON()
	integration := e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]any{
		"grant_type": "client_credentials", "client_id": in["client_id"], "client_secret": in["client_secret"]}}).want(200).JSON()["access_token"].(string)

	callers := map[string]string{
		"facilitator": e.mustUser(admin, drafting.RoleFacilitator, "", false).Token,
		"head":        e.mustUser(admin, drafting.RoleDelegate, "CR", true).Token,
		"delegate":    e.mustUser(admin, drafting.RoleDelegate, "PA", false).Token,
		"observer":    e.mustUser(admin, drafting.RoleObserver, "", false).Token,
		"integration": integration,
	}
	body := map[string]any{"url": "https://evil.example.org/", "events": []string{"*"}, "secret": hookSecret}
	for who, token := range callers {
		for _, r := range []req{
			{method: "POST", path: "/api/v1/webhooks", body: body},
			{method: "GET", path: "/api/v1/webhooks"},
			{method: "GET", path: "/api/v1/webhooks/" + id},
			{method: "PATCH", path: "/api/v1/webhooks/" + id, body: map[string]any{"rotate_secret": true}},
			{method: "PATCH", path: "/api/v1/webhooks/" + id, body: map[string]any{"events": []string{"user.created"}, "active": false}},
			{method: "DELETE", path: "/api/v1/webhooks/" + id},
			{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries"},
		} {
			r.token = token
			if got := e.do(r); got.Code != http.StatusForbidden {
				t.Errorf("%s: %s %s = %d, want 403", who, r.method, r.path, got.Code)
			}
		}
	}
	list := e.do(req{method: "GET", path: "/api/v1/webhooks", token: admin.Token}).want(200).JSON()["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("refused callers changed the webhooks: %v", list)
	}
	if w := list[0].(map[string]any); w["active"] != true || w["previous_secret_expires_at"] != nil || fmt.Sprint(w["events"]) != "[*]" {
		t.Fatalf("refused callers changed the webhook: %v", w)
	}
}

func TestWebhookDeliveryEndToEnd(t *testing.T) {
	e := newEnv(t)
	e.svc.SetWebhookAllowPrivate(true) // receivers listen on 127.0.0.1
	admin := e.mustAdmin()
	facilitator := e.mustUser(admin, drafting.RoleFacilitator, "", false)
	steady := newHookReceiver(t, http.StatusOK)
	flaky := newHookReceiver(t, http.StatusInternalServerError, http.StatusOK)
	steadyID := e.mustWebhook(admin, steady.URL+"/consenso", drafting.EventGuidelineCreated)["id"].(string)
	flakyID := e.mustWebhook(admin, flaky.URL+"/consenso", drafting.EventGuidelineCreated)["id"].(string)
	d := e.hookDeliverer()
	e.deliverDue(d, 0) // nothing subscribed has happened yet

	e.clock.Advance(time.Minute)
	g := e.do(req{method: "POST", path: "/api/v1/guidelines", token: facilitator.Token, body: map[string]any{
		"title": titled("Regional guidelines on consular protection"), "languages": []string{"en", "es"}, "participants": []string{"BZ", "CR"}}}).want(201).JSON()
	gid := g["id"].(string)

	e.deliverDue(d, 2)
	posts := steady.got()
	if len(posts) != 1 {
		t.Fatalf("steady receiver got %d POSTs, want 1", len(posts))
	}
	p := posts[0]
	if got := verifyHook(t, p, e.clock.Now(), hookSecret); len(got) != 1 || !got[0] {
		t.Errorf("Standard Webhooks signatures = %v, want one, matching", got)
	}
	if p.header.Get("X-Consenso-Event") != "guideline.created" || p.header.Get("Content-Type") != "application/json" ||
		p.header.Get("webhook-id") == "" || p.header.Get("webhook-timestamp") != strconv.FormatInt(e.clock.Now().Unix(), 10) {
		t.Errorf("headers = %v", p.header)
	}
	var payload map[string]any
	if err := json.Unmarshal(p.body, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["type"] != "guideline.created" || payload["guideline_id"] != gid || payload["subject_id"] != gid ||
		payload["created_at"] != at(1*time.Minute+0*time.Second) || payload["id"] == nil {
		t.Errorf("payload = %v", payload)
	}
	if data, _ := payload["data"].(map[string]any); fmt.Sprint(data["title"]) != fmt.Sprint(map[string]any{"en": "Regional guidelines on consular protection", "es": "Regional guidelines on consular protection"}) {
		t.Errorf("payload data = %v", payload["data"])
	}

	// The flaky receiver answered 500: its retry comes after 5 s, not before.
	log := e.do(req{method: "GET", path: "/api/v1/webhooks/" + flakyID + "/deliveries", token: admin.Token}).want(200).JSON()["items"].([]any)
	if len(log) != 1 {
		t.Fatalf("flaky log = %v", log)
	}
	first := log[0].(map[string]any)
	if first["status"] != "pending" || first["attempts"] != float64(1) || first["last_status_code"] != float64(500) ||
		first["last_error"] != "HTTP 500" || first["next_attempt_at"] != at(1*time.Minute+5*time.Second) || first["delivered_at"] != nil ||
		first["event_type"] != "guideline.created" {
		t.Fatalf("after a 500: %v", first)
	}
	e.clock.Advance(4 * time.Second)
	e.deliverDue(d, 0)
	e.clock.Advance(time.Second)
	e.deliverDue(d, 1)
	flakyPosts := flaky.got()
	if len(flakyPosts) != 2 || string(flakyPosts[0].body) != string(flakyPosts[1].body) {
		t.Fatalf("flaky receiver got %d POSTs, want the same one twice", len(flakyPosts))
	}

	entry := e.do(req{method: "GET", path: "/api/v1/webhooks/" + flakyID + "/deliveries", token: admin.Token}).want(200).JSON()["items"].([]any)[0].(map[string]any)
	if entry["status"] != "delivered" || entry["attempts"] != float64(2) || entry["last_status_code"] != float64(200) ||
		entry["last_error"] != nil || entry["next_attempt_at"] != nil || entry["delivered_at"] != at(1*time.Minute+5*time.Second) ||
		entry["id"] != flakyPosts[1].header.Get("webhook-id") || entry["id"] != flakyPosts[0].header.Get("webhook-id") || entry["webhook_id"] != flakyID {
		t.Fatalf("after the retry: %v", entry)
	}
	pending := e.do(req{method: "GET", path: "/api/v1/webhooks/" + flakyID + "/deliveries?status=pending", token: admin.Token}).want(200).JSON()
	if len(pending["items"].([]any)) != 0 {
		t.Fatalf("pending = %v", pending)
	}
	e.do(req{method: "GET", path: "/api/v1/webhooks/" + flakyID + "/deliveries?status=lost", token: admin.Token}).wantProblem(422, "delivery.invalid_status")
	e.do(req{method: "GET", path: "/api/v1/webhooks/" + steadyID + "/deliveries", token: facilitator.Token}).wantProblem(403, "auth.forbidden")
}

func TestWebhookDeliveryLogPages(t *testing.T) {
	e := newEnv(t)
	e.svc.SetWebhookAllowPrivate(true)
	admin := e.mustAdmin()
	id := e.mustWebhook(admin, "http://127.0.0.1:9/unreachable", "country.created")["id"].(string)
	for _, c := range []string{"QA", "QB", "QC"} {
		e.clock.Advance(time.Second)
		e.do(req{method: "POST", path: "/api/v1/countries", token: admin.Token, body: map[string]any{"code": c, "name": "Country " + c, "language": "en"}}).want(201)
	}
	p1 := e.do(req{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries?limit=2", token: admin.Token}).want(200).JSON()
	items := p1["items"].([]any)
	cursor, _ := p1["next_cursor"].(string)
	if len(items) != 2 || cursor == "" || items[0].(map[string]any)["created_at"] != at(3*time.Second) {
		t.Fatalf("page 1 = %v", p1)
	}
	p2 := e.do(req{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries?limit=2&cursor=" + url.QueryEscape(cursor), token: admin.Token}).want(200).JSON()
	if items := p2["items"].([]any); len(items) != 1 || items[0].(map[string]any)["created_at"] != at(1*time.Second) || p2["next_cursor"] != nil {
		t.Fatalf("page 2 = %v", p2)
	}
}

// at formats the test epoch plus d as the API writes times.
func at(d time.Duration) string { return clocktest.Epoch().Add(d).Format(time.RFC3339) }
