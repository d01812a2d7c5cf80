package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rcm-iom/consenso/internal/store"
)

// Listen relays PostgreSQL notifications to the hub until ctx ends, so every
// replica's streams wake on every replica's events, and calls onAccounts
// when another replica changed an account or a client, or ended a sign-in
// (sign-out, a replayed refresh token, a password change), so this
// replica's cached callers are forgotten and a revoked token is refused
// here too. After a (re)connect it wakes every stream, which then catches up
// from the log, and forgets every cached caller: nothing is missed while the
// connection was down.
func Listen(ctx context.Context, url string, hub *Hub, onAccounts func(), log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, url, hub, onAccounts)
		if ctx.Err() != nil {
			return
		}
		log.Warn("event listener disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, url string, hub *Hub, onAccounts func()) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+store.NotifyChannel); err != nil {
		return err
	}
	// Anything may have changed while the connection was down.
	hub.Wake("")
	onAccounts()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == store.NotifyAccounts {
			onAccounts()
			continue
		}
		hub.Wake(n.Payload)
	}
}
