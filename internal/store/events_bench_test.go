package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

// BenchmarkPublicationEvents reads what an integration polls: the
// publication events after the adoption it last saw, in a guideline whose
// log holds CONSENSO_BENCH_EVENTS events (1,000,000 unless set), nearly all
// comments, after that adoption; beside it, a page of every event after the
// same point, as a participant reads it. PostgreSQL only (TEST_DATABASE_URL):
// the plans measured are production's.
//
//	TEST_DATABASE_URL=… go test -run '^$' -bench PublicationEvents ./internal/store
func BenchmarkPublicationEvents(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("set TEST_DATABASE_URL: the plans measured are PostgreSQL's")
	}
	n := 1_000_000
	if v := os.Getenv("CONSENSO_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			b.Fatalf("CONSENSO_BENCH_EVENTS=%q: want a number of events, 10 or more", v)
		}
	}
	clk := clocktest.New()
	s := storetest.MustOpen(b, clk.Now)
	w := mustWorld(b, s, clk.Now())
	// The adoption is event 1; a progress report comes at nine tenths of
	// the log; every other event is a comment.
	if err := s.DB().Exec(`INSERT INTO events (id, guideline_id, type, actor_id, subject_id, data, created_at)
		SELECT i, ?, CASE WHEN i = 1 THEN 'guideline.adopted' WHEN i = ? THEN 'progress.reported' ELSE 'comment.created' END,
			?, 'subject', '{"body":"We propose to align this wording with the Palermo Protocol."}', ?::timestamp + make_interval(secs => i)
		FROM generate_series(1, ?) AS i`, w.Guideline.ID, n*9/10, w.Delegate.ID, clk.Now(), n).Error; err != nil {
		b.Fatalf("insert events: %v", err)
	}
	if err := s.DB().Exec("VACUUM ANALYZE events").Error; err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	for _, bc := range []struct {
		name  string
		types []string
		want  int
	}{
		{"publication_after_adoption", []string{drafting.EventGuidelineAdopted, drafting.EventProgressReported}, 1},
		{"all_after_adoption", nil, 51},
	} {
		f := store.EventFilter{GuidelineID: w.Guideline.ID, After: 1, Limit: 51, Types: bc.types}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				var got []drafting.Event
				err := s.Read(context.Background(), func(tx *store.Tx) error {
					var err error
					got, err = tx.Events(f)
					return err
				})
				if err != nil || len(got) != bc.want {
					b.Fatalf("%d events, %v; want %d", len(got), err, bc.want)
				}
			}
		})
	}
}
