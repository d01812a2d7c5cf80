// Package service holds Consenso's use cases. Each method authorizes the
// caller, loads what it needs, applies a domain rule from package drafting,
// saves, and records the event — in one transaction with one fixed "now".
package service

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/kept"
	"github.com/rcm-iom/consenso/internal/store"
)

// Publisher is told about events once their transaction has committed
// (the live stream hub; PostgreSQL NOTIFY for other replicas).
type Publisher interface {
	Publish(events []drafting.Event)
}

// Config carries the service's dependencies.
type Config struct {
	Store  *store.Store
	Tokens *auth.Tokens
	Log    *slog.Logger
	// Now is the program's one clock (required); NewID is injected so
	// tests are exact.
	Now   func() time.Time
	NewID func() string
	// Argon2 parameters for new password hashes.
	Argon2 auth.Argon2Params
	// RefreshTTL is how long a refresh token lives.
	RefreshTTL time.Duration
	Publisher  Publisher
	// HashSlots bounds the password hashes running at once (each takes
	// 64 MiB with the default parameters); zero means one per CPU the
	// process may use (runtime.GOMAXPROCS, which follows a container's
	// CPU limit).
	// HashWait is how long a request waits for a slot before it is told
	// to come back (503); zero means 2 s.
	HashSlots int
	HashWait  time.Duration
	// OnHash, when set, runs with a hashing slot held, just before the
	// hash: tests use it to hold the slot.
	OnHash func()
	// AfterCommit, when set, runs after a write commits and before it
	// publishes: tests use it to let another replica publish first.
	AfterCommit func()
	// MinSilence is the shortest silence procedure (CONSENSO_MIN_SILENCE;
	// 0: drafting.DefaultMinSilence, 24 h). Tests and the demo may lower it.
	MinSilence time.Duration
}

// Service implements every use case.
type Service struct {
	store      *store.Store
	tokens     *auth.Tokens
	log        *slog.Logger
	now        func() time.Time
	newID      func() string
	argon      auth.Argon2Params
	refreshTTL time.Duration
	minSilence time.Duration
	publisher  Publisher
	// afterCommit is Config.AfterCommit.
	afterCommit func()
	limits      *signinLimits
	hashing     *hashGate
	principals  principalCache
	// approved keeps renderings of approved versions, served after the
	// caller is authorized.
	approved *approvedCache
	// clauseViews and clausePages keep clause reads, checked against the
	// guideline's revision on every use (read_cache.go).
	clauseViews *kept.Cache[ClauseView]
	clausePages *kept.Cache[clausePage]
	countPages  *kept.Cache[commentCountsPage]
	// commentTargets keeps what a comment is checked against, its clause
	// and guideline, for the next comment on the clause; the comment's
	// insert checks that they are unchanged (comments.go).
	commentTargets *kept.Cache[commentTarget]
	// watch knows guidelines' revisions while the listener hears every
	// change (read_cache.go).
	watch *revisionWatch
	// pub coalesces the publications of committed writes (publish.go).
	pub *publishing
	// streamReads coalesces identical event-log reads of woken streams.
	streamReads singleflight.Group
	// webhookPrivate allows plain-http webhook targets on private
	// addresses (CONSENSO_WEBHOOK_ALLOW_PRIVATE).
	webhookPrivate atomic.Bool
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, tokens: cfg.Tokens, log: cfg.Log, now: cfg.Now, newID: cfg.NewID,
		argon: cfg.Argon2, refreshTTL: cfg.RefreshTTL, publisher: cfg.Publisher, minSilence: cfg.MinSilence,
		afterCommit: cfg.AfterCommit,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		panic("service.New: Config.Now is required: the program's clock is wired in run")
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.NewString() }
	}
	if s.argon == (auth.Argon2Params{}) {
		s.argon = auth.DefaultArgon2
	}
	if s.refreshTTL == 0 {
		s.refreshTTL = 30 * 24 * time.Hour
	}
	s.approved = newApprovedCache()
	s.clauseViews = kept.New[ClauseView](20000)
	s.clausePages = kept.New[clausePage](2000)
	s.countPages = kept.New[commentCountsPage](2000)
	s.commentTargets = kept.New[commentTarget](5000)
	s.watch = newRevisionWatch()
	s.pub = newPublishing()
	s.limits = newSigninLimits()
	slots, wait := cfg.HashSlots, cfg.HashWait
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = defaultHashWait
	}
	s.hashing = newHashGate(slots, wait, cfg.OnHash, s.argon.Memory >= collectHashesOf)
	if s.minSilence <= 0 {
		s.minSilence = drafting.DefaultMinSilence
	}
	return s
}

// SetPublisher connects the live stream after construction.
func (s *Service) SetPublisher(p Publisher) { s.publisher = p }

// Now returns the program's current time, for the layers above the service
// (the HTTP layer compares token expiry and cache ages with it).
func (s *Service) Now() time.Time { return s.now() }

// clock returns the current time as stored: UTC, microsecond precision (what
// PostgreSQL keeps), so values read back compare equal.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// unit is one transaction of a use case: the store transaction, its fixed
// time, and the events it records.
type unit struct {
	*store.Tx
	now    time.Time
	actor  string
	events []drafting.Event
	// accounts is set when the transaction changes who may do what, so
	// the account caches are emptied once it commits.
	accounts bool
}

// emit records an event of the transaction: it is left in the outbox when
// the transaction ends, and numbered once it has committed (publish).
func (u *unit) emit(typ, guidelineID, subjectID string, data map[string]any) error {
	e := drafting.Event{GuidelineID: guidelineID, Type: typ, ActorID: u.actor, SubjectID: subjectID,
		Data: eventData(typ, subjectID, data), CreatedAt: u.now}
	if accountEvents[e.Type] {
		if err := u.accountsChanged(); err != nil {
			return err
		}
	}
	u.events = append(u.events, e)
	return nil
}

// accountsChanged records that the transaction changes an account, a client
// or a sign-in: once it commits, this replica forgets the callers it has
// cached, and the others do when the notification sent here reaches them.
func (u *unit) accountsChanged() error {
	if u.accounts {
		return nil
	}
	u.accounts = true
	return u.Notify(store.NotifyAccounts)
}

// write runs fn in one transaction, whose last statement leaves its events
// and comment counts in the outbox, and publishes them once it has
// committed: when write returns, what it wrote is published (unless the
// publication failed: RunPublisher then publishes it), so the caller reads
// its own writes, in the event log and the kept reads alike.
func (s *Service) write(ctx context.Context, actor string, fn func(u *unit) error) error {
	var accounts, queued bool
	var events []drafting.Event
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		u := &unit{Tx: tx, now: s.clock(), actor: actor}
		if err := fn(u); err != nil {
			return err
		}
		accounts, events = u.accounts, u.events
		var err error
		queued, err = u.Outbox(u.events)
		return err
	})
	if queued && err == nil {
		if s.afterCommit != nil {
			s.afterCommit()
		}
		s.publish(ctx)
	}
	// Whether this replica published them or another's RunPublisher took
	// them first (its NOTIFY may still be on its way), and whether or not
	// the commit went through (a lost connection leaves it unknown), the
	// guidelines written are no longer known here.
	s.forget(events)
	if err != nil {
		return translate(err)
	}
	if accounts {
		s.principals.invalidate()
	}
	return nil
}

// read runs fn outside a transaction.
func (s *Service) read(ctx context.Context, fn func(tx *store.Tx) error) error {
	return translate(s.store.Read(ctx, fn))
}

// translate turns store-level failures into domain errors where the caller
// can act on them: a database that did not answer now (store.IsTransient)
// is "unavailable, retry"; anything else unexpected stays internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *drafting.Error
	if errors.As(err, &de) && de.Kind != drafting.KindInternal {
		return err
	}
	if store.IsTransient(err) {
		return unavailable(err)
	}
	if de != nil {
		return err
	}
	return &drafting.Error{Kind: drafting.KindInternal, Code: "internal", Message: "internal error", Err: err}
}

// unavailableRetry is the Retry-After of a 503, in seconds: a database that
// dropped its connections or restarted usually answers again within that.
const unavailableRetry = 2

// unavailable is the error of a use case the database could not serve now.
// It is never remembered (cached) and the client is told when to retry.
func unavailable(err error) error {
	return &drafting.Error{Kind: drafting.KindUnavailable, Code: "service.unavailable",
		Message: "the service cannot reach its database just now; try again shortly",
		Data:    map[string]any{"retry_after": unavailableRetry}, Err: err}
}

func forbidden(msg string) error {
	return drafting.Errorf(drafting.KindForbidden, "auth.forbidden", "%s", msg)
}
