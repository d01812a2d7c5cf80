package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// clauseWhere is the first demo clause ok accepts.
func (e *env) clauseWhere(what string, ok func(service.ClauseView) bool) service.ClauseView {
	e.t.Helper()
	cs, err := e.srv.Svc.Clauses(context.Background(), e.srv.Admin, e.srv.Guideline, "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if ok(c) {
			return c
		}
	}
	e.t.Fatalf("the demo has no clause %s", what)
	return service.ClauseView{}
}

// positionOf is country's position on the clause, as the service sees it.
func (e *env) positionOf(cid, country string) service.PositionView {
	e.t.Helper()
	_, ps, err := e.srv.Svc.Positions(context.Background(), e.srv.Admin, cid)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Country == country {
			return p
		}
	}
	e.t.Fatalf("no position row for %s", country)
	return service.PositionView{}
}

// uncheck is a condition that clears the checkbox sel if it is checked.
func uncheck(sel string) string {
	return `(() => { const el = document.querySelector(` + js(sel) + `); if (!el) return false; if (el.checked) el.click(); return !el.checked; })()`
}

// TestPracticeAdReferendumAlternatives: a head agrees ad referendum with a
// confirmation deadline, the positions table says so (here and live on the
// facilitator's page), and recording the agreement again without the box
// confirms it; on a clause with alternatives the head says which they can
// accept, and the facilitator chooses one, which makes a new version.
func TestPracticeAdReferendumAlternatives(t *testing.T) {
	e := newEnv(t)
	open := e.clauseWhere("open, without alternatives or pending alignment", func(c service.ClauseView) bool {
		return c.Status == drafting.StatusOpen && c.AlternativeCount == 0 && len(c.AlignmentPending) == 0
	})
	head, fac := e.page(), e.page()
	e.signIn(head, headCR, "en")
	e.signIn(fac, facilitatorEmail, "en")

	// The demo's III.3: Honduras agreed ad referendum.
	adRef := e.clauseWhere("with an agreement ad referendum", func(c service.ClauseView) bool {
		_, ps, err := e.srv.Svc.Positions(context.Background(), e.srv.Admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.AdReferendum && p.Current {
				return true
			}
		}
		return false
	})
	e.route(head, "/clauses/"+adRef.ID)
	e.do(head, visible(`[data-testid="position-HN"] .badge.mine-stale`))
	if s := e.text(head, `[data-testid="position-HN"]`); !strings.Contains(s, "Ad referendum") || !strings.Contains(s, "the capital confirms by") {
		t.Errorf("Honduras's row does not show the ad referendum and its deadline: %q", s)
	}

	// Costa Rica agrees ad referendum, the capital to confirm within a week
	// of the server's clock (picked in the tab's time zone, UTC).
	confirmBy := e.srv.Clock.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Minute)
	e.route(head, "/clauses/"+open.ID)
	e.route(fac, "/clauses/"+open.ID)
	e.do(fac, visible(clauseVersion(open.Version)), visible(liveConnected))
	e.do(head,
		visible(clauseVersion(open.Version)),
		click(`[data-testid="record-position"]`),
		click(`[data-testid="stance-agree"]`),
		click(`[data-testid="ad-referendum"]`),
		fill("#confirm-by", confirmBy.Format("2006-01-02T15:04")),
	)
	runAxe(head, t, "position ad referendum")
	e.do(head,
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="record-position"]`),
		visible(`[data-testid="position-CR"][data-stance="agree"] .badge.mine-stale`),
	)
	p := e.positionOf(open.ID, "CR")
	if !p.AdReferendum || p.ConfirmBy == nil || !p.ConfirmBy.Equal(confirmBy) {
		t.Errorf("Costa Rica's position: ad referendum %v until %v, want until %v", p.AdReferendum, p.ConfirmBy, confirmBy)
	}
	e.do(fac, visible(`[data-testid="position-CR"][data-stance="agree"] .badge.mine-stale`))
	screenshot(head, t, "ad-referendum")

	// The capital confirms: the same agreement again, without the box.
	e.do(head,
		click(`[data-testid="record-position"]`),
		click(`[data-testid="stance-agree"]`),
		visible(`[data-testid="ad-referendum"]`),
	)
	// A new position starts without ad referendum: the head who confirms
	// must not carry the earlier condition over unnoticed.
	if eval[bool](e, head, `document.querySelector('[data-testid="ad-referendum"]').checked`) {
		t.Error("the position form starts with ad referendum ticked from the previous position")
	}
	e.do(head,
		waitFor(uncheck(`[data-testid="ad-referendum"]`)),
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="record-position"]`),
		waitFor(`!!document.querySelector('[data-testid="position-CR"][data-stance="agree"]') && !document.querySelector('[data-testid="position-CR"] .badge.mine-stale')`),
	)
	if p := e.positionOf(open.ID, "CR"); p.AdReferendum || p.Stance != string(drafting.StanceAgree) {
		t.Errorf("after the confirmation Costa Rica's position is %s, ad referendum %v", p.Stance, p.AdReferendum)
	}
	e.do(fac, waitFor(`!!document.querySelector('[data-testid="position-CR"][data-stance="agree"]') && !document.querySelector('[data-testid="position-CR"] .badge.mine-stale')`))

	// Alternatives (the demo's V.3): the head says which they can accept.
	alt := e.clauseWhere("with alternatives", func(c service.ClauseView) bool { return c.AlternativeCount > 0 })
	e.route(head, "/clauses/"+alt.ID)
	e.route(fac, "/clauses/"+alt.ID)
	e.do(fac, visible(clauseVersion(alt.Version)), visible(`[data-testid="alternatives"]`), visible(`[data-testid="choose-A"]`))
	e.do(head,
		visible(clauseVersion(alt.Version)),
		visible(`[data-testid="alternatives"]`),
		click(`[data-testid="record-position"]`),
		click(`[data-testid="stance-agree"]`),
		visible(`[data-testid="acceptable"]`),
	)
	if n := eval[int](e, head, `document.querySelectorAll('[data-testid="acceptable"] input[type="checkbox"]').length`); n != alt.AlternativeCount {
		t.Errorf("the position form offers %d alternatives, the clause has %d", n, alt.AlternativeCount)
	}
	if n := eval[int](e, head, `document.querySelectorAll('[data-testid="choose-A"]').length`); n != 0 {
		t.Error("a head of delegation is offered to choose an alternative")
	}
	// Costa Rica can accept B only now.
	e.do(head,
		waitFor(`(() => { const boxes = [...document.querySelectorAll('[data-testid="acceptable"] input[type="checkbox"]')];
			boxes.forEach((b, i) => { if (b.checked !== (i === 1)) b.click(); }); return boxes.length > 1 && boxes[1].checked && !boxes[0].checked; })()`),
	)
	runAxe(head, t, "position with alternatives")
	e.do(head,
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="record-position"]`),
		waitFor(`(() => { const r = document.querySelector('[data-testid="position-CR"]'); return !!r && r.textContent.includes("Alternative B") && !r.textContent.includes("Alternative A"); })()`),
	)
	if p := e.positionOf(alt.ID, "CR"); len(p.Acceptable) != 1 || p.Acceptable[0] != "B" {
		t.Errorf("Costa Rica accepts %v, want [B]", p.Acceptable)
	}
	// (The demo's Costa Rica accepted A and B: wait for the change, so the
	// facilitator's page holds the clause's new ETag.)
	e.do(fac, waitFor(`(() => { const r = document.querySelector('[data-testid="position-CR"]'); return !!r && r.textContent.includes("Alternative B") && !r.textContent.includes("Alternative A"); })()`))
	runAxe(fac, t, "clause with alternatives")
	screenshot(fac, t, "alternatives")

	// The facilitator chooses A: a new version, without alternatives.
	e.do(fac, click(`[data-testid="choose-A"]`), visible(clauseVersion(alt.Version+1)), waitFor(`!document.querySelector('[data-testid="alternatives"]')`))
	e.do(head, visible(clauseVersion(alt.Version+1)), waitFor(`!document.querySelector('[data-testid="alternatives"]')`))
	got, err := e.srv.Svc.Clause(context.Background(), e.srv.Admin, alt.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AlternativeCount != 0 || got.Version != alt.Version+1 {
		t.Errorf("after choosing A: version %d with %d alternatives, want version %d with none", got.Version, got.AlternativeCount, alt.Version+1)
	}
	if !strings.Contains(e.text(fac, `[data-testid="text-en"]`), "every two years") {
		t.Error("the clause's text is not alternative A's")
	}
}

// TestPracticeAlignmentAnchorsSourcesDraftView: the facilitator confirms a
// language awaiting alignment; comments whose quoted words changed say so;
// a clause answering national inputs lists them; the draft read as if every
// open amendment were accepted differs from the draft as taken.
func TestPracticeAlignmentAnchorsSourcesDraftView(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f, d := e.page(), e.page()
	e.signIn(f, facilitatorEmail, "en")
	e.signIn(d, delegateMX, "en")

	// Alignment (the demo's III.5: English changed, Spanish pending).
	pending := e.clauseWhere("awaiting the Spanish alignment", func(c service.ClauseView) bool {
		return len(c.AlignmentPending) == 1 && c.AlignmentPending[0] == "es"
	})
	e.route(f, "/clauses/"+pending.ID)
	e.route(d, "/clauses/"+pending.ID)
	e.do(d, visible(`[data-testid="alignment-es"]`), visible(liveConnected))
	e.do(f, visible(`[data-testid="alignment-es"]`), visible(`[data-testid="align-es"]`), visible(liveConnected))
	runAxe(f, t, "clause awaiting alignment")
	screenshot(f, t, "alignment")
	e.do(f, click(`[data-testid="align-es"]`), waitFor(`!document.querySelector('[data-testid="alignment-es"]')`))
	e.do(d, waitFor(`!document.querySelector('[data-testid="alignment-es"]')`)) // live
	got, err := e.srv.Svc.Clause(ctx, e.srv.Admin, pending.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.AlignmentPending) != 0 {
		t.Errorf("after the confirmation %v still await alignment", got.AlignmentPending)
	}

	// Anchors (the demo's II.3: the new wording changed one quote).
	changed, _, err := e.srv.Svc.Comments(ctx, e.srv.Admin, service.CommentQuery{GuidelineID: e.srv.Guideline, Anchor: "changed"}, service.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) == 0 {
		t.Fatal("the demo has no comment whose quoted words changed")
	}
	c := changed[0]
	e.route(d, "/clauses/"+c.ClauseID)
	e.do(d, waitFor(`(() => { const el = document.querySelector('[data-comment-id=`+js(c.ID)+`] [data-testid="anchor"]'); return !!el && el.dataset.anchor === "changed"; })()`))
	if s := e.text(d, `[data-comment-id=`+js(c.ID)+`] [data-testid="anchor"]`); !strings.Contains(s, "changed") || !strings.Contains(s, "never prevent") {
		t.Errorf("the changed anchor says %q, want the new words", s)
	}
	states := eval[[]string](e, d, `[...document.querySelectorAll('[data-testid="anchor"]')].map(a => a.dataset.anchor)`)
	t.Logf("anchors on the clause: %v", states)
	runAxe(d, t, "clause with anchors")

	// Sources: a clause answering national inputs lists them.
	cited := e.clauseWhere("citing national inputs", func(c service.ClauseView) bool {
		s, err := e.srv.Svc.Sources(ctx, e.srv.Admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(s.Inputs) > 0
	})
	src, err := e.srv.Svc.Sources(ctx, e.srv.Admin, cited.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.route(d, "/clauses/"+cited.ID)
	e.do(d, visible(`[data-testid="sources"]`))
	shown := e.text(d, `[data-testid="sources"]`)
	for _, in := range src.Inputs {
		if !strings.Contains(shown, in.Text["en"]) {
			t.Errorf("the sources do not show %q:\n%s", in.Text["en"], shown)
		}
	}
	if n := eval[int](e, d, `document.querySelectorAll('[data-testid="sources"] li').length`); n != len(src.Inputs) {
		t.Errorf("the sources list %d inputs, the clause cites %d", n, len(src.Inputs))
	}
	runAxe(d, t, "clause with sources")

	// Draft views: the demo's draft before Session 3 has open amendments.
	drafts, _, err := e.srv.Svc.Drafts(ctx, e.srv.Admin, e.srv.Guideline, service.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dr := range drafts {
		if dr.Label == "Draft before Session 3" {
			n = dr.Number
		}
	}
	if n == 0 {
		t.Fatal("the demo has no draft before Session 3")
	}
	e.route(f, "/guidelines/"+e.srv.Guideline+"/drafts/"+itoa(n))
	e.do(f, visible(`[data-testid="draft-document"]`), visible(`[data-testid="draft-view"]`))
	asIs := e.text(f, `[data-testid="draft-document"]`)
	if strings.Contains(asIs, "twenty-four hours") {
		t.Fatal("the draft as taken already carries the amendment")
	}
	e.do(f,
		choose(`[data-testid="draft-view"]`, "accepted"),
		waitFor(`(document.querySelector('[data-testid="draft-document"]')?.innerText ?? "").includes("twenty-four hours")`),
	)
	runAxe(f, t, "draft accepted view")
	screenshot(f, t, "draft-accepted")
	e.do(f,
		choose(`[data-testid="draft-view"]`, "as_is"),
		waitFor(`document.querySelector('[data-testid="draft-document"]')?.innerText === `+js(asIs)),
	)
}
