package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rcm-iom/consenso/internal/store"
)

// Replica is what Listen keeps informed: the caches of this replica
// (*service.Service).
type Replica interface {
	// InvalidatePrincipals: another replica changed an account or a
	// client, or ended a sign-in.
	InvalidatePrincipals()
	// GuidelineChanged: a commit recorded events of the guideline.
	GuidelineChanged(id string)
	// Listening: on once LISTEN is in place (every later commit is
	// heard), off when the connection is lost (some may be missed).
	Listening(on bool)
}

// Listen relays PostgreSQL notifications to the hub and the replica until
// ctx ends, so every replica's streams wake on every replica's events, its
// kept reads learn that a guideline changed, and its cached callers are
// forgotten when another replica changed an account or a client, or ended a
// sign-in (sign-out, a replayed refresh token, a password change), so a
// revoked token is refused here too. After a (re)connect it wakes every
// stream, which then catches up from the log, and forgets every cached
// caller and revision: nothing is missed while the connection was down.
func Listen(ctx context.Context, url string, hub *Hub, r Replica, log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, url, hub, r)
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

func listenOnce(ctx context.Context, url string, hub *Hub, r Replica) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+store.NotifyChannel); err != nil {
		return err
	}
	// Anything may have changed while the connection was down.
	r.Listening(true)
	defer r.Listening(false)
	hub.Wake("")
	r.InvalidatePrincipals()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == store.NotifyAccounts {
			r.InvalidatePrincipals()
			continue
		}
		r.GuidelineChanged(n.Payload)
		hub.Wake(n.Payload)
	}
}
