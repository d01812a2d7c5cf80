package httpapi_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// TestFilteredCommentPagesAreBounded: a filtered page of a guideline's
// comments reads at most 1,000 of them, so behind 1,200 comments of Belize
// the first page of Mexico's is empty and carries a next cursor; following
// the cursors gives Mexico's comments, each once, in order.
func TestFilteredCommentPagesAreBounded(t *testing.T) {
	d := newDelib(t)
	cid := d.mustOpenClause()
	var mexico []string
	t0 := d.clock.Now().UTC().Truncate(time.Microsecond)
	if err := d.store.Write(context.Background(), func(tx *store.Tx) error {
		for i := range 1203 {
			author, country := d.heads["BZ"], "BZ"
			if i >= 1200 {
				author, country = d.heads["MX"], "MX"
			}
			at := t0.Add(time.Duration(i) * time.Millisecond)
			c := drafting.Comment{ID: uuid.NewString(), GuidelineID: d.gid, ClauseID: cid, ClauseVersion: 1, AuthorID: author.ID,
				Country: country, Kind: drafting.KindGeneral, Body: "A remark.", Status: drafting.CommentOpen, Revision: 1,
				CreatedAt: at, UpdatedAt: at}
			if country == "MX" {
				mexico = append(mexico, c.ID)
			}
			if err := tx.InsertComment(c); err != nil {
				return err
			}
		}
		_, err := tx.Outbox(nil) // their counts, as the service would leave them
		return err
	}); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/guidelines/" + d.gid + "/comments?country=MX&limit=2"
	first := d.get(base, d.fac).want(200).JSON()
	if items := first["items"].([]any); len(items) != 0 || first["next_cursor"] == nil {
		t.Fatalf("first page = %d items, next %v; want none read within the bound, and a cursor", len(items), first["next_cursor"])
	}
	var got []string
	path := base
	for pages := 0; path != "" && pages < 10; pages++ {
		body := d.get(path, d.fac).want(200).JSON()
		for _, it := range body["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		path = ""
		if next, _ := body["next_cursor"].(string); next != "" {
			path = base + "&cursor=" + url.QueryEscape(next)
		}
	}
	if len(got) != len(mexico) {
		t.Fatalf("Mexico's comments through the pages = %v, want %v", got, mexico)
	}
	for i := range got {
		if got[i] != mexico[i] {
			t.Fatalf("Mexico's comments through the pages = %v, want %v", got, mexico)
		}
	}
}
