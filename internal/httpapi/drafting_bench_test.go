package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

var (
	benchWordsEN = strings.Fields(`States shall ensure that consular officials are trained to identify victims of
		trafficking in persons and to refer them without delay to specialised services, with full respect for
		their rights, their safety, their privacy and their informed consent, in close cooperation with the
		competent authorities of the countries of origin, transit and destination`)
	benchWordsES = strings.Fields(`Los Estados velarán por que los funcionarios consulares estén capacitados para
		identificar a las víctimas de trata de personas y remitirlas sin demora a servicios especializados, con
		pleno respeto de sus derechos, su seguridad, su privacidad y su consentimiento informado, en estrecha
		cooperación con las autoridades competentes de los países de origen, tránsito y destino`)
)

// benchText is n words of one language, varied by seed so that no two
// clauses read the same.
func benchText(words []string, seed, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[(seed*7+i)%len(words)]
	}
	return strings.Join(out, " ") + "."
}

// largeGuideline builds a bilingual guideline of the given number of clauses
// (about 60 words per language each) spread over six sections, and returns
// its id. It calls the service directly, not HTTP: the same rules and
// transactions, without 300 round trips through the contract validator, so
// a 300-clause fixture takes a second or two rather than many.
func (d *drafter) largeGuideline(clauses int) string {
	d.t.Helper()
	ctx, p := context.Background(), d.principal()
	g, err := d.e.svc.CreateGuideline(ctx, p, service.NewGuideline{
		Title: drafting.Text(titled(fmt.Sprintf("Regional guidelines, %d clauses %d", clauses, d.e.seq.Add(1)))), Languages: []string{"en", "es"}, Participants: eightCountries})
	if err != nil {
		d.t.Fatal(err)
	}
	const sections = 6
	sids := make([]string, sections)
	for i := range sids {
		s, err := d.e.svc.CreateSection(ctx, p, g.ID, drafting.Text(titled(fmt.Sprintf("Section %d", i+1))), 0)
		if err != nil {
			d.t.Fatal(err)
		}
		sids[i] = s.ID
	}
	for i := range clauses {
		_, err := d.e.svc.CreateClause(ctx, p, g.ID, service.NewClause{SectionID: sids[i*sections/clauses],
			Text: map[string]string{"en": benchText(benchWordsEN, i, 60), "es": benchText(benchWordsES, i, 60)}})
		if err != nil {
			d.t.Fatal(err)
		}
	}
	return g.ID
}

// serve sends one request through the real router without contract
// validation, so a benchmark measures the server alone.
func (d *drafter) serve(method, path, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+d.f.Token)
	w := httptest.NewRecorder()
	d.e.srv.ServeHTTP(w, r)
	return w
}

// BenchmarkDraftRender renders draft 1 of a 300-clause bilingual guideline
// in each format, through the router (authentication, load, render, write).
func BenchmarkDraftRender(b *testing.B) {
	d := newDrafter(b)
	gid := d.largeGuideline(300)
	d.draft(gid, "Benchmark draft")
	for _, format := range []string{"json", "markdown", "html", "akn"} {
		b.Run(format, func(b *testing.B) {
			path := "/api/v1/guidelines/" + gid + "/drafts/1?format=" + format
			if w := d.serve("GET", path, ""); w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body.String())
			} else {
				b.SetBytes(int64(w.Body.Len()))
			}
			for b.Loop() {
				if w := d.serve("GET", path, ""); w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkCreateDraft takes drafts of a 300-clause bilingual guideline.
func BenchmarkCreateDraft(b *testing.B) {
	d := newDrafter(b)
	gid := d.largeGuideline(300)
	path := "/api/v1/guidelines/" + gid + "/drafts"
	for b.Loop() {
		if w := d.serve("POST", path, `{"label":"Benchmark draft"}`); w.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}
