package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rcm-iom/consenso/api"
	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/events"
	"github.com/rcm-iom/consenso/internal/httpapi"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store"
)

// server is the real program's HTTP server, wired as api/cmd/consenso wires
// it for PostgreSQL (store, service, LISTEN wake-ups, router), listening on
// a loopback port of its own. The background jobs that a benchmark of reads
// does not exercise (silence sweep, purger, webhook deliveries) are left out.
type server struct {
	URL  string
	stop func()
}

func startServer(ctx context.Context, dbURL string, now func() time.Time, log *slog.Logger) (*server, error) {
	st, err := store.Open(ctx, dbURL, log, now)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, log); err != nil {
		_ = st.Close()
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	// Tokens outlive the longest measurement.
	tokens, err := auth.NewTokens([]byte(hex.EncodeToString(key)), 2*time.Hour, now)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	svc := service.New(service.Config{Store: st, Tokens: tokens, Log: log, Now: now, RefreshTTL: 24 * time.Hour})
	hub := events.NewHub(5)
	bg, stopBackground := context.WithCancel(context.Background())
	go events.Listen(bg, dbURL, hub, svc, log)
	h, err := httpapi.New(httpapi.Config{Service: svc, Log: log, Spec: api.OpenAPI, Hub: hub,
		Ready: func(ctx context.Context) error { return st.Ping(ctx) }})
	if err != nil {
		stopBackground()
		_ = st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopBackground()
		_ = st.Close()
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { _ = hs.Serve(ln) }()
	return &server{URL: "http://" + ln.Addr().String(), stop: func() {
		hub.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		stopBackground()
		_ = st.Close()
	}}, nil
}
