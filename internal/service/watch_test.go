package service

import (
	"testing"
	"time"
)

// TestRevisionWatch: a revision is known only while the listener hears
// every change, only if no change of the guideline was heard while the
// database was asked, and until a change is heard, the listener reconnects
// or revisionTTL passes.
func TestRevisionWatch(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	known := func(w *revisionWatch, at time.Time) int64 {
		rev, ok := w.revision("g", at)
		if !ok {
			return -1
		}
		return rev
	}
	for _, tc := range []struct {
		name string
		run  func(w *revisionWatch)
		at   time.Time
		want int64 // -1: not known
	}{
		{"learnt while listening", func(w *revisionWatch) { w.learn("g", 7, w.begin("g"), now) }, now, 7},
		{"not listening", func(w *revisionWatch) { w.setListening(false); w.learn("g", 7, w.begin("g"), now) }, now, -1},
		{"a change heard while asking", func(w *revisionWatch) {
			tok := w.begin("g")
			w.changed("g")
			w.learn("g", 7, tok, now)
		}, now, -1},
		{"a change of another guideline heard while asking", func(w *revisionWatch) {
			tok := w.begin("g")
			w.changed("h")
			w.learn("g", 7, tok, now)
		}, now, 7},
		{"a change heard after", func(w *revisionWatch) { w.learn("g", 7, w.begin("g"), now); w.changed("g") }, now, -1},
		{"reconnected while asking", func(w *revisionWatch) {
			tok := w.begin("g")
			w.setListening(true)
			w.learn("g", 7, tok, now)
		}, now, -1},
		{"connection lost after", func(w *revisionWatch) { w.learn("g", 7, w.begin("g"), now); w.setListening(false) }, now, -1},
		{"within the TTL", func(w *revisionWatch) { w.learn("g", 7, w.begin("g"), now) }, now.Add(revisionTTL), 7},
		{"past the TTL", func(w *revisionWatch) { w.learn("g", 7, w.begin("g"), now) }, now.Add(revisionTTL + time.Microsecond), -1},
		{"a guideline without events (unknown id)", func(w *revisionWatch) { w.learn("g", 0, w.begin("g"), now) }, now, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newRevisionWatch()
			w.setListening(true)
			tc.run(w)
			if got := known(w, tc.at); got != tc.want {
				t.Fatalf("revision known = %d, want %d (-1: not known)", got, tc.want)
			}
		})
	}
}
