package service

import (
	"sync"
	"time"

	"github.com/rcm-iom/consenso/internal/store"
)

// Answers assembled from many rows of one guideline are kept (kept.Cache),
// each labelled with the guideline's revision when it was read: the id of
// the guideline's newest event (store.Tx.LatestEventID). Every write
// that changes what such an answer shows — a clause's text, status, number
// or section, the guideline's languages — records an event in its own
// transaction, and event ids follow commit order, so an entry whose label
// equals the guideline's revision now is exactly what reading the rows
// again would give. A hit therefore costs at most one indexed query (the
// revision, none while the watch below knows it) instead of the answer's
// statements and decoding, and stays correct on every replica.
//
// Entries are filled by reading the revision first and the rows after it,
// so an entry is never older than its label (a write landing in between
// makes it newer, and the next read refreshes it).

// revisionWatch lets a replica skip even the one query of a kept answer
// while it hears of every change: on PostgreSQL every write NOTIFYs its
// guideline inside its transaction, and the replica's listener
// (events.Listen) reports each notification here, as this replica's own
// writes do once they commit. A guideline's revision read from the
// database is then known until a change of that guideline is heard, the
// listener's connection drops (notifications could be missed), or
// revisionTTL passes (a connection that died without a word).
//
// Another replica's commit is seen here once its notification arrives —
// the same delay as the account cache's — and this replica's own at once.
// Without a listener (SQLite, one process; tests of replicas without one)
// nothing is known, and every use asks the database as before.
type revisionWatch struct {
	mu        sync.Mutex
	listening bool
	known     map[string]knownRevision
	// heard counts the changes heard per guideline, so a revision read
	// while a change was heard is not learnt.
	heard map[string]uint64
	// epoch counts the times everything was forgotten.
	epoch uint64
}

type knownRevision struct {
	revision int64
	at       time.Time
}

// revisionTTL bounds how long a revision is trusted without a word from
// the listener.
const revisionTTL = time.Second

// maxWatched bounds the guidelines whose revisions are known at once.
const maxWatched = 10000

// watchToken is what begin returns and learn checks: the changes heard
// before the database was asked.
type watchToken struct{ heard, epoch uint64 }

func newRevisionWatch() *revisionWatch {
	return &revisionWatch{known: map[string]knownRevision{}, heard: map[string]uint64{}}
}

// revision is the guideline's revision, when known.
func (w *revisionWatch) revision(gid string, now time.Time) (int64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k, ok := w.known[gid]
	if !ok || !w.listening || now.Sub(k.at) > revisionTTL || now.Before(k.at) {
		return 0, false
	}
	return k.revision, true
}

// begin is called before the database is asked for a revision.
func (w *revisionWatch) begin(gid string) watchToken {
	w.mu.Lock()
	defer w.mu.Unlock()
	return watchToken{heard: w.heard[gid], epoch: w.epoch}
}

// learn keeps the revision the database gave, unless a change of the
// guideline was heard since begin (the answer may predate it), or nothing
// is heard at all.
func (w *revisionWatch) learn(gid string, rev int64, t watchToken, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.listening || rev == 0 || t.epoch != w.epoch || t.heard != w.heard[gid] {
		return
	}
	if len(w.known) >= maxWatched {
		w.known = map[string]knownRevision{}
	}
	w.known[gid] = knownRevision{revision: rev, at: now}
}

// changed forgets the guideline's revision: a change of it committed.
func (w *revisionWatch) changed(gid string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.known, gid)
	if len(w.heard) >= maxWatched {
		// Forgetting the counts must not let an old answer be learnt.
		w.heard = map[string]uint64{}
		w.known = map[string]knownRevision{}
		w.epoch++
	}
	w.heard[gid]++
}

// setListening forgets everything and records whether every later commit
// will be heard.
func (w *revisionWatch) setListening(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.listening = on
	w.known = map[string]knownRevision{}
	w.epoch++
}

// GuidelineChanged tells the replica that a commit recorded events of the
// guideline (the PostgreSQL listener calls it for every notification), so
// its revision is asked of the database again.
func (s *Service) GuidelineChanged(id string) { s.watch.changed(id) }

// Listening tells the replica whether its listener hears every commit from
// now on (on: LISTEN is in place) or may miss some (the connection is
// lost); only while it does are guidelines' revisions known without asking
// the database.
func (s *Service) Listening(on bool) { s.watch.setListening(on) }

// revision is the guideline's revision (store.Tx.LatestEventID): known
// without a query while the listener hears every change, else read and
// learnt.
func (s *Service) revision(tx *store.Tx, gid string) (int64, error) {
	now := s.clock()
	if rev, ok := s.watch.revision(gid, now); ok {
		return rev, nil
	}
	t := s.watch.begin(gid)
	rev, err := tx.LatestEventID(gid)
	if err == nil {
		s.watch.learn(gid, rev, t, now)
	}
	return rev, err
}
