package e2e_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// rowsShown counts the clause rows the overview shows.
const rowsShown = `document.querySelectorAll('li.clause-row').length`

// TestOverviewFiltersAndMatrix: the overview filters by what needs the
// head's position and what is contested; the matrix has a row per clause
// and a column per participant, and lists what blocks adoption.
func TestOverviewFiltersAndMatrix(t *testing.T) {
	e := newEnv(t)
	all, err := e.srv.Svc.Clauses(t.Context(), e.srv.Admin, e.srv.Guideline, "", "")
	if err != nil {
		t.Fatal(err)
	}
	contested := e.clausesIn(drafting.StatusContested)
	h := e.page()
	e.signIn(h, headCR, "en")
	e.do(h, waitFor(rowsShown+` === `+itoa(len(all))))

	e.do(h, click(`[data-testid="filter-needs"]`), waitFor(rowsShown+` < `+itoa(len(all))))
	if n := eval[int](e, h, rowsShown); n == 0 {
		t.Error("nothing needs Costa Rica's position in the demo, yet clauses are open")
	}
	e.do(h, click(`[data-testid="filter-contested"]`), waitFor(rowsShown+` === `+itoa(len(contested))),
		visible(`[data-testid="clause-`+contested[0].Number+`"]`))
	runAxe(h, t, "overview contested")
	// The clauses with open amendments, as the comment counts give them.
	counts, _, err := e.srv.Svc.CommentCounts(t.Context(), e.srv.Admin, e.srv.Guideline, service.Page{})
	if err != nil {
		t.Fatal(err)
	}
	amended := map[string]int{}
	for _, c := range counts {
		if c.OpenAmendments > 0 {
			amended[c.Number] += c.OpenAmendments
		}
	}
	if len(amended) == 0 {
		t.Fatal("the demo has no open amendment to show")
	}
	e.do(h, click(`[data-testid="filter-amendments"]`), waitFor(rowsShown+` === `+itoa(len(amended))))
	for number, n := range amended {
		form := itoa(n) + " open amendments"
		if n == 1 {
			form = "1 open amendment" // singular
		}
		e.do(h, waitFor(`/(^|\D)`+form+`(\W|$)/.test(document.querySelector('[data-testid="clause-`+number+`"]').textContent)`))
	}
	e.do(h, click(`[data-testid="filter-all"]`), waitFor(rowsShown+` === `+itoa(len(all))))

	e.route(h, "/guidelines/"+e.srv.Guideline+"/matrix")
	e.do(h, visible(`[data-testid="matrix"]`),
		waitFor(`document.querySelectorAll('[data-testid="matrix"] tbody tr:not(.matrix-section)').length === `+itoa(len(all))),
		waitFor(`document.querySelectorAll('[data-testid="matrix"] thead th').length === 2 + 8`),
		visible(`[data-testid="blocking"]`),
		waitFor(`document.querySelectorAll('[data-testid="blocking"] li').length > 0`))
	runAxe(h, t, "matrix head")
}
