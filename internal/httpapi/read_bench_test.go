package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// BenchmarkApproved pulls the approved text of a 100-clause bilingual
// guideline through the router, as is, gzipped and revalidated (304).
func BenchmarkApproved(b *testing.B) {
	d := newDrafter(b)
	gid := d.largeGuideline(100)
	d.e.mustForceAgreed(gid)
	d.draft(gid, "Final")
	if w := d.serve("POST", "/api/v1/guidelines/"+gid+"/drafts/1/adopt", ""); w.Code != http.StatusCreated {
		b.Fatalf("adopt: %d %s", w.Code, w.Body.String())
	}
	path := "/api/v1/guidelines/" + gid + "/approved"
	first := d.serve("GET", path, "")
	etag := first.Header().Get("ETag")
	for _, c := range []struct{ name, header, value string }{
		{"json", "", ""}, {"gzip", "Accept-Encoding", "gzip"}, {"304", "If-None-Match", etag},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", path, nil)
				r.Header.Set("Authorization", "Bearer "+d.f.Token)
				if c.header != "" {
					r.Header.Set(c.header, c.value)
				}
				w := httptest.NewRecorder()
				d.e.srv.ServeHTTP(w, r)
				if w.Code != http.StatusOK && w.Code != http.StatusNotModified {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkClauseList reads the first page (50) of a 100-clause bilingual
// guideline's clause list through the router.
func BenchmarkClauseList(b *testing.B) {
	d := newDrafter(b)
	gid := d.largeGuideline(100)
	path := "/api/v1/guidelines/" + gid + "/clauses"
	for b.Loop() {
		if w := d.serve("GET", path, ""); w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
