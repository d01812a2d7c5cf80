// Package e2e_test drives the web client in a real Chromium, from Go with
// chromedp, against the real server started in this process on a fresh
// database seeded with the demo (SQLite, or PostgreSQL when
// TEST_DATABASE_URL is set, as the rest of the suite).
//
// Without a Chromium (CONSENSO_CHROMIUM, /usr/bin/chromium or chromium,
// chromium-browser, google-chrome on PATH) or without axe-core
// (internal/web/app/node_modules, `npm ci` there) every test skips, saying so
// in one line. With CONSENSO_SCREENSHOTS=1 the tests save a full-page
// screenshot of each screen to docs/img/.
//
// The tests never sleep: they wait for what the page shows (WaitVisible,
// WaitNotPresent, a Poll of a condition), each wait bounded by a context
// deadline.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/demo"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// Viewports the client must work at.
const (
	desktopWidth, desktopHeight = 1366, 768
	tabletWidth, tabletHeight   = 768, 1024
)

// Bounds of the waits: a step (a click and what it shows) and a whole test.
const (
	stepTimeout = 20 * time.Second
	testTimeout = 3 * time.Minute
)

// Demo accounts (internal/demo).
const (
	facilitatorEmail = "facilitator@demo.consenso.local"
	observerEmail    = "secretariat@demo.consenso.local"
	headCR           = "lucia.cr@demo.consenso.local"
	delegateCR       = "esteban.cr@demo.consenso.local"
	headMX           = "fernanda.mx@demo.consenso.local"
	delegateMX       = "alejandro.mx@demo.consenso.local"
)

// repoRoot is the directory holding go.mod, found by walking up.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// chromiumPath finds the browser: CONSENSO_CHROMIUM, then the usual names.
func chromiumPath() string {
	if p := os.Getenv("CONSENSO_CHROMIUM"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return "" // named but not there: not found, not another browser
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// axePath is axe-core's browser build, a devDependency of the client.
func axePath(t testing.TB) string {
	return filepath.Join(repoRoot(t), "internal", "web", "app", "node_modules", "axe-core", "axe.min.js")
}

// requireBrowser skips the test, in one line, when the machine cannot run
// the browser tests; it returns the browser's path.
func requireBrowser(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if p == "" {
		t.Skip("chromium not found: browser tests skipped")
	}
	if _, err := os.Stat(axePath(t)); err != nil {
		t.Skip("axe-core not found (npm ci in internal/web/app): browser tests skipped")
	}
	return p
}

// server is the real program's server on a fresh database with the demo.
type server struct {
	URL string
	// Admin is the first account; Guideline the demo guideline's id.
	Admin     auth.Principal
	Guideline string
	// HTTP is the listening server (CloseClientConnections drops every
	// connection, live streams included).
	HTTP  *httptest.Server
	Clock *clocktest.Clock
	Svc   *service.Service
	Store *store.Store
}

// startServer builds the server as api/cmd/consenso does (store, service,
// the demo, the hub and, on PostgreSQL, the NOTIFY listener) and serves it
// on a local port until the test ends. The clock stands at the suite's
// epoch: tokens stay valid for the whole test.
func startServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	clk := clocktest.New()
	log := slog.New(slog.DiscardHandler)
	url := storetest.URL(t)
	st, err := store.Open(ctx, url, log, clk.Now)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx, log); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	tokens, err := auth.NewTokens([]byte("e2e-0123456789abcdef0123456789abcdef"), 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Config{Store: st, Tokens: tokens, Log: log, Now: clk.Now, Argon2: auth.FastArgon2,
		RefreshTTL: 24 * time.Hour, MinSilence: time.Hour})
	hub := events.NewHub(20)
	bg, stop := context.WithCancel(context.Background())
	var listening sync.WaitGroup
	if st.Dialect() == store.Postgres {
		listening.Go(func() { events.Listen(bg, url, hub, svc, log) })
	} else {
		svc.SetPublisher(hub)
	}
	admin, _, created, err := svc.BootstrapAdmin(ctx, "admin@demo.consenso.local", "an admin password for the e2e tests")
	if err != nil || !created {
		t.Fatalf("bootstrap admin: created %v, %v", created, err)
	}
	if err := demo.Load(ctx, svc, auth.Principal{ID: admin.ID, Role: admin.Role, Name: admin.Name}, io.Discard); err != nil {
		t.Fatalf("demo: %v", err)
	}
	srv, err := httpapi.New(httpapi.Config{Service: svc, Log: log, Spec: api.OpenAPI, Hub: hub,
		Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Start()
	t.Cleanup(func() {
		hub.Close() // live streams end, so Close need not wait for them
		hs.Close()
		stop()
		listening.Wait()
	})
	p := auth.Principal{ID: admin.ID, Role: admin.Role, Name: admin.Name}
	gs, _, err := svc.Guidelines(ctx, p, service.Page{Limit: 10})
	if err != nil || len(gs) != 1 {
		t.Fatalf("demo guidelines: %d, %v", len(gs), err)
	}
	return &server{URL: hs.URL, Clock: clk, Svc: svc, Store: st, Admin: p, Guideline: gs[0].ID, HTTP: hs}
}

// env is one test's server and browser.
type env struct {
	t       *testing.T
	srv     *server
	browser context.Context
}

// newEnv starts the server and a Chromium with a fresh profile for t (or
// skips t, see requireBrowser).
func newEnv(t *testing.T) *env {
	t.Helper()
	exe := requireBrowser(t)
	srv := startServer(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), testTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelRoot()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return &env{t: t, srv: srv, browser: browser}
}

// pageConfig is how a page opens.
type pageConfig struct {
	width, height int64
	lang          string
}

// pageOption changes how a page opens.
type pageOption func(*pageConfig)

// tablet opens the page at the width of a tablet held upright.
func tablet(c *pageConfig) { c.width, c.height = tabletWidth, tabletHeight }

// acceptLanguage makes the browser prefer lang (the client's default
// language follows it).
func acceptLanguage(lang string) pageOption { return func(c *pageConfig) { c.lang = lang } }

// page opens a tab in a browser context of its own (its own storage and
// cookies: another person at another computer) at 1366×768 unless told
// otherwise, in the UTC time zone. Uncaught exceptions and
// Content-Security-Policy violations in the page fail the test; console
// warnings and errors are logged.
func (e *env) page(opts ...pageOption) context.Context {
	t := e.t
	t.Helper()
	cfg := pageConfig{width: desktopWidth, height: desktopHeight}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open a browser context: %v", err)
	}
	var (
		mu       sync.Mutex
		problems []string
		reading  sync.WaitGroup
	)
	console := chromedp.Console(ctx)
	reading.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			mu.Lock()
			if m.Type != chromedp.ConsoleLog && m.Type != chromedp.ConsoleDebug && m.Type != chromedp.ConsoleInfo {
				t.Logf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
			}
			if m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") {
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
			}
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		cancel()
		reading.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("page: %s", p)
		}
	})
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(cfg.width, cfg.height), inUTC()}
	if cfg.lang != "" {
		steps = append(steps, setLanguage(cfg.lang))
	}
	e.do(ctx, steps...)
	return ctx
}

// do runs steps on a page within a step's time, failing the test on error.
func (e *env) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		e.t.Fatalf("%v\n%s", err, pageState(ctx))
	}
}

// pageState describes where the page is, for a failure message.
func pageState(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText.slice(0, 1500) : "")`))
	if err != nil {
		return "(page state unknown: " + err.Error() + ")"
	}
	return "page: " + s
}

// goTo opens path on the test server.
func (e *env) goTo(ctx context.Context, path string) {
	e.t.Helper()
	e.do(ctx, chromedp.Navigate(e.srv.URL+path))
}

// route moves a signed-in page to path inside the client, as a link does
// (history.pushState and the popstate the client's router listens to): a
// full navigation would start a new session, since the client keeps its
// tokens in memory only.
func (e *env) route(ctx context.Context, path string) {
	e.t.Helper()
	e.do(ctx, chromedp.Evaluate[chromedp.Void](`history.pushState(null, "", `+js(path)+`); dispatchEvent(new PopStateEvent("popstate"));`, chromedp.EvalAsValue),
		waitFor(`location.pathname === `+js(path)))
}

// waitFor waits until the JavaScript condition is true in the page.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](cond)(ctx, t)
		if err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", cond, err)
		}
		return chromedp.Void{}, nil
	}
}

// js quotes s as a JavaScript string.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// typeInto types text into the field sel as a person would (key events, so
// the component sees each input event), after clearing it.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	)
}

// choose selects value in the <select> sel and tells the page.
func choose(sel, value string) chromedp.Action[chromedp.Void] { return fill(sel, value) }

// setLanguage makes the browser's preferred language lang
// (navigator.language and Accept-Language).
func setLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return emulateLocale(ctx, t, lang)
	})
}

// signIn signs in on the sign-in screen with a demo account, choosing the
// interface language lang (en or es), and waits for the landing screen: the
// demo's one guideline's overview (the home screen moves there by itself,
// so a route taken earlier would be replaced).
func (e *env) signIn(ctx context.Context, email, lang string) {
	e.t.Helper()
	e.goTo(ctx, "/")
	e.do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#email")),
		choose("#lang", lang),
		typeInto("#email", email),
		typeInto("#password", demo.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)),
		visible(`[data-testid="who"]`),
		waitFor(`!document.querySelector("#password")`),
		visible("#overview-title"),
		waitFor(`location.pathname.startsWith("/guidelines/")`),
	)
}

// fill sets the value of a field (input, textarea, select) the way an edit
// does: through the element's value setter, then an input and a change
// event, so the component's handler reads the new value.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		visible(sel),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const el = document.querySelector(`+js(sel)+`);
			const proto = Object.getPrototypeOf(el);
			Object.getOwnPropertyDescriptor(proto, "value").set.call(el, `+js(value)+`);
			el.dispatchEvent(new Event("input", {bubbles: true}));
			el.dispatchEvent(new Event("change", {bubbles: true}));
		})()`, chromedp.EvalAsValue),
	)
}

// click clicks the first element sel matches once it is shown and
// enabled. The wait and the click are one step in the page: the client
// re-renders on live events, so a node found by one protocol command can be
// gone by the next.
func click(sel string) chromedp.Action[chromedp.Void] {
	return waitFor(`(() => {
		const el = document.querySelector(` + js(sel) + `);
		if (!el || el.disabled || el.getClientRects().length === 0) return false;
		el.scrollIntoView({block: "center"});
		el.click();
		return true;
	})()`)
}

// visible waits until sel matches an element that is shown.
func visible(sel string) chromedp.Action[chromedp.Void] {
	return waitFor(`(() => {
		const el = document.querySelector(` + js(sel) + `);
		return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
	})()`)
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// runAxe runs axe-core on the page as it is and fails the test on any
// serious or critical violation, naming the rules and the elements; lesser
// ones are logged.
func runAxe(ctx context.Context, t *testing.T, screen string) {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(axePath(t))
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatalf("axe-core: %v", axeErr)
	}
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`(() => { if (!window.axe) { `+axeSource+`
		} return !!window.axe; })()`)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", screen, err)
	}
	raw, err := chromedp.Run(sctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			targets: v.nodes.map(n => n.target.join(" "))}))}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", screen, err)
	}
	var result struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(raw), &result); err != nil {
		t.Fatalf("%s: axe-core answer: %v", screen, err)
	}
	violations := result.Violations
	serious := 0
	for _, v := range violations {
		line := fmt.Sprintf("%s: axe %s (%s): %s on %s", screen, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			serious++
			t.Error(line)
		} else {
			t.Log(line)
		}
	}
	t.Logf("%s: axe-core: %d rules pass, %d violated, %d of them serious or critical", screen, result.Passes, len(violations), serious)
}

// screenshot saves a full-page PNG of the page to docs/img/<name>.png when
// CONSENSO_SCREENSHOTS=1.
func screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	if os.Getenv("CONSENSO_SCREENSHOTS") != "1" {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(repoRoot(t), "docs", "img")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// text is the text of the first element sel matches, as shown.
func (e *env) text(ctx context.Context, sel string) string {
	e.t.Helper()
	e.do(ctx, visible(sel))
	return eval[string](e, ctx, `document.querySelector(`+js(sel)+`).innerText`)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](e *env, ctx context.Context, expr string) T {
	e.t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		var zero T
		e.t.Fatalf("evaluate %s: %v\n%s", expr, err, pageState(ctx))
		return zero
	}
	return v
}

// emulateLocale makes lang the browser's language in this tab:
// navigator.language(s), Accept-Language and the Intl locale.
func emulateLocale(ctx context.Context, t *chromedp.Target, lang string) error {
	ua, err := chromedp.Evaluate[string]("navigator.userAgent")(ctx, t)
	if err != nil {
		return err
	}
	if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang}); err != nil {
		return fmt.Errorf("set Accept-Language %s: %w", lang, err)
	}
	if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: lang}); err != nil {
		return fmt.Errorf("set locale %s: %w", lang, err)
	}
	return nil
}

// inUTC makes the tab's time zone UTC, so dates read the same on every
// machine.
func inUTC() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"})
		return err
	})
}

// contextWithName is a page and what to call it in messages.
type contextWithName struct {
	ctx  context.Context
	name string
}
