// Command consenso serves the Consenso API: regional guidelines negotiated
// clause by clause until consensus. main only calls run, so tests can start
// the real program.
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
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/demo"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "consenso:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx is cancelled, then shuts down
// gracefully: in-flight requests finish within the shutdown timeout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed already
	}
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}

	// The program's one clock: every package that needs "now" is handed
	// this function, so no two clocks ever decide one question.
	now := time.Now

	key, err := jwtKey(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, log, now)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetMaxConns(cfg.DBConns)
	if err := st.Migrate(ctx, log); err != nil {
		return err
	}
	tokens, err := auth.NewTokens(key, cfg.AccessTTL, now)
	if err != nil {
		return err
	}
	svc := service.New(service.Config{Store: st, Tokens: tokens, Log: log, Now: now, RefreshTTL: cfg.RefreshTTL,
		HashSlots: cfg.HashSlots, MinSilence: cfg.MinSilence})
	svc.SetWebhookAllowPrivate(cfg.WebhookAllowPriv)
	hub := events.NewHub(cfg.StreamsPerUser)
	// Background work stops with bg; it outlives ctx until requests drain.
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	if st.Dialect() == store.Postgres {
		// Every publication of events NOTIFYs their guidelines; each
		// replica listens and wakes its own streams.
		go events.Listen(bg, cfg.DatabaseURL, hub, svc, log)
	} else {
		svc.SetPublisher(hub)
	}

	admin, created, err := bootstrap(ctx, svc, cfg, stdout)
	if err != nil {
		return err
	}
	if cfg.Demo {
		if !created {
			fmt.Fprintln(stdout, "Consenso: -demo ignored: the database is not empty (use a new CONSENSO_DATABASE_URL).")
		} else if err := demo.Load(ctx, svc, auth.Principal{ID: admin.ID, Role: admin.Role, Name: admin.Name}, stdout); err != nil {
			return err
		}
	}

	// The silence sweep concludes due procedures on time with no request
	// arriving; it catches up at once after a restart.
	go svc.RunSilenceSweeper(bg, cfg.SilenceSweepEvery)
	go svc.RunPurger(bg, time.Hour)
	// Each write publishes its own events once it commits; this publishes
	// what a write could not (the database failed between its commit and
	// its publication, or a replica stopped there).
	go svc.RunPublisher(bg, time.Second)
	deliverer := events.NewDeliverer(events.DelivererConfig{Store: st, Log: log.With("component", "webhooks"), Now: now, AllowPrivate: cfg.WebhookAllowPriv})
	webhooksDone := make(chan struct{})
	go func() { defer close(webhooksDone); deliverer.Run(bg) }()

	srv, err := httpapi.New(httpapi.Config{
		Service: svc, Log: log, BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.CORSOrigins,
		TrustedProxies: cfg.TrustedProxies, Spec: api.OpenAPI, Ready: readiness(st), Hub: hub,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(st.Dialect()))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	hub.Close() // live streams end now; other requests finish below
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopBackground()
	<-webhooksDone // an attempt in flight finishes or is left to be retried
	log.Info("stopped")
	return nil
}

func newLogger(cfg config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("CONSENSO_LOG_LEVEL: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("CONSENSO_LOG_FORMAT: want json or text")
}

// jwtKey returns the configured key or, for the embedded database, one
// generated on first start and kept beside the database file.
func jwtKey(cfg config) ([]byte, error) {
	if cfg.JWTSecret != "" {
		if len(cfg.JWTSecret) < auth.MinKeyLen {
			return nil, fmt.Errorf("CONSENSO_JWT_SECRET must be at least %d bytes", auth.MinKeyLen)
		}
		return []byte(cfg.JWTSecret), nil
	}
	if store.IsPostgres(cfg.DatabaseURL) {
		return nil, errors.New("CONSENSO_JWT_SECRET is required with PostgreSQL (every replica must share it); generate one with: openssl rand -hex 32")
	}
	path := strings.TrimSuffix(cfg.DatabaseURL, filepath.Ext(cfg.DatabaseURL)) + ".jwt-secret"
	if b, err := os.ReadFile(path); err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < auth.MinKeyLen {
			return nil, fmt.Errorf("%s holds a key shorter than %d bytes", path, auth.MinKeyLen)
		}
		return []byte(key), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("keep generated JWT key: %w", err)
	}
	return []byte(key), nil
}

// bootstrap creates the first admin on an empty database and tells the
// newcomer how to sign in.
func bootstrap(ctx context.Context, svc *service.Service, cfg config, stdout io.Writer) (drafting.User, bool, error) {
	user, generated, created, err := svc.BootstrapAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return user, false, fmt.Errorf("create first admin: %w", err)
	}
	if !created {
		return user, false, nil
	}
	host := cfg.Addr
	if strings.HasPrefix(host, ":") {
		host = "localhost" + host
	}
	if generated != "" {
		fmt.Fprintf(stdout, "\nConsenso: first start. An admin account was created; this password is shown only once.\n"+
			"  email:    %s\n  password: %s\nSign in:\n  curl -s -X POST http://%s/api/v1/auth/login -H 'Content-Type: application/json' -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n\n",
			user.Email, generated, host, user.Email, generated)
	} else {
		fmt.Fprintf(stdout, "Consenso: admin %s created from CONSENSO_ADMIN_EMAIL/CONSENSO_ADMIN_PASSWORD.\n", user.Email)
	}
	return user, true, nil
}

func readiness(st *store.Store) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := st.Ping(ctx); err != nil {
			return errors.New("database unreachable")
		}
		ok, err := st.SchemaCurrent(ctx)
		if err != nil {
			return errors.New("schema version unknown")
		}
		if !ok {
			return errors.New("schema not current")
		}
		return nil
	}
}
