package events_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
)

// fakeResolver answers every DNS query for any name with ip, as a
// rebinding attacker's name server would.
func fakeResolver(ip string) *net.Resolver {
	addr := netip.MustParseAddr(ip)
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go serveDNS(server, addr)
		return client, nil
	}}
}

// serveDNS answers length-prefixed (stream) DNS queries on c.
func serveDNS(c net.Conn, addr netip.Addr) {
	defer c.Close()
	for {
		var n uint16
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(msg)
		if err != nil {
			return
		}
		q, err := p.Question()
		if err != nil {
			return
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: 60}
		switch {
		case q.Type == dnsmessage.TypeA && addr.Is4():
			_ = b.AResource(rh, dnsmessage.AResource{A: addr.As4()})
		case q.Type == dnsmessage.TypeAAAA && addr.Is6():
			_ = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: addr.As16()})
		}
		out, err := b.Finish()
		if err != nil {
			return
		}
		if err := binary.Write(c, binary.BigEndian, uint16(len(out))); err != nil {
			return
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

func TestWebhookDialRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	f.svc.SetWebhookAllowPrivate(false)
	rc := newWhReceiver(t, nil)
	port := rc.Listener.Addr().(*net.TCPAddr).Port

	// A public-looking https name passes registration, but its name server
	// answers 127.0.0.1 when the delivery dials.
	target := fmt.Sprintf("https://hooks.rebind.test:%d/hook", port)
	if err := events.ValidateURL(target, false); err != nil {
		t.Fatalf("ValidateURL(%s) = %v, want it accepted", target, err)
	}
	w := f.mustWebhook(t, target)
	d := f.deliverer(events.DelivererConfig{Resolver: fakeResolver("127.0.0.1")})
	mustDeliver(t, d, 1)
	e := f.only(t, w.ID)
	if e.Status != drafting.DeliveryPending || e.LastStatusCode != 0 || !strings.Contains(e.LastError, "not a public address") {
		t.Fatalf("delivery = %+v, want refused at dial time", e)
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("receiver got %d requests", n)
	}

	// The same resolver with private targets allowed reaches the receiver,
	// so the refusal above is the guard's, not the resolver's.
	f.svc.SetWebhookAllowPrivate(true)
	w2 := f.mustWebhook(t, fmt.Sprintf("http://hooks.rebind.test:%d/hook", port), drafting.EventCountryCreated)
	if _, err := f.svc.CreateCountry(context.Background(), f.admin, drafting.Country{Code: "CO", Name: "Colombia", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	allowing := f.deliverer(events.DelivererConfig{AllowPrivate: true, Resolver: fakeResolver("127.0.0.1")})
	f.clk.Advance(time.Minute)
	if _, err := allowing.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := f.only(t, w2.ID); e.Status != drafting.DeliveryDelivered {
		t.Fatalf("with private targets allowed: %+v", e)
	}

	// An IPv6 loopback answer is refused the same way.
	v6 := f.deliverer(events.DelivererConfig{Resolver: fakeResolver("::1")})
	f.clk.Advance(time.Hour)
	mustDeliver(t, v6, 3) // w (events "*") also has w2's creation and the country
	for _, e := range f.log(t, w.ID) {
		if e.Status != drafting.DeliveryPending || !strings.Contains(e.LastError, "not a public address") {
			t.Fatalf("::1: %+v", e)
		}
	}
	if n := len(rc.requests()); n != 1 {
		t.Fatalf("receiver got %d requests, want only w2's", n)
	}
}

func TestWebhookRefusesPlainHTTPWhenPrivateNotAllowed(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, nil)
	w := f.mustWebhook(t, rc.URL) // registered while allowed …
	d := f.deliverer(events.DelivererConfig{AllowPrivate: false})
	mustDeliver(t, d, 1) // … refused once the deliverer no longer allows it
	if e := f.only(t, w.ID); e.Status != drafting.DeliveryPending || !strings.Contains(e.LastError, "https") {
		t.Fatalf("delivery = %+v", e)
	}
	if len(rc.requests()) != 0 {
		t.Fatal("receiver was called")
	}
}

func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	elsewhere := newWhReceiver(t, nil)
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	})
	w := f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true})
	mustDeliver(t, d, 1)
	e := f.only(t, w.ID)
	if e.Status != drafting.DeliveryPending || e.LastStatusCode != 307 || !strings.Contains(e.LastError, "redirect not followed") {
		t.Fatalf("delivery = %+v", e)
	}
	if len(elsewhere.requests()) != 0 {
		t.Fatal("the redirect was followed")
	}
}

func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	release := make(chan struct{})
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select { // hold the answer until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	w := f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	// The receiver holds its answer until the client gives up, so the
	// attempt returns only because the time-out ended it.
	mustDeliver(t, d, 1)
	e := f.only(t, w.ID)
	if e.Status != drafting.DeliveryPending || e.LastStatusCode != 0 || !strings.Contains(e.LastError, "Timeout") {
		t.Fatalf("delivery = %+v", e)
	}
	if strings.Contains(e.LastError, rc.URL) {
		t.Errorf("last_error repeats the target URL: %s", e.LastError)
	}
}

func TestWebhookResponseCapped(t *testing.T) {
	t.Parallel()
	f := newWhFixture(t)
	rc := newWhReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		// An endless answer: only a reader that stops early finishes in time.
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("x", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	w := f.mustWebhook(t, rc.URL)
	d := f.deliverer(events.DelivererConfig{AllowPrivate: true, Timeout: 3 * time.Second})
	mustDeliver(t, d, 1)
	if e := f.only(t, w.ID); e.Status != drafting.DeliveryDelivered {
		t.Fatalf("delivery = %+v, want delivered after reading a capped answer", e)
	}
}

func TestValidateURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.org/consenso", false, true},
		{"https://hooks.example.org:8443/x?token=1", false, true},
		{"https://93.184.216.34/hook", false, true},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]/hook", false, true},
		{"http://hooks.example.org/consenso", false, false},
		{"http://hooks.example.org/consenso", true, true},
		{"http://127.0.0.1:9000/hook", true, true},
		{"https://127.0.0.1/hook", false, false},
		{"https://10.1.2.3/hook", false, false},
		{"https://172.16.0.1/hook", false, false},
		{"https://192.168.1.1/hook", false, false},
		{"https://100.64.0.1/hook", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://0.0.0.0/hook", false, false},
		{"https://224.0.0.1/hook", false, false},
		{"https://[::1]/hook", false, false},
		{"https://[fd00::1]/hook", false, false},
		{"https://[fe80::1]/hook", false, false},
		{"https://[::ffff:127.0.0.1]/hook", false, false},
		{"https://[::]/hook", false, false},
		{"https://localhost/hook", false, false},
		{"https://LOCALHOST./hook", false, false},
		{"https://localhost/hook", true, true},
		{"https://user:pw@hooks.example.org/", false, false},
		{"https://hooks.example.org/#frag", false, false},
		{"ftp://hooks.example.org/", false, false},
		{"file:///etc/passwd", true, false},
		{"hooks.example.org/hook", false, false},
		{"https://", false, false},
		{"https:hooks.example.org", false, false},
		{"https://hooks.example.org:99999/", false, false},
		{"", false, false},
		{"https://hooks.example.org/" + strings.Repeat("a", 2100), false, false},
	}
	for _, c := range cases {
		err := events.ValidateURL(c.url, c.allowPrivate)
		if (err == nil) != c.ok {
			t.Errorf("ValidateURL(%q, allowPrivate=%v) = %v, want ok=%v", c.url, c.allowPrivate, err, c.ok)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for addr, public := range map[string]bool{
		"93.184.216.34": true, "8.8.8.8": true, "2606:4700:4700::1111": true,
		"127.0.0.1": false, "127.9.9.9": false, "10.0.0.1": false, "172.31.255.255": false, "192.168.0.1": false,
		"100.64.0.1": false, "100.127.255.255": false, "169.254.1.1": false, "0.0.0.0": false, "0.1.2.3": false,
		"224.0.0.251": false, "255.255.255.255": false, "192.0.2.1": false, "198.18.0.1": false,
		"::1": false, "::": false, "fc00::1": false, "fd12:3456::1": false, "fe80::1": false, "ff02::1": false,
		"::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true, "64:ff9b::a00:1": false, "2002:a00:1::": false, "2001:db8::1": false,
	} {
		if got := events.PublicAddr(netip.MustParseAddr(addr)); got != public {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, public)
		}
	}
}
