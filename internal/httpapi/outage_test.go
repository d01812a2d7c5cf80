package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// TestDatabaseOutage takes the database away under a running server and
// gives it back. Meanwhile every request that needs it — authentication of
// a token not seen before, a read, a write, a sign-in — answers 503 with
// Retry-After (never 401, which would sign a browser out, and never 500),
// /readyz says 503 without the driver's words, and nothing is logged as an
// error. Afterwards the same tokens work: no "unknown account" was
// remembered (the test clock stands still, so a cached refusal would never
// expire by itself).
func TestDatabaseOutage(t *testing.T) {
	logs := &logRecorder{}
	e, db := newOutageEnv(t, slog.New(logs))
	admin := e.mustAdmin()
	f := e.mustUser(admin, drafting.RoleFacilitator, "", false)
	gid := e.do(req{method: "POST", path: "/api/v1/guidelines", token: f.Token, body: map[string]any{
		"title": titled("Outage", "en"), "languages": []string{"en"}, "participants": []string{"BZ"}}}).want(201).JSON()["id"].(string)
	d := e.mustUser(admin, drafting.RoleDelegate, "BZ", true) // its token is not used (so not cached) before the outage
	e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200)

	db.down()
	unavailable := func(r *resp) {
		t.Helper()
		r.wantProblem(503, "service.unavailable")
		if n, err := strconv.Atoi(r.Header().Get("Retry-After")); err != nil || n < 1 {
			t.Fatalf("503 with Retry-After %q", r.Header().Get("Retry-After"))
		}
	}
	unavailable(e.me(d.Token))                                                               // authentication
	unavailable(e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token})) // a read
	unavailable(e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token,
		body: map[string]any{"title": titled("I. Prevention", "en")}})) // a write
	unavailable(e.login(d.Email, d.Password)) // a sign-in is not "wrong password"
	unavailable(e.refresh(d.Refresh))
	ready := e.do(req{method: "GET", path: "/readyz"}).want(503)
	if ready.Header().Get("Retry-After") == "" {
		t.Fatal("/readyz 503 without Retry-After")
	}
	body := strings.ToLower(ready.Body.String())
	for _, leak := range []string{"dial", "refused", "127.0.0.1", "sqlite", "sqlstate", "open", "tcp", "pgx", "sql:"} {
		if strings.Contains(body, leak) {
			t.Fatalf("/readyz body shows the driver's error (%q): %s", leak, ready.Body)
		}
	}

	db.up()
	e.me(d.Token).want(200)
	e.do(req{method: "GET", path: "/api/v1/guidelines/" + gid, token: f.Token}).want(200)
	e.do(req{method: "POST", path: "/api/v1/guidelines/" + gid + "/sections", token: f.Token,
		body: map[string]any{"title": titled("I. Prevention", "en")}}).want(201)
	e.do(req{method: "GET", path: "/readyz"}).want(200)
	pair(e.refresh(d.Refresh).want(200))

	if errs := logs.at(slog.LevelError); len(errs) > 0 {
		t.Fatalf("an outage logged errors: %v", errs)
	}
	if len(logs.with("service unavailable")) == 0 {
		t.Fatal("the outage left no warning in the log")
	}
}

// TestClientWentAway: a request whose client left before the database
// answered is logged as such, at info level, and recorded as 499 — not as
// an ERROR 500.
func TestClientWentAway(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	logs := &logRecorder{}
	srv, err := httpapi.New(httpapi.Config{Service: e.svc, Spec: api.OpenAPI, Log: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.InvalidatePrincipals() // so the request must read the account
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hr := httptest.NewRequestWithContext(ctx, "GET", "/api/v1/me", nil)
	hr.Header.Set("Authorization", "Bearer "+admin.Token)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, hr)
	if rec.Code != 499 {
		t.Fatalf("status = %d, want 499 (client closed request): %s", rec.Code, rec.Body)
	}
	if errs := logs.at(slog.LevelError); len(errs) > 0 {
		t.Fatalf("a departed client logged errors: %v", errs)
	}
	gone := logs.with("client went away")
	if len(gone) != 1 || gone[0].Level != slog.LevelInfo {
		t.Fatalf("log = %v, want one info line \"client went away\"", logs.all())
	}
	e.me(admin.Token).want(200) // and nothing was remembered
}

// newOutageEnv is newEnv on a database the test can take away (down) and
// give back (up): on PostgreSQL a TCP proxy in front of the server, which
// refuses new connections and cuts the open ones as a stopped server does;
// on SQLite the directory of the file is moved away, as when its volume is
// lost. /readyz pings the database and would show its raw error.
func newOutageEnv(t *testing.T, log *slog.Logger) (*env, *outage) {
	t.Helper()
	contract(t)
	clk := clocktest.New()
	dbURL := storetest.URL(t)
	o := &outage{}
	if store.IsPostgres(dbURL) {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		p := startProxy(t, u.Host)
		u.Host = p.addr
		dbURL = u.String()
		o.down, o.up = p.down, p.up
	} else {
		dir := filepath.Join(filepath.Dir(dbURL), "volume")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		dbURL = filepath.Join(dir, "consenso.db")
		o.down = func() { mustRename(t, dir, dir+".lost") }
		o.up = func() { mustRename(t, dir+".lost", dir) }
	}
	st, err := store.Open(context.Background(), dbURL, nil, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if st.Dialect() == store.SQLite {
		// No connection stays open between requests, so each one opens the
		// file anew, as a server that lost its volume would have to.
		sqlDB, _ := st.DB().DB()
		sqlDB.SetMaxIdleConns(0)
	}
	tokens, err := auth.NewTokens(testKey, 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2, Log: log})
	hub := events.NewHub(5)
	svc.SetPublisher(hub)
	srv, err := httpapi.New(httpapi.Config{Service: svc, Spec: api.OpenAPI, Hub: hub, Log: log,
		Ready: func(ctx context.Context) error { return st.Ping(ctx) }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: st, svc: svc, srv: srv, clock: clk, tokens: tokens, hub: hub}, o
}

type outage struct{ down, up func() }

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// tcpProxy forwards connections to a database server until it is taken
// down: then it closes its listener (new connections are refused) and every
// connection it carries.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				client.Close()
				continue
			}
			if !p.track(client, server) {
				continue
			}
			go p.pipe(client, server)
			go p.pipe(server, client)
		}
	}()
}

// track registers a connection pair, unless the proxy went down meanwhile.
func (p *tcpProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *tcpProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy cannot listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// logRecorder keeps the records a test's server logs.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

func (l *logRecorder) all() []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]slog.Record(nil), l.records...)
}

func (l *logRecorder) at(level slog.Level) []string {
	var out []string
	for _, r := range l.all() {
		if r.Level >= level {
			out = append(out, r.Message+" "+attrs(r))
		}
	}
	return out
}

func (l *logRecorder) with(msg string) []slog.Record {
	var out []slog.Record
	for _, r := range l.all() {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}

func attrs(r slog.Record) string {
	var b strings.Builder
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(a.String() + " ")
		return true
	})
	return b.String()
}
