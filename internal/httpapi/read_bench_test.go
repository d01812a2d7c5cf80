package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// BenchmarkReadClause reads one clause through the router (authentication,
// load, encode): the per-request cost of the API's most common read.
func BenchmarkReadClause(b *testing.B) {
	d := newDrafter(b)
	gid := d.largeGuideline(10)
	cs := d.serve("GET", "/api/v1/guidelines/"+gid+"/clauses?limit=1", "")
	if cs.Code != http.StatusOK {
		b.Fatalf("status %d", cs.Code)
	}
	var body struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(cs.Body.Bytes(), &body); err != nil {
		b.Fatal(err)
	}
	path := "/api/v1/clauses/" + body.Items[0].ID
	b.Run("clause", func(b *testing.B) {
		for b.Loop() {
			if w := d.serve("GET", path, ""); w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
	b.Run("healthz", func(b *testing.B) {
		for b.Loop() {
			if w := d.serve("GET", "/healthz", ""); w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
