package events_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// whFixture is a migrated database with an admin, driven through the
// service so the outbox rows are written exactly as in production.
type whFixture struct {
	st    *store.Store
	svc   *service.Service
	clk   *clocktest.Clock
	admin auth.Principal
}

func newWhFixture(t *testing.T) *whFixture {
	t.Helper()
	clk := clocktest.New()
	st := storetest.MustOpen(t, clk.Now)
	svc := service.New(service.Config{Store: st, Now: clk.Now, Argon2: auth.FastArgon2})
	svc.SetWebhookAllowPrivate(true) // test receivers listen on 127.0.0.1
	u, _, _, err := svc.BootstrapAdmin(context.Background(), "admin@example.org", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	return &whFixture{st: st, svc: svc, clk: clk, admin: auth.Principal{ID: u.ID, Role: drafting.RoleAdmin}}
}

// whSecret is the secret of the Standard Webhooks libraries' own test
// vector (see TestSignKnownVector).
const whSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// mustWebhook registers a webhook; by default it subscribes to "*" and to
// the administration events the tests make happen, so its own
// webhook.created event is its first delivery.
func (f *whFixture) mustWebhook(t *testing.T, url string, types ...string) drafting.Webhook {
	t.Helper()
	if len(types) == 0 {
		types = []string{"*", drafting.EventWebhookCreated, drafting.EventCountryCreated}
	}
	w, err := f.svc.CreateWebhook(context.Background(), f.admin, url, types, whSecret)
	if err != nil {
		t.Fatalf("create webhook %s: %v", url, err)
	}
	return w
}

func (f *whFixture) deliverer(cfg events.DelivererConfig) *events.Deliverer {
	cfg.Store, cfg.Now = f.st, f.clk.Now
	return events.NewDeliverer(cfg)
}

// log returns a webhook's deliveries, newest first.
func (f *whFixture) log(t *testing.T, webhookID string) []service.DeliveryRecord {
	t.Helper()
	items, _, err := f.svc.Deliveries(context.Background(), f.admin, webhookID, service.DeliveryList{Page: service.Page{Limit: service.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func (f *whFixture) only(t *testing.T, webhookID string) service.DeliveryRecord {
	t.Helper()
	items := f.log(t, webhookID)
	if len(items) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(items))
	}
	return items[0]
}

func mustDeliver(t *testing.T, d *events.Deliverer, want int) {
	t.Helper()
	n, err := d.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if n != want {
		t.Fatalf("DeliverDue made %d attempts, want %d", n, want)
	}
}

// whRequest is one POST a receiver got.
type whRequest struct {
	Header http.Header
	Body   []byte
}

// whReceiver is a webhook receiver on 127.0.0.1 that records what it gets
// and answers with respond (200 when nil); n counts requests from 1.
type whReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []whRequest
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newWhReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *whReceiver {
	t.Helper()
	rc := &whReceiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, whRequest{Header: r.Header.Clone(), Body: body})
		n := len(rc.got)
		rc.mu.Unlock()
		if rc.respond != nil {
			rc.respond(n, w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *whReceiver) requests() []whRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]whRequest(nil), rc.got...)
}

func TestWebhookDeliverySigned(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL+"/hook")
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})

	f.clk.Advance(time.Second)
	mustDeliver(t, d, 1)
	mustDeliver(t, d, 0) // delivered once, not again

	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	entry := f.only(t, w.ID)
	for h, want := range map[string]string{
		"Content-Type":      "application/json",
		"X-Consenso-Event":  drafting.EventWebhookCreated,
		"webhook-id":        entry.ID,
		"webhook-timestamp": strconv.FormatInt(f.clk.Now().Unix(), 10),
	} {
		if v := r.Header.Get(h); v != want {
			t.Errorf("%s = %q, want %q", h, v, want)
		}
	}
	// The first contract's headers stay, deprecated, for existing receivers.
	if v := r.Header.Get("X-Consenso-Delivery"); v != entry.ID {
		t.Errorf("X-Consenso-Delivery = %q, want the delivery id %q", v, entry.ID)
	}
	key, _ := events.SigningKey(whSecret)
	mac := hmac.New(sha256.New, key)
	mac.Write(r.Body)
	if v, want := r.Header.Get("X-Consenso-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); v != want {
		t.Errorf("X-Consenso-Signature = %q, want %q", v, want)
	}
	if sigs := verifyStandard(t, r, f.clk.Now(), whSecret); len(sigs) != 1 || !sigs[0] {
		t.Errorf("signatures matching the secret = %v, want exactly one, matching", sigs)
	}
	if strings.Contains(string(r.Body), whSecret) {
		t.Error("the body carries the secret")
	}
	var p map[string]any
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p) != 7 || p["actor_id"] == nil {
		t.Errorf("payload fields = %v, want id, type, guideline_id, actor_id, subject_id, data, created_at", p)
	}
	if p["type"] != drafting.EventWebhookCreated || p["subject_id"] != w.ID || p["guideline_id"] != nil ||
		p["id"] != float64(entry.EventID) || p["created_at"] != at(0) {
		t.Errorf("payload = %v", p)
	}
	if data, _ := p["data"].(map[string]any); data["url"] != w.URL {
		t.Errorf("payload data = %v", p["data"])
	}

	if entry.Status != drafting.DeliveryDelivered || entry.Attempts != 1 || entry.LastStatusCode != 200 || entry.LastError != "" ||
		entry.DeliveredAt == nil || !entry.DeliveredAt.Equal(f.clk.Now()) || entry.EventType != drafting.EventWebhookCreated {
		t.Errorf("delivery = %+v", entry)
	}
}

func TestWebhookSubscription(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	adopted := f.mustWebhook(t, rc.URL+"/adopted", drafting.EventGuidelineAdopted)
	countries := f.mustWebhook(t, rc.URL+"/countries", drafting.EventCountryCreated, drafting.EventCountryCreated)
	if len(countries.Events) != 1 {
		t.Errorf("events = %v, want duplicates removed", countries.Events)
	}
	if _, err := f.svc.CreateCountry(context.Background(), f.admin, drafting.Country{Code: "CO", Name: "Colombia", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.log(t, adopted.ID)); n != 0 {
		t.Errorf("guideline.adopted subscriber has %d deliveries, want 0", n)
	}
	if e := f.only(t, countries.ID); e.EventType != drafting.EventCountryCreated {
		t.Errorf("delivery of %s, want country.created", e.EventType)
	}
}

// TestWebhookWildcardExcludesAdministration: "*" brings the negotiation, not
// the accounts, countries, integrations and webhooks (e-mail addresses,
// client ids, receiver URLs); those reach only webhooks that name them.
func TestWebhookWildcardExcludesAdministration(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	ctx := context.Background()
	all := f.mustWebhook(t, rc.URL+"/all", "*")
	accounts := f.mustWebhook(t, rc.URL+"/accounts", "*", drafting.EventUserCreated, drafting.EventIntegrationCreated)

	// Administration events of every kind.
	if _, err := f.svc.CreateCountry(ctx, f.admin, drafting.Country{Code: "CO", Name: "Colombia", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	fac, err := f.svc.CreateUser(ctx, f.admin, service.NewUser{Email: "facilitator@example.org", Name: "Facilitator",
		Password: "correct horse battery staple", Role: drafting.RoleFacilitator})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateIntegration(ctx, f.admin, "Referral system"); err != nil {
		t.Fatal(err)
	}
	extra := f.mustWebhook(t, rc.URL+"/extra", drafting.EventGuidelineAdopted)
	if err := f.svc.DeleteWebhook(ctx, f.admin, extra.ID); err != nil {
		t.Fatal(err)
	}
	// And one negotiation event.
	if _, err := f.svc.CreateGuideline(ctx, auth.Principal{ID: fac.ID, Role: drafting.RoleFacilitator},
		service.NewGuideline{Title: drafting.Text{"en": "Regional guidelines"}, Languages: []string{"en"}, Participants: []string{"BZ", "CR"}}); err != nil {
		t.Fatal(err)
	}

	types := func(id string) []string {
		var out []string
		for _, e := range f.log(t, id) {
			out = append(out, e.EventType)
		}
		sort.Strings(out)
		return out
	}
	if got := types(all.ID); strings.Join(got, ",") != drafting.EventGuidelineCreated {
		t.Errorf(`"*" got %v, want only guideline.created`, got)
	}
	if got := strings.Join(types(accounts.ID), ","); got != "guideline.created,integration.created,user.created" {
		t.Errorf(`["*", "user.created", "integration.created"] got %s`, got)
	}
	for _, e := range f.log(t, all.ID) {
		if e.EventID == 0 || drafting.AdministrationEvents[e.EventType] {
			t.Errorf(`"*" delivery of %s`, e.EventType)
		}
	}
}

func TestWebhookBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 640 * time.Second, 1280 * time.Second, 2560 * time.Second, time.Hour, time.Hour}
	for i, w := range want {
		if got := events.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := events.Backoff(1000); got != time.Hour {
		t.Errorf("Backoff(1000) = %v, want the 1 h cap", got)
	}
}

func TestWebhookRetrySchedule(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	w := f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})

	for attempt := 1; attempt <= events.MaxWebhookAttempts; attempt++ {
		mustDeliver(t, d, 1)
		e := f.only(t, w.ID)
		if e.Attempts != attempt || e.LastStatusCode != 500 || e.LastError != "HTTP 500" {
			t.Fatalf("after attempt %d: %+v", attempt, e)
		}
		if attempt == events.MaxWebhookAttempts {
			if e.Status != drafting.DeliveryFailed {
				t.Fatalf("after the last attempt status = %s, want failed", e.Status)
			}
			break
		}
		wait := events.Backoff(attempt)
		if e.Status != drafting.DeliveryPending || !e.NextAttemptAt.Equal(f.clk.Now().Add(wait)) {
			t.Fatalf("after attempt %d: status %s, next at %v, want pending at now+%v", attempt, e.Status, e.NextAttemptAt, wait)
		}
		f.clk.Advance(wait - time.Millisecond)
		mustDeliver(t, d, 0) // not due yet
		f.clk.Advance(time.Millisecond)
	}
	f.clk.Advance(24 * time.Hour)
	mustDeliver(t, d, 0)
	if n := len(rc.requests()); n != events.MaxWebhookAttempts {
		t.Errorf("receiver got %d requests, want %d", n, events.MaxWebhookAttempts)
	}
}

func TestWebhookRetryThenSuccess(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	w := f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})
	mustDeliver(t, d, 1)
	f.clk.Advance(9 * time.Second) // the first retry comes within 10 s
	mustDeliver(t, d, 1)
	e := f.only(t, w.ID)
	if e.Status != drafting.DeliveryDelivered || e.Attempts != 2 || e.LastStatusCode != 204 || e.LastError != "" {
		t.Fatalf("delivery = %+v", e)
	}
	got := rc.requests()
	if len(got) != 2 || string(got[0].Body) != string(got[1].Body) {
		t.Fatal("a retry must send the same body")
	}
	// The webhook-id is the delivery's, stable across retries (receivers
	// de-duplicate on it); the timestamp is each attempt's own, and each
	// attempt is signed for its own timestamp.
	if id := got[0].Header.Get("webhook-id"); id != e.ID || got[1].Header.Get("webhook-id") != id {
		t.Errorf("webhook-id = %q then %q, want the delivery id %s both times", id, got[1].Header.Get("webhook-id"), e.ID)
	}
	start := clocktest.Epoch()
	for i, want := range []time.Time{start, start.Add(9 * time.Second)} {
		if ts := got[i].Header.Get("webhook-timestamp"); ts != strconv.FormatInt(want.Unix(), 10) {
			t.Errorf("attempt %d: webhook-timestamp = %s, want %d", i+1, ts, want.Unix())
		}
		if sigs := verifyStandard(t, got[i], want, whSecret); len(sigs) != 1 || !sigs[0] {
			t.Errorf("attempt %d: signatures = %v", i+1, sigs)
		}
	}
	if got[0].Header.Get("webhook-signature") == got[1].Header.Get("webhook-signature") {
		t.Error("a retry reuses the first attempt's signature: the timestamp is not signed")
	}
}

func TestWebhookConcurrentDeliverersSendOnce(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL)
	for i := range 24 {
		code := fmt.Sprintf("Q%c", 'A'+i)
		if _, err := f.svc.CreateCountry(context.Background(), f.admin, drafting.Country{Code: code, Name: "Country " + code, Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	total := len(f.log(t, w.ID)) // webhook.created and 24 × country.created
	if total != 25 {
		t.Fatalf("outbox holds %d deliveries, want 25", total)
	}

	const workers = 4
	var wg sync.WaitGroup
	sent := make([]int, workers)
	errs := make([]error, workers)
	start := make(chan struct{})
	for i := range workers {
		d := f.deliverer(events.DelivererConfig{AllowPrivate: true, Batch: 10, Workers: 3})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				n, err := d.DeliverDue(context.Background())
				if err != nil {
					errs[i] = err
					return
				}
				sent[i] += n
				if n == 0 {
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	sum := 0
	for i := range workers {
		if errs[i] != nil {
			t.Fatalf("deliverer %d: %v", i, errs[i])
		}
		sum += sent[i]
	}
	seen := map[string]int{}
	for _, r := range rc.requests() {
		seen[r.Header.Get("webhook-id")]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", id, n)
		}
	}
	if len(seen) != total || sum != total {
		t.Fatalf("sent %d distinct deliveries in %d attempts, want %d", len(seen), sum, total)
	}
	for _, e := range f.log(t, w.ID) {
		if e.Status != drafting.DeliveryDelivered || e.Attempts != 1 {
			t.Errorf("delivery %s: %s after %d attempts", e.ID, e.Status, e.Attempts)
		}
	}
}

func TestWebhookClaimOfCrashedWorkerExpires(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL)
	id := f.only(t, w.ID).ID

	// A worker claims the delivery and dies (kill -9) before recording anything.
	now := f.clk.Now()
	err := f.st.Write(context.Background(), func(tx *store.Tx) error {
		ok, err := tx.ClaimDelivery(id, now, now.Add(30*time.Second))
		if err == nil && !ok {
			err = fmt.Errorf("claim refused")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})
	mustDeliver(t, d, 0) // still held
	f.clk.Advance(29 * time.Second)
	mustDeliver(t, d, 0)
	f.clk.Advance(2 * time.Second) // the dead worker's claim has expired
	mustDeliver(t, d, 1)
	e := f.only(t, w.ID)
	if e.Status != drafting.DeliveryDelivered || e.Attempts != 2 {
		t.Fatalf("delivery = %+v", e)
	}
}

func TestWebhookDeleteStopsDeliveries(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL)
	if err := f.svc.DeleteWebhook(context.Background(), f.admin, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateCountry(context.Background(), f.admin, drafting.Country{Code: "CO", Name: "Colombia", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})
	mustDeliver(t, d, 0)
	e := f.only(t, w.ID) // no new delivery after the deletion
	if e.Status != drafting.DeliveryFailed || e.LastError != "webhook deleted" {
		t.Fatalf("delivery = %+v", e)
	}
	if len(rc.requests()) != 0 {
		t.Fatal("receiver was called")
	}
}

func TestWebhookRunWakes(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	got := make(chan struct{}, 4)
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		got <- struct{}{}
	})
	f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	<-got // Run's first pass sends what is due at start

	if _, err := f.svc.CreateCountry(context.Background(), f.admin, drafting.Country{Code: "CO", Name: "Colombia", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	d.Wake() // without it the next pass would come in an hour
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("Wake did not make Run deliver")
	}
	cancel()
	<-done
}

// at formats the test epoch plus d as the API writes times.
func at(d time.Duration) string { return clocktest.Epoch().Add(d).Format(time.RFC3339) }
