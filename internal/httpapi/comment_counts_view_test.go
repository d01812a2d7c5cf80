package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// TestCommentCountViewNamesEveryStatus: by_status is a struct with a field
// per comment status; a status added to drafting.CommentStatuses without a
// field would vanish from the answer. Each status is counted alone and must
// come back under its own name, as a map would have encoded it.
func TestCommentCountViewNamesEveryStatus(t *testing.T) {
	for i, st := range drafting.CommentStatuses {
		n := i + 1
		raw, err := json.Marshal(toCommentCountView(service.CommentTally{ClauseID: "c", Number: "1.1", Speaker: "BZ",
			ByStatus: map[drafting.CommentStatus]int{st: n}, Total: n}).ByStatus)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(map[drafting.CommentStatus]int{st: n})
		if string(raw) != string(want) {
			t.Errorf("by_status of %d %s comments = %s, want %s", n, st, raw, want)
		}
	}
}
