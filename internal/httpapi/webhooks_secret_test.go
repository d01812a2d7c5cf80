package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/events"
)

// TestWebhookGeneratedSecretShownOnce: without a secret, Consenso makes one
// and shows it in the creation answer only — not in a replay, not in any
// read — and deliveries are signed with it.
func TestWebhookGeneratedSecretShownOnce(t *testing.T) {
	e := newEnv(t)
	e.svc.SetWebhookAllowPrivate(true)
	admin := e.mustAdmin()
	rc := newHookReceiver(t)
	body := map[string]any{"url": rc.URL + "/hook", "events": []string{"country.created"}}
	key := map[string]string{"Idempotency-Key": "register-the-receiver"}

	first := e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, body: body, header: key}).want(201)
	w := first.JSON()
	secret, _ := w["secret"].(string)
	if err := events.ValidateSecret(secret); err != nil {
		t.Fatalf("generated secret %q: %v", secret, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if len(raw) != 32 {
		t.Errorf("generated key is %d bytes, want 32", len(raw))
	}
	if cc := first.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store on the answer that shows a secret", cc)
	}
	id := w["id"].(string)

	// A retry of the same request creates nothing and does not show it again.
	replay := e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token, body: body, header: key}).want(201)
	if replay.Header().Get("Idempotent-Replayed") != "true" || replay.JSON()["id"] != id {
		t.Fatalf("replay = %s", replay.Body.String())
	}
	// Nothing but the creation answer carries it.
	for _, r := range []*resp{
		replay,
		e.do(req{method: "GET", path: "/api/v1/webhooks/" + id, token: admin.Token}).want(200),
		e.do(req{method: "GET", path: "/api/v1/webhooks", token: admin.Token}).want(200),
		e.do(req{method: "GET", path: "/api/v1/webhooks?include_inactive=true", token: admin.Token}).want(200),
		e.do(req{method: "PATCH", path: "/api/v1/webhooks/" + id, token: admin.Token, body: map[string]any{"events": []string{"*", "country.created"}}}).want(200),
		e.do(req{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries", token: admin.Token}).want(200),
	} {
		if b := r.Body.String(); strings.Contains(b, secret) || strings.Contains(b, `"secret"`) {
			t.Errorf("a later answer shows the secret: %s", b)
		}
	}
	// A secret the caller gave is not echoed either.
	given := e.do(req{method: "POST", path: "/api/v1/webhooks", token: admin.Token,
		body: map[string]any{"url": rc.URL + "/other", "events": []string{"*"}, "secret": hookSecret}}).want(201)
	if strings.Contains(given.Body.String(), `"secret"`) {
		t.Errorf("the given secret is echoed: %s", given.Body.String())
	}

	d := e.hookDeliverer()
	e.do(req{method: "POST", path: "/api/v1/countries", token: admin.Token, body: map[string]any{"code": "CO", "name": "Colombia", "language": "es"}}).want(201)
	e.deliverDue(d, 1)
	if got := verifyHook(t, rc.got()[0], e.clock.Now(), secret); len(got) != 1 || !got[0] {
		t.Errorf("delivery signatures with the generated secret: %v", got)
	}
}

// TestWebhookPatch: rotation (two signatures during the window, one after),
// a chosen secret, ending a rotation, changing events and state; refusals
// change nothing.
func TestWebhookPatch(t *testing.T) {
	e := newEnv(t)
	e.svc.SetWebhookAllowPrivate(true)
	admin := e.mustAdmin()
	rc := newHookReceiver(t)
	id := e.mustWebhook(admin, rc.URL+"/hook", "country.created")["id"].(string)
	path := "/api/v1/webhooks/" + id
	d := e.hookDeliverer()
	n := 0
	deliver := func() hookPost {
		t.Helper()
		n++
		code := fmt.Sprintf("Q%c", 'A'+n)
		e.do(req{method: "POST", path: "/api/v1/countries", token: admin.Token, body: map[string]any{"code": code, "name": "Country " + code, "language": "en"}}).want(201)
		e.deliverDue(d, 1)
		posts := rc.got()
		return posts[len(posts)-1]
	}
	get := func() string {
		t.Helper()
		return e.do(req{method: "GET", path: path, token: admin.Token}).want(200).Body.String()
	}

	// Refusals, each leaving the webhook as it was.
	before := get()
	for _, c := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"rotate_secret": true, "secret": hookSecret}, 422, "secret"},
		{map[string]any{"secret": "not-a-standard-secret-at-all"}, 422, "secret"},
		{map[string]any{"secret": hookSecret}, 422, "secret"}, // the current one
		{map[string]any{"events": []string{}}, 422, "events"},
		{map[string]any{"events": []string{"clause.exploded"}}, 422, "events"},
		{map[string]any{"url": "https://elsewhere.example.org/"}, 422, "url"},
		{map[string]any{"rotate_secret": "yes"}, 422, "rotate_secret"},
	} {
		r := e.do(req{method: "PATCH", path: path, token: admin.Token, body: c.body}).wantProblem(c.code, "")
		if !strings.Contains(r.Body.String(), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %s, want an error on %s", c.body, r.Body.String(), c.field)
		}
	}
	e.do(req{method: "PATCH", path: path, token: admin.Token, raw: []byte(`{"rotate_secret": `)}).wantProblem(400, "request.malformed")
	e.do(req{method: "PATCH", path: "/api/v1/webhooks/nope", token: admin.Token, body: map[string]any{"rotate_secret": true}}).wantProblem(404, "webhook.not_found")
	if after := get(); after != before {
		t.Fatalf("refused changes changed the webhook:\n%s\n%s", before, after)
	}
	if got := verifyHook(t, deliver(), e.clock.Now(), hookSecret); len(got) != 1 || !got[0] {
		t.Fatalf("before any rotation: %v", got)
	}
	// An empty change changes nothing.
	if r := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{}}).want(200).Body.String(); r != before {
		t.Errorf("{} changed the webhook: %s", r)
	}

	// Rotation: the new secret once, both signatures for 24 hours.
	rotated := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"rotate_secret": true}}).want(200)
	if rotated.Header().Get("Cache-Control") != "no-store" {
		t.Error("the rotation answer may be cached")
	}
	rw := rotated.JSON()
	newSecret, _ := rw["secret"].(string)
	if events.ValidateSecret(newSecret) != nil || newSecret == hookSecret {
		t.Fatalf("rotation answer = %v", rw)
	}
	if rw["previous_secret_expires_at"] != at(24*time.Hour) {
		t.Errorf("previous_secret_expires_at = %v, want %s", rw["previous_secret_expires_at"], at(24*time.Hour))
	}
	if g := get(); strings.Contains(g, newSecret) || strings.Contains(g, `"secret"`) || !strings.Contains(g, at(24*time.Hour)) {
		t.Errorf("after the rotation GET = %s", g)
	}
	e.clock.Advance(23 * time.Hour)
	admin = e.mustLogin(admin) // access tokens do not last a day
	p := deliver()
	if got := verifyHook(t, p, e.clock.Now(), newSecret); len(got) != 2 || !got[0] || got[1] {
		t.Errorf("during the rotation, the new secret matches %v, want [true false]", got)
	}
	if got := verifyHook(t, p, e.clock.Now(), hookSecret); len(got) != 2 || got[0] || !got[1] {
		t.Errorf("during the rotation, the previous secret matches %v, want [false true]", got)
	}
	e.clock.Advance(time.Hour) // the window is over
	admin = e.mustLogin(admin)
	if got := verifyHook(t, deliver(), e.clock.Now(), newSecret); len(got) != 1 || !got[0] {
		t.Errorf("after the window: %v, want the new signature alone", got)
	}
	var view map[string]any
	_ = json.Unmarshal([]byte(get()), &view)
	if view["previous_secret_expires_at"] != nil {
		t.Errorf("after the window the webhook shows a rotation: %v", view)
	}

	// A secret of one's own: not echoed, and rotates the same way; ended early.
	own := "whsec_" + base64.StdEncoding.EncodeToString([]byte("an-admin-chosen-secret-of-32-bts"))
	r := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"secret": own}}).want(200)
	if strings.Contains(r.Body.String(), `"secret"`) || r.JSON()["previous_secret_expires_at"] == nil {
		t.Errorf("rotation to a given secret = %s", r.Body.String())
	}
	p = deliver()
	if a, b := verifyHook(t, p, e.clock.Now(), own), verifyHook(t, p, e.clock.Now(), newSecret); len(a) != 2 || !a[0] || !b[1] {
		t.Errorf("given secret: %v / %v", a, b)
	}
	ended := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"expire_previous_secret": true}}).want(200).JSON()
	if ended["previous_secret_expires_at"] != nil || ended["secret"] != nil {
		t.Errorf("ending the rotation = %v", ended)
	}
	if got := verifyHook(t, deliver(), e.clock.Now(), own); len(got) != 1 || !got[0] {
		t.Errorf("after ending the rotation: %v", got)
	}
	// A rotation with no overlap (a leaked secret): one signature, the new one, at once.
	leak := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"rotate_secret": true, "expire_previous_secret": true}}).want(200).JSON()
	fresh, _ := leak["secret"].(string)
	if leak["previous_secret_expires_at"] != nil || fresh == "" {
		t.Fatalf("rotation without overlap = %v", leak)
	}
	if got := verifyHook(t, deliver(), e.clock.Now(), fresh); len(got) != 1 || !got[0] {
		t.Errorf("after a rotation without overlap: %v", got)
	}

	// Events and state.
	ch := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"events": []string{"guideline.adopted", "*", "user.created"}}}).want(200).JSON()
	if evs, _ := json.Marshal(ch["events"]); string(evs) != `["*","user.created"]` {
		t.Errorf("events = %s", evs)
	}
	e.do(req{method: "POST", path: "/api/v1/countries", token: admin.Token, body: map[string]any{"code": "ZZ", "name": "Nowhere", "language": "en"}}).want(201)
	e.deliverDue(d, 0) // no longer subscribed to country.created
	off := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"active": false}}).want(200).JSON()
	if off["active"] != false {
		t.Fatalf("deactivated = %v", off)
	}
	e.mustUser(admin, "observer", "", false) // user.created: not for an inactive webhook
	e.deliverDue(d, 0)
	on := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"active": true}}).want(200).JSON()
	if on["active"] != true {
		t.Fatalf("reactivated = %v", on)
	}
	e.mustUser(admin, "observer", "", false)
	e.deliverDue(d, 1)
	posts := rc.got()
	if last := posts[len(posts)-1]; last.header.Get("X-Consenso-Event") != "user.created" {
		t.Errorf("after reactivation got %s", last.header.Get("X-Consenso-Event"))
	}

	// Private targets refused again: a deleted webhook on one cannot be resumed.
	e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"active": false}}).want(200)
	e.svc.SetWebhookAllowPrivate(false)
	e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"active": true}}).wantProblem(http.StatusConflict, "webhook.url_refused")
	if g := e.do(req{method: "GET", path: path, token: admin.Token}).want(200).JSON(); g["active"] != false {
		t.Errorf("a refused resumption resumed it: %v", g)
	}
}
