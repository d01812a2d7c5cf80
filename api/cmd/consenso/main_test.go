package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// syncBuffer is a goroutine-safe bytes.Buffer for the program's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testSecret is the JWT key the tests give the program on PostgreSQL.
const testSecret = "test-secret-test-secret-test-secret-0123"

// testDB returns a fresh database URL and the environment it needs: an
// SQLite file in a temporary directory, or a schema of its own on the
// PostgreSQL server named by TEST_DATABASE_URL.
func testDB(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"CONSENSO_DATABASE_URL": storetest.URL(t)}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		env["CONSENSO_JWT_SECRET"] = testSecret
	}
	return env
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// program is one running instance of run.
type program struct {
	base           string // http://127.0.0.1:port
	addr           string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan error // receives run's result once
}

// start runs the program with env on a free port and waits until /healthz
// answers. It is stopped when the test ends.
func start(t *testing.T, env map[string]string) *program {
	t.Helper()
	p := launch(t, env)
	p.waitReady(t)
	return p
}

// launch runs the program with env on a free port, without waiting.
func launch(t *testing.T, env map[string]string) *program {
	t.Helper()
	p := &program{addr: freeAddr(t), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.base = "http://" + p.addr
	getenv := func(k string) string {
		if k == "CONSENSO_ADDR" {
			return p.addr
		}
		return env[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() { p.done <- run(ctx, nil, getenv, p.stdout, p.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	return p
}

// waitReady polls /healthz, a bounded loop that returns as soon as it answers.
func (p *program) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("run returned before serving: %v\nstderr: %s", err, p.stderr)
		default:
		}
		if r, err := http.Get(p.base + "/healthz"); err == nil {
			_ = r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s/healthz\nstderr: %s", p.base, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop cancels the program's context and returns run's result.
func (p *program) stop(t *testing.T) error {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of cancel")
		return nil
	}
}

func (p *program) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	r, err := http.Get(p.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, string(b)
}

func (p *program) login(t *testing.T, email, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	r, err := http.Post(p.base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var tp struct {
		AccessToken string `json:"access_token"`
	}
	if r.StatusCode == 200 {
		if err := json.NewDecoder(r.Body).Decode(&tp); err != nil || tp.AccessToken == "" {
			t.Fatalf("login answer without a token: %v", err)
		}
	}
	return r.StatusCode
}

var (
	printedPassword = regexp.MustCompile(`(?m)^\s*password:\s+(\S+)\s*$`)
	printedEmail    = regexp.MustCompile(`(?m)^\s*email:\s+(\S+)\s*$`)
)

func TestRun(t *testing.T) {
	t.Run("serves_operations_endpoints", func(t *testing.T) {
		p := start(t, testDB(t))
		if r, body := p.get(t, "/readyz"); r.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
			t.Fatalf("/readyz: %d %s", r.StatusCode, body)
		}
		if r, body := p.get(t, "/openapi.yaml"); r.StatusCode != 200 || !strings.HasPrefix(body, "openapi: 3") {
			t.Fatalf("/openapi.yaml: %d %.40q", r.StatusCode, body)
		}
		if r, body := p.get(t, "/docs"); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(strings.ToLower(body), "<html") {
			t.Fatalf("/docs: %d %s %.80q", r.StatusCode, r.Header.Get("Content-Type"), body)
		}
		r, body := p.get(t, "/metrics")
		if r.StatusCode != 200 {
			t.Fatalf("/metrics: %d", r.StatusCode)
		}
		found := false
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "consenso_http_requests_total{") && strings.Contains(line, `route="/healthz"`) {
				found = true
			}
		}
		if !found {
			t.Fatalf("/metrics has no consenso_http_requests_total for route=\"/healthz\":\n%s", body)
		}
		if r, _ := p.get(t, "/healthz"); r.Header.Get("X-Request-Id") == "" {
			t.Fatal("no X-Request-Id")
		}
	})

	t.Run("first_start_prints_a_one_time_password", func(t *testing.T) {
		env := testDB(t)
		p := start(t, env)
		out := p.stdout.String()
		pw := printedPassword.FindAllStringSubmatch(out, -1)
		em := printedEmail.FindAllStringSubmatch(out, -1)
		if len(pw) != 1 || len(em) != 1 {
			t.Fatalf("want one email and one password line, stdout:\n%s", out)
		}
		if n := strings.Count(out, p.base+"/api/v1/auth/login"); n != 1 {
			t.Fatalf("want one sign-in line naming %s/api/v1/auth/login, got %d; stdout:\n%s", p.base, n, out)
		}
		if strings.Contains(p.stderr.String(), pw[0][1]) {
			t.Fatal("the password was logged")
		}
		if code := p.login(t, em[0][1], pw[0][1]); code != 200 {
			t.Fatalf("login with the printed password: %d", code)
		}
		if err := p.stop(t); err != nil {
			t.Fatal(err)
		}

		again := start(t, env)
		if out := again.stdout.String(); out != "" {
			t.Fatalf("second start printed:\n%s", out)
		}
		if code := again.login(t, em[0][1], pw[0][1]); code != 200 {
			t.Fatalf("login after restart: %d", code)
		}
	})

	t.Run("replicas_starting_at_once_share_one_admin", func(t *testing.T) {
		if os.Getenv("TEST_DATABASE_URL") == "" {
			t.Skip("replicas share a PostgreSQL database; set TEST_DATABASE_URL")
		}
		env := testDB(t)
		var ps []*program
		for range 3 {
			ps = append(ps, launch(t, env))
		}
		printed := 0
		for _, p := range ps {
			p.waitReady(t)
			printed += len(printedPassword.FindAllString(p.stdout.String(), -1))
		}
		if printed != 1 {
			t.Fatalf("%d replicas printed a password, want exactly 1", printed)
		}
	})

	t.Run("admin_from_environment", func(t *testing.T) {
		env := testDB(t)
		env["CONSENSO_ADMIN_EMAIL"] = "Chair@IOM.example.org"
		env["CONSENSO_ADMIN_PASSWORD"] = "a chosen admin passphrase"
		p := start(t, env)
		out := p.stdout.String()
		if printedPassword.MatchString(out) || strings.Contains(out, "a chosen admin passphrase") {
			t.Fatalf("stdout shows a password:\n%s", out)
		}
		if !strings.Contains(out, "chair@iom.example.org") {
			t.Fatalf("stdout does not name the admin:\n%s", out)
		}
		if code := p.login(t, "chair@iom.example.org", "a chosen admin passphrase"); code != 200 {
			t.Fatalf("login as the configured admin: %d", code)
		}
	})

	t.Run("help_lists_flags_with_env_names", func(t *testing.T) {
		var stdout, stderr syncBuffer
		if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Fatalf("run -h: %v", err)
		}
		help := stdout.String() + stderr.String()
		for _, s := range settings {
			if !strings.Contains(help, "-"+s.flag) || !strings.Contains(help, s.env) {
				t.Errorf("help lacks -%s / %s", s.flag, s.env)
			}
		}
	})

	t.Run("postgres_without_jwt_secret_is_refused", func(t *testing.T) {
		// The secret is checked before connecting, so no server is needed.
		url := "postgres://consenso@127.0.0.1:1/consenso?sslmode=disable"
		getenv := func(k string) string {
			if k == "CONSENSO_DATABASE_URL" {
				return url
			}
			return ""
		}
		var stdout, stderr syncBuffer
		err := run(context.Background(), nil, getenv, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "CONSENSO_JWT_SECRET is required with PostgreSQL") {
			t.Fatalf("run = %v, want an error saying CONSENSO_JWT_SECRET is required", err)
		}
		if stdout.String() != "" {
			t.Fatalf("stdout: %s", stdout.String())
		}
	})

	t.Run("cancel_shuts_down_gracefully", func(t *testing.T) {
		// With nothing in flight, shutdown must not wait for its time-out:
		// an hour here, far beyond stop's bound, so returning at all shows it.
		env := testDB(t)
		env["CONSENSO_SHUTDOWN_TIMEOUT"] = "1h"
		p := start(t, env)
		if err := p.stop(t); err != nil {
			t.Fatalf("run returned %v after cancel", err)
		}
		if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			_ = c.Close()
			t.Fatalf("%s still accepts connections after run returned", p.addr)
		}
	})

	t.Run("in_flight_request_finishes_during_shutdown", func(t *testing.T) {
		env := testDB(t)
		env["CONSENSO_ADMIN_EMAIL"] = "admin@example.org"
		env["CONSENSO_ADMIN_PASSWORD"] = "a chosen admin passphrase"
		p := start(t, env)

		// A login sent with "Expect: 100-continue": the server answers
		// "100 Continue" once the handler reads the body, so when it arrives
		// the request is in flight. Then the program is told to stop, and
		// only then is the body sent.
		body := `{"email": "admin@example.org", "password": "a chosen admin passphrase"}`
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", p.addr, len(body))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != http.StatusContinue {
			t.Fatalf("want 100 Continue, got %v %v", resp, err)
		}
		p.cancel()
		if _, err := io.WriteString(conn, body); err != nil {
			t.Fatal(err)
		}
		resp, err = http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("read answer: %v", err)
		}
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(answer), "access_token") {
			t.Fatalf("in-flight login answered %d %s", resp.StatusCode, answer)
		}
		select {
		case err := <-p.done:
			p.done <- err
			if err != nil {
				t.Fatalf("run = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return")
		}
	})
}

// TestPrivateFiles: the embedded database (with its -wal and -shm files) and
// the generated JWT key are readable by their owner only, whatever the umask.
func TestPrivateFiles(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("PostgreSQL keeps no files here and needs CONSENSO_JWT_SECRET; the SQLite run covers this")
	}
	old := syscall.Umask(0o022) // what most systems run with: new files 0644
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	db := filepath.Join(dir, "consenso.db")
	p := start(t, map[string]string{"CONSENSO_DATABASE_URL": db})
	if code := p.login(t, "admin@consenso.local", "wrong password, but it reads the database"); code != 401 {
		t.Fatalf("login: %d", code)
	}
	files := []string{db, filepath.Join(dir, "consenso.jwt-secret")}
	for _, side := range []string{"-wal", "-shm"} { // present while the database is open in WAL mode
		if _, err := os.Stat(db + side); err == nil {
			files = append(files, db+side)
		}
	}
	if len(files) < 4 {
		t.Logf("no -wal or -shm file to check; files: %v", files)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", filepath.Base(f), mode)
		}
	}
}
