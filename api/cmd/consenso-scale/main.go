// Command consenso-scale is the scale benchmark of issue 13: it grows a
// PostgreSQL schema to a negotiation archive of a given size — eight
// countries with their heads and delegates, clauses in sections with their
// versions, comments (five hot clauses drawing 30% of them), positions and
// the event log, every invariant kept — then measures the API's read
// endpoints through the real HTTP server on loopback, small archive against
// large (both served at once, each endpoint measured on one right after the
// other), and prints p50 and p99 per endpoint with the large/small ratio as
// a Markdown table.
//
//	go run ./api/cmd/consenso-scale -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Each archive lives in a schema of its own, dropped afterwards (-keep
// keeps it). Only a loopback database is accepted; requests go to a
// loopback port, bounded in count and time. docs/performance.md has the
// method and the latest figures.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The benchmark's one clock: it times requests and dates the archive.
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "consenso-scale:", err)
		os.Exit(1)
	}
}

// seedPassword is every seeded account's password.
const seedPassword = "scale-benchmark-password"

// options are the command's flags.
type options struct {
	DB     string
	Sizes  []shape
	Load   load
	Deep   int
	Seed   uint64
	Keep   bool
	Verify bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("consenso-scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{}
	fs.StringVar(&o.DB, "db", os.Getenv("CONSENSO_SCALE_DATABASE_URL"), "PostgreSQL URL on a loopback host (default $CONSENSO_SCALE_DATABASE_URL)")
	sizes := fs.String("sizes", "small,large", "archives to build and measure, in order: small, large")
	comments := fs.Int("large-comments", largeShape.Comments, "comments of the large archive")
	sections := fs.Int("large-sections", largeShape.Sections, "sections of 100 clauses in the large archive")
	fs.IntVar(&o.Load.Requests, "requests", 200, "requests per endpoint (at most 10000)")
	fs.IntVar(&o.Load.Workers, "workers", 4, "concurrent clients (at most 64)")
	fs.DurationVar(&o.Load.Timeout, "timeout", 10*time.Second, "per-request timeout; slower answers are reported as > timeout")
	fs.DurationVar(&o.Load.Budget, "budget", 60*time.Second, "time limit of one endpoint's run (at most 10m)")
	fs.IntVar(&o.Load.Warmup, "warmup", 5, "unmeasured requests before each endpoint's run")
	fs.IntVar(&o.Deep, "deep", 500, "page number of the deep comment pages (cursors followed from the first)")
	fs.Uint64Var(&o.Seed, "seed", 13, "seed of the generated archive")
	fs.BoolVar(&o.Keep, "keep", false, "keep the schemas (their names are printed) instead of dropping them")
	fs.BoolVar(&o.Verify, "verify", true, "check the archive's invariants after seeding")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := loopbackDB(o.DB); err != nil {
		return o, err
	}
	l := o.Load
	if l.Requests < 1 || l.Requests > 10000 || l.Workers < 1 || l.Workers > 64 || l.Timeout <= 0 || l.Budget <= 0 ||
		l.Budget > 10*time.Minute || l.Warmup < 0 || l.Warmup > 100 || o.Deep < 1 {
		return o, errors.New("-requests 1..10000, -workers 1..64, -timeout > 0, -budget up to 10m, -warmup 0..100, -deep >= 1")
	}
	large := largeShape
	large.Comments, large.Sections = *comments, *sections
	if large.Comments < 0 || large.Sections < 1 {
		return o, errors.New("-large-comments >= 0 and -large-sections >= 1")
	}
	for _, name := range strings.Split(*sizes, ",") {
		switch strings.TrimSpace(name) {
		case "small":
			o.Sizes = append(o.Sizes, smallShape)
		case "large":
			o.Sizes = append(o.Sizes, large)
		default:
			return o, fmt.Errorf("-sizes: unknown size %q (small, large)", name)
		}
	}
	return o, nil
}

// loopbackDB refuses any database that is not PostgreSQL on this machine's
// loopback: the benchmark creates and drops schemas and loads gigabytes.
func loopbackDB(raw string) error {
	if raw == "" {
		return errors.New("-db is required: a postgres:// URL on 127.0.0.1, ::1 or localhost")
	}
	if !store.IsPostgres(raw) {
		return errors.New("-db must be a postgres:// URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-db: %q is not a loopback host; the benchmark runs against this machine only", host)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	hash, err := auth.HashPassword(auth.DefaultArgon2, seedPassword)
	if err != nil {
		return err
	}
	// Every archive is built and served first; then each endpoint is
	// measured on every archive in turn, so that the ratio compares runs
	// taken moments apart on a machine whose load may drift.
	var archives []*archive
	defer func() {
		for _, a := range archives {
			a.close()
		}
	}()
	for _, s := range o.Sizes {
		a, err := buildArchive(ctx, o, s, hash, now, log, stdout)
		if a != nil {
			archives = append(archives, a)
		}
		if err != nil {
			return fmt.Errorf("%s archive: %w", s.Name, err)
		}
	}
	for i := range archives[0].run.Targets {
		for _, a := range archives {
			t := a.run.Targets[i]
			res := measure(ctx, a.client, t, o.Load, now)
			fmt.Fprintf(stdout, "%s: %-45s p50 %-10s p99 %-10s %d ok, %d timed out, %d bytes %s\n", a.run.Shape.Name, t.Name,
				latency(res.P50, o.Load.Timeout), latency(res.P99, o.Load.Timeout), res.Done, res.TimedOut, res.Bytes, res.Err)
			a.run.Results = append(a.run.Results, res)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	runs := make([]archiveRun, len(archives))
	for i, a := range archives {
		runs[i] = a.run
	}
	report(stdout, runs, o.Load)
	return nil
}

// archiveRun is what was built and measured for one archive.
type archiveRun struct {
	Shape   shape
	Timings []string // how long each step of the build took
	Notes   []string
	Targets []target
	Results []result
}

// archive is one built archive, served and ready to be measured.
type archive struct {
	run    archiveRun
	client *client
	closer []func() // in reverse order of need
}

func (a *archive) close() {
	for i := len(a.closer) - 1; i >= 0; i-- {
		a.closer[i]()
	}
}

// buildArchive builds one archive in a schema of its own, starts the
// server on it and prepares what is measured. Its close stops the server
// and drops the schema (unless -keep); it is returned with any error that
// came after the schema was made.
func buildArchive(ctx context.Context, o options, s shape, hash string, now func() time.Time, log *slog.Logger, stdout io.Writer) (*archive, error) {
	a := &archive{run: archiveRun{Shape: s}}
	step := func(name string, fn func() error) error {
		start := now()
		fmt.Fprintf(stdout, "%s: %s…\n", s.Name, name)
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		a.run.Timings = append(a.run.Timings, fmt.Sprintf("%s %s", name, now().Sub(start).Round(100*time.Millisecond)))
		return nil
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	schema := "consenso_scale_" + s.Name + "_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	a.closer = append(a.closer, func() { _ = admin.Close(context.Background()) })
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+quoteIdent(schema)); err != nil {
		return a, err
	}
	if o.Keep {
		fmt.Fprintf(stdout, "%s: schema %s is kept\n", s.Name, schema)
	} else {
		a.closer = append(a.closer, func() {
			_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+quoteIdent(schema)+" CASCADE")
		})
	}
	dbURL, err := withSearchPath(o.DB, schema)
	if err != nil {
		return a, err
	}
	if err := step("migrate", func() error { return migrate(ctx, dbURL, log, now) }); err != nil {
		return a, err
	}
	var p *plan
	if err := step("plan", func() error { p = newPlan(s, o.Seed, now()); return nil }); err != nil {
		return a, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return a, err
	}
	a.closer = append(a.closer, func() { _ = conn.Close(context.Background()) })
	var lastEvent int64
	if err := step(fmt.Sprintf("seed (%d clauses, %d comments, %d positions)", s.clauses(), s.Comments, len(p.Positions)), func() error {
		var err error
		lastEvent, err = seed(ctx, conn, p, hash)
		return err
	}); err != nil {
		return a, err
	}
	// As autovacuum would leave them, on this schema's tables only.
	if err := step("vacuum analyze", func() error {
		_, err := conn.Exec(ctx, "VACUUM (ANALYZE) users, guidelines, guideline_participants, sections, clauses, clause_versions, comments, comment_counts, positions, events")
		return err
	}); err != nil {
		return a, err
	}
	if o.Verify {
		if err := step("verify", func() error { return verify(ctx, conn) }); err != nil {
			return a, err
		}
	}
	a.run.Notes = append(a.run.Notes, fmt.Sprintf("%d events", lastEvent))
	srv, err := startServer(ctx, dbURL, now, log)
	if err != nil {
		return a, err
	}
	a.closer = append(a.closer, srv.stop)
	a.client = newClient(srv.URL, o.Load.Workers)
	var prep prepared
	if err := step("prepare", func() error {
		var err error
		prep, err = prepare(ctx, a.client, p, lastEvent, o.Deep)
		return err
	}); err != nil {
		return a, err
	}
	a.run.Notes, a.run.Targets = append(a.run.Notes, prep.Notes...), prep.Targets
	return a, nil
}

// migrate applies the migrations to the new schema as the server does.
func migrate(ctx context.Context, dbURL string, log *slog.Logger, now func() time.Time) error {
	st, err := store.Open(ctx, dbURL, log, now)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx, log)
}

// withSearchPath points a PostgreSQL URL at one schema.
func withSearchPath(raw, schema string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// machine describes where the figures were taken.
func machine() string {
	return fmt.Sprintf("%d CPUs (GOMAXPROCS %d), %s/%s, %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
