package storetest

import (
	"fmt"
	"testing"

	"github.com/rcm-iom/consenso/internal/store"
)

// speakerSQL is who a comment counts for, as migration 00012 derives it.
const speakerSQL = "CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END"

// CommentCountsMatch fails tb unless the kept comment counts (the rows of
// comment_counts with n > 0) are exactly a fresh count of the comments,
// grouped by guideline, clause, speaker and status, with the open
// amendments besides. It returns how many counts by status there are.
func CommentCountsMatch(tb testing.TB, s *store.Store) int {
	tb.Helper()
	type row struct {
		GuidelineID, ClauseID, Speaker, Status string
		N                                      int
	}
	read := func(sql string) map[string]int {
		tb.Helper()
		var rows []row
		if err := s.DB().Raw(sql).Scan(&rows).Error; err != nil {
			tb.Fatalf("%s: %v", sql, err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[fmt.Sprintf("%s/%s/%s/%s", r.GuidelineID, r.ClauseID, r.Speaker, r.Status)] = r.N
		}
		return out
	}
	kept := read("SELECT guideline_id, clause_id, speaker, status, n FROM comment_counts WHERE n > 0")
	fresh := read("SELECT guideline_id, clause_id, " + speakerSQL + " AS speaker, status, COUNT(*) AS n FROM comments " +
		"GROUP BY guideline_id, clause_id, " + speakerSQL + ", status")
	statuses := len(fresh)
	// The open amendments, counted besides "open" (migration 00020).
	for k, n := range read("SELECT guideline_id, clause_id, " + speakerSQL + " AS speaker, '" + store.OpenAmendmentBucket +
		"' AS status, COUNT(*) AS n FROM comments WHERE kind = 'amendment' AND status = 'open' GROUP BY guideline_id, clause_id, " + speakerSQL) {
		fresh[k] = n
	}
	for k, n := range fresh {
		if kept[k] != n {
			tb.Errorf("comment count %s: kept %d, counted %d", k, kept[k], n)
		}
	}
	for k, n := range kept {
		if _, ok := fresh[k]; !ok {
			tb.Errorf("comment count %s: kept %d, counted 0", k, n)
		}
	}
	var negative int64
	if err := s.DB().Raw("SELECT COUNT(*) FROM comment_counts WHERE n < 0").Scan(&negative).Error; err != nil {
		tb.Fatal(err)
	}
	if negative > 0 {
		tb.Errorf("%d negative comment counts", negative)
	}
	return statuses
}
