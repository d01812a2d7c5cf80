package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/demo"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// clausesIn returns the demo guideline's clauses with status, in order.
func (e *env) clausesIn(status drafting.Status) []service.ClauseView {
	e.t.Helper()
	cs, err := e.srv.Svc.Clauses(context.Background(), e.srv.Admin, e.srv.Guideline, "", status)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(cs) == 0 {
		e.t.Fatalf("the demo has no %s clause", status)
	}
	return cs
}

// clauseVersion waits until the clause page shows version n.
func clauseVersion(n int) string {
	return `[data-testid="clause-page"][data-version="` + strconv.Itoa(n) + `"]`
}

// commentShown is a condition: a comment whose body contains text is on
// the page.
func commentShown(text string) string {
	return `[...document.querySelectorAll('[data-testid="comment"]')].some(c => (c.querySelector(".comment-body")?.textContent ?? "").includes(` + js(text) + `))`
}

// inComment runs a click on the element sel inside the comment whose body
// contains text.
func inComment(text, sel string) string {
	return `(() => { const c = [...document.querySelectorAll('[data-testid="comment"]')].find(c => (c.querySelector(".comment-body")?.textContent ?? "").includes(` + js(text) + `));
		c.querySelector(` + js(sel) + `).click(); return true; })()`
}

// liveConnected waits until the page's event stream is open.
const liveConnected = `[data-testid="live"][data-state="live"]`

// TestSignInBothLanguages: the interface language follows the browser by
// default and the sign-in screen's selector; every screen string changes
// with it; signing out returns to the sign-in screen.
func TestSignInBothLanguages(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ lang, signOut, overview string }{
		{"en", "Sign out", "Overview"},
		{"es", "Cerrar sesión", "Resumen"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			// The browser prefers the other language; the selector wins.
			other := map[string]string{"en": "es", "es": "en"}[c.lang]
			ctx := e.page(acceptLanguage(other))
			e.goTo(ctx, "/")
			e.do(ctx, visible("#email"))
			if got := eval[string](e, ctx, `document.querySelector("#lang").value`); got != other {
				t.Errorf("browser prefers %s, the sign-in screen shows %s", other, got)
			}
			runAxe(ctx, t, "sign-in "+c.lang)
			e.signIn(ctx, headCR, c.lang)
			e.do(ctx, visible("#overview-title"), visible(`[data-testid^="clause-"]`))
			if got := eval[string](e, ctx, `document.documentElement.lang`); got != c.lang {
				t.Errorf("<html lang> = %q, want %q", got, c.lang)
			}
			if got := strings.TrimSpace(e.text(ctx, `[data-testid="sign-out"]`)); got != c.signOut {
				t.Errorf("sign-out button says %q, want %q", got, c.signOut)
			}
			if got := strings.TrimSpace(e.text(ctx, `nav.mainnav a[aria-current="page"]`)); got != c.overview {
				t.Errorf("navigation says %q, want %q", got, c.overview)
			}
			runAxe(ctx, t, "overview "+c.lang)
			screenshot(ctx, t, "overview-"+c.lang)
			e.do(ctx, click(`[data-testid="sign-out"]`), visible("#email"))
			if c.lang == "en" {
				screenshot(ctx, t, "sign-in")
			}
		})
	}
	t.Run("wrong_password", func(t *testing.T) {
		ctx := e.page(acceptLanguage("es"))
		e.goTo(ctx, "/")
		e.do(ctx,
			typeInto("#email", headCR),
			typeInto("#password", "not the password"),
			click(`[data-testid="sign-in"]`),
			visible(`[data-testid="signin-error"]`),
		)
		runAxe(ctx, t, "sign-in error")
	})
}

// TestCommentReplyLive: a delegate comments on an open clause and the
// comment reaches another delegation's browser without a reload; the other
// delegate replies and the reply reaches the first.
func TestCommentReplyLive(t *testing.T) {
	e := newEnv(t)
	c := e.clausesIn(drafting.StatusOpen)[0]
	cr, mx := e.page(), e.page()
	e.signIn(cr, delegateCR, "en")
	e.signIn(mx, delegateMX, "es")
	for _, ctx := range []context.Context{cr, mx} {
		e.route(ctx, "/clauses/"+c.ID)
		e.do(ctx, visible(`[data-testid="clause-page"]`), visible(liveConnected))
	}
	runAxe(cr, t, "clause")

	body := "Costa Rica asks to name the consular authority explicitly."
	e.do(cr, fill("#comment-body", body), click(`[data-testid="post-comment"]`), waitFor(commentShown(body)))
	e.do(mx, waitFor(commentShown(body))) // live: no reload

	reply := "Mexico supports naming it, in both languages."
	e.do(mx,
		waitFor(inComment(body, `[data-testid="reply"]`)),
		fill(`[data-testid="reply-body"]`, reply),
		click(`[data-testid="post-reply"]`),
		waitFor(commentShown(reply)),
	)
	e.do(cr, waitFor(commentShown(reply)))
	if !eval[bool](e, cr, `[...document.querySelectorAll(".replies [data-testid=comment] .comment-body")].some(b => b.textContent.includes(`+js(reply)+`))`) {
		t.Error("the reply is not shown in the thread of the comment it answers")
	}
	runAxe(cr, t, "clause with thread")
	screenshot(cr, t, "clause")

	// The author edits and withdraws their own comment.
	edited := body + " (edited)"
	e.do(cr, waitFor(inComment(body, `[data-testid="edit-comment"]`)))
	e.do(cr, fill(`[data-testid="comment"] form textarea`, edited), click(`[data-testid="comment"] form button[type="submit"]`), waitFor(commentShown(edited)))
	e.do(mx, waitFor(commentShown(edited)))
}

// TestPositionAndStaleVersion: a head records a position; the facilitator
// changes the text while the head is recording the next one, and the head
// is told the text changed, sees the diff and answers the current version.
func TestPositionAndStaleVersion(t *testing.T) {
	e := newEnv(t)
	c := e.clausesIn(drafting.StatusOpen)[0]
	head, fac := e.page(), e.page()
	e.signIn(head, headCR, "en")
	e.signIn(fac, facilitatorEmail, "en")
	e.route(head, "/clauses/"+c.ID)
	e.do(head,
		visible(clauseVersion(c.Version)),
		click(`[data-testid="record-position"]`),
		click(`[data-testid="stance-agree_with_reservation"]`),
		fill("#position-note", "Subject to the national consular law."),
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="record-position"]`),
		visible(`[data-testid="position-CR"][data-stance="agree_with_reservation"]`),
	)

	// The head starts the next position on version v…
	e.do(head, click(`[data-testid="record-position"]`), visible(`[data-testid="position-form"]`))
	// …and the facilitator saves version v+1 meanwhile.
	e.route(fac, "/clauses/"+c.ID)
	e.do(fac,
		visible(clauseVersion(c.Version)),
		click(`[data-testid="edit-text"]`),
		// Both languages, so neither waits for alignment (which would
		// refuse positions for another reason).
		fill("#edit-en", c.Text["en"]+" Consular officers act without delay."),
		fill("#edit-es", c.Text["es"]+" Los funcionarios consulares actúan sin demora."),
		fill("#edit-note", "Adds the timeliness the workshops asked for"),
		click(`[data-testid="save-text"]`),
		visible(clauseVersion(c.Version+1)),
	)
	e.do(head,
		click(`[data-testid="stance-agree"]`),
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="position-stale"]`),
	)
	if diff := e.text(head, `[data-testid="position-stale"]`); !strings.Contains(diff, "without delay") {
		t.Errorf("the stale-version notice does not show the change:\n%s", diff)
	}
	runAxe(head, t, "position stale")
	screenshot(head, t, "position-stale")
	e.do(head,
		click(`[data-testid="answer-current"]`),
		click(`[data-testid="submit-position"]`),
		visible(`[data-testid="record-position"]`),
		visible(`[data-testid="position-CR"][data-stance="agree"]`),
	)
	// The facilitator's page shows the head's new position live.
	e.do(fac, visible(`[data-testid="position-CR"][data-stance="agree"]`))
}

// TestConcurrentTextEdits: two facilitators edit the same clause; the one
// who saves second gets the 412 flow, sees both changes, and keeps theirs
// on top of the other's version.
func TestConcurrentTextEdits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.srv.Svc.CreateUser(ctx, e.srv.Admin, service.NewUser{Email: "cofacilitator@demo.consenso.local", Name: "Second Facilitator",
		Password: demo.Password, Role: drafting.RoleFacilitator}); err != nil {
		t.Fatal(err)
	}
	c := e.clausesIn(drafting.StatusOpen)[1]
	one, two := e.page(), e.page()
	e.signIn(one, facilitatorEmail, "en")
	e.signIn(two, "cofacilitator@demo.consenso.local", "es")
	for _, p := range []context.Context{one, two} {
		e.route(p, "/clauses/"+c.ID)
		e.do(p, visible(clauseVersion(c.Version)), click(`[data-testid="edit-text"]`), visible(`[data-testid="text-editor"]`))
	}
	e.do(one, fill("#edit-en", c.Text["en"]+" First change."), click(`[data-testid="save-text"]`), visible(clauseVersion(c.Version+1)))
	e.do(two, fill("#edit-es", c.Text["es"]+" Segundo cambio."), click(`[data-testid="save-text"]`), visible(`[data-testid="text-conflict"]`))
	conflict := e.text(two, `[data-testid="text-conflict"]`)
	for _, want := range []string{"First change.", "Segundo cambio."} {
		if !strings.Contains(conflict, want) {
			t.Errorf("the conflict does not show %q:\n%s", want, conflict)
		}
	}
	runAxe(two, t, "text conflict")
	screenshot(two, t, "text-conflict")
	e.do(two, click(`[data-testid="use-mine"]`), visible(clauseVersion(c.Version+2)), waitFor(`document.querySelector('[data-testid="text-es"]').textContent.includes("Segundo cambio.")`))
	e.do(one, visible(clauseVersion(c.Version+2)))
}

// TestFacilitatorStatusDraftAdoption: the facilitator starts a silence
// procedure with the deadline picker, locks a clause that reached
// consensus, takes a draft (bracketed where not agreed), reads it, and is
// told what blocks its adoption.
func TestFacilitatorStatusDraftAdoption(t *testing.T) {
	e := newEnv(t)
	open := e.clausesIn(drafting.StatusOpen)[0]
	consensus := e.clausesIn(drafting.StatusConsensus)[0]
	f := e.page()
	e.signIn(f, facilitatorEmail, "en")

	// Silence: the deadline is picked in the tab's time zone (UTC), three
	// hours after the server's clock.
	deadline := e.srv.Clock.Now().UTC().Add(3 * time.Hour).Truncate(time.Minute)
	e.route(f, "/clauses/"+open.ID)
	e.do(f,
		visible(`[data-testid="clause-page"][data-status="open"]`),
		click(`[data-testid="silence-clause"]`),
		fill("#silence-deadline", deadline.Format("2006-01-02T15:04")),
	)
	runAxe(f, t, "silence picker")
	e.do(f, click(`[data-testid="start-silence"]`), visible(`[data-testid="clause-page"][data-status="silence"]`))
	got, err := e.srv.Svc.Clause(context.Background(), e.srv.Admin, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SilenceDeadline == nil || !got.SilenceDeadline.Equal(deadline) {
		t.Errorf("silence deadline = %v, want %v", got.SilenceDeadline, deadline)
	}

	// Lock.
	e.route(f, "/clauses/"+consensus.ID)
	e.do(f, visible(`[data-testid="clause-page"][data-status="consensus"]`), click(`[data-testid="lock-clause"]`),
		visible(`[data-testid="clause-page"][data-status="agreed"]`))
	runAxe(f, t, "clause agreed")
	// Reopened with a reason, it is negotiated again.
	e.do(f, click(`[data-testid="reopen-clause"]`), fill("#reopen-reason", "Belize asks to revisit the wording"),
		click(`[data-testid="confirm-reopen"]`), waitFor(`document.querySelector('[data-testid="clause-page"]').dataset.status !== "agreed"`))
	e.do(f, click(`[data-testid="lock-clause"]`), visible(`[data-testid="clause-page"][data-status="agreed"]`))

	// Matrix.
	e.route(f, "/guidelines/"+e.srv.Guideline+"/matrix")
	e.do(f, visible(`[data-testid="matrix"]`))
	runAxe(f, t, "matrix")
	screenshot(f, t, "matrix")

	// Draft.
	e.route(f, "/guidelines/"+e.srv.Guideline+"/drafts")
	e.do(f, fill("#draft-label", "Before the second meeting"), click(`[data-testid="create-draft"]`),
		waitFor(`[...document.querySelectorAll('[data-testid="drafts"] li')].some(li => li.textContent.includes("Before the second meeting"))`))
	runAxe(f, t, "drafts")
	e.do(f, waitFor(`(() => { const li = [...document.querySelectorAll('[data-testid="drafts"] li')].find(li => li.textContent.includes("Before the second meeting")); li.querySelector("a").click(); return true; })()`),
		visible(`[data-testid="draft-document"]`))
	if n := eval[int](e, f, `document.querySelectorAll('[data-bracketed="true"]').length`); n == 0 {
		t.Error("the draft brackets no clause, but most are not agreed")
	}
	runAxe(f, t, "draft")
	screenshot(f, t, "draft")

	// Adoption is refused while clauses are not agreed, naming them.
	e.do(f, click(`[data-testid="adopt"]`), click(`[data-testid="confirm-adopt"]`), visible(`[data-testid="adopt-blocked"]`))
	if n := eval[int](e, f, `document.querySelectorAll('[data-testid="adopt-blocked"] li').length`); n == 0 {
		t.Error("adoption blocked without naming a clause")
	}
	runAxe(f, t, "adoption blocked")

	// Once every clause is agreed (the delegations settle the rest through
	// the API meanwhile), a new draft has no brackets and is adopted.
	e.settleAll()
	e.route(f, "/guidelines/"+e.srv.Guideline+"/drafts")
	e.do(f, fill("#draft-label", "Final text"), click(`[data-testid="create-draft"]`),
		waitFor(`[...document.querySelectorAll('[data-testid="drafts"] li')].some(li => li.textContent.includes("Final text"))`),
		waitFor(`(() => { const li = [...document.querySelectorAll('[data-testid="drafts"] li')].find(li => li.textContent.includes("Final text")); li.querySelector("a").click(); return true; })()`),
		visible(`[data-testid="draft-document"]`))
	if n := eval[int](e, f, `document.querySelectorAll('[data-bracketed="true"]').length`); n != 0 {
		t.Errorf("the final draft brackets %d clauses", n)
	}
	e.do(f, click(`[data-testid="adopt"]`), click(`[data-testid="confirm-adopt"]`),
		waitFor(`[...document.querySelectorAll('.alert-ok[role="status"]')].some(n => n.textContent.includes("Adopted as approved version 2"))`))
	runAxe(f, t, "adopted")
	// Compared with the draft before it, word by word.
	e.do(f, click(`[data-testid="compare-drafts"]`), visible(`[data-testid="draft-diff"]`))
	runAxe(f, t, "draft diff")
	e.route(f, "/guidelines/"+e.srv.Guideline+"/drafts")
	e.do(f, visible(`[data-testid="approved"]`), visible(`[data-testid="approved"] [data-testid="download-markdown"]`))
	runAxe(f, t, "approved")
	screenshot(f, t, "drafts")
}

// principal is the demo account with email, as the service sees it.
func (e *env) principal(email string) auth.Principal {
	e.t.Helper()
	users, _, err := e.srv.Svc.Users(context.Background(), e.srv.Admin, service.Page{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == email {
			return auth.Principal{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation, Name: u.Name}
		}
	}
	e.t.Fatalf("no account %s", email)
	return auth.Principal{}
}

// TestLiveRecovers: when the connection drops, the indicator says so and
// the client reconnects by itself; what happened meanwhile and afterwards
// reaches the page without a reload.
func TestLiveRecovers(t *testing.T) {
	e := newEnv(t)
	c := e.clausesIn(drafting.StatusOpen)[0]
	p := e.page()
	e.signIn(p, delegateCR, "en")
	e.route(p, "/clauses/"+c.ID)
	e.do(p, visible(`[data-testid="clause-page"]`), visible(liveConnected))
	// Every state the indicator shows from now on.
	e.do(p, chromedp.Evaluate[chromedp.Void](`(() => {
		const el = document.querySelector('[data-testid="live"]');
		window.liveStates = [];
		new MutationObserver(() => window.liveStates.push(el.dataset.state)).observe(el, {attributes: true, attributeFilter: ["data-state"]});
	})()`, chromedp.EvalAsValue))

	e.srv.HTTP.CloseClientConnections()
	body := "Mexico writes while Costa Rica's connection is down."
	if _, err := e.srv.Svc.CreateComment(context.Background(), e.principal(delegateMX), c.ID,
		drafting.CommentInput{Kind: drafting.KindGeneral, Body: body}, service.Idempotency{}); err != nil {
		t.Fatal(err)
	}
	e.do(p,
		waitFor(`window.liveStates.includes("reconnecting")`),
		visible(liveConnected),
		waitFor(commentShown(body)),
	)
	t.Logf("indicator states after the drop: %v", eval[[]string](e, p, `window.liveStates`))
	after := "Mexico writes again once it is back."
	if _, err := e.srv.Svc.CreateComment(context.Background(), e.principal(delegateMX), c.ID,
		drafting.CommentInput{Kind: drafting.KindGeneral, Body: after}, service.Idempotency{}); err != nil {
		t.Fatal(err)
	}
	e.do(p, waitFor(commentShown(after)))
}

// settleAll brings every clause of the demo guideline to agreed through
// the service, as the delegations would: a silence procedure is reopened,
// every clause opened, alternatives settled on the first, languages
// awaiting alignment confirmed, every head agrees to the current version,
// and the facilitator locks it.
func (e *env) settleAll() {
	e.t.Helper()
	ctx := context.Background()
	users, _, err := e.srv.Svc.Users(ctx, e.srv.Admin, service.Page{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	var fac auth.Principal
	heads := map[string]auth.Principal{}
	for _, u := range users {
		p := auth.Principal{ID: u.ID, Role: u.Role, Country: u.Country, HeadOfDelegation: u.HeadOfDelegation, Name: u.Name}
		switch {
		case u.Email == facilitatorEmail:
			fac = p
		case u.HeadOfDelegation:
			heads[u.Country] = p
		}
	}
	cs, err := e.srv.Svc.Clauses(ctx, e.srv.Admin, e.srv.Guideline, "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Status == drafting.StatusAgreed {
			continue
		}
		if c.Status == drafting.StatusSilence {
			if _, err := e.srv.Svc.ReopenClause(ctx, fac, c.ID, service.AnyRevision, "settled in the room"); err != nil {
				e.t.Fatalf("reopen %s: %v", c.Number, err)
			}
		}
		if c.Status == drafting.StatusDraft {
			if _, err := e.srv.Svc.OpenClause(ctx, fac, c.ID, service.AnyRevision); err != nil {
				e.t.Fatalf("open %s: %v", c.Number, err)
			}
		}
		if c.AlternativeCount > 0 {
			if c, err = e.srv.Svc.ChooseAlternative(ctx, fac, c.ID, service.AnyRevision, "A"); err != nil {
				e.t.Fatalf("choose alternative A of %s: %v", c.Number, err)
			}
		}
		for _, lang := range c.AlignmentPending {
			if _, err := e.srv.Svc.AlignClause(ctx, fac, c.ID, service.AnyRevision, lang, nil); err != nil {
				e.t.Fatalf("confirm the %s alignment of %s: %v", lang, c.Number, err)
			}
		}
		if c, err = e.srv.Svc.Clause(ctx, fac, c.ID); err != nil {
			e.t.Fatal(err)
		}
		for code, h := range heads {
			if _, err := e.srv.Svc.SetPosition(ctx, h, c.ID, code, drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: c.Version}); err != nil {
				e.t.Fatalf("%s agrees to %s: %v", code, c.Number, err)
			}
		}
		if _, err := e.srv.Svc.LockClause(ctx, fac, c.ID, service.AnyRevision); err != nil {
			e.t.Fatalf("lock %s: %v", c.Number, err)
		}
	}
}

// TestObserverAndTablet: the observer reads and comments but never sees
// position controls; the overview and a clause work on a 768-px tablet.
func TestObserverAndTablet(t *testing.T) {
	e := newEnv(t)
	c := e.clausesIn(drafting.StatusOpen)[0]
	o := e.page(tablet)
	e.signIn(o, observerEmail, "es")
	e.do(o, visible("#overview-title"))
	runAxe(o, t, "overview tablet")
	screenshot(o, t, "overview-tablet")
	e.route(o, "/clauses/"+c.ID)
	e.do(o, visible(`[data-testid="positions"]`), visible(`[data-testid="comment-form"]`))
	if n := eval[int](e, o, `document.querySelectorAll('[data-testid="record-position"], [data-testid="position-form"], [data-testid="edit-text"]').length`); n != 0 {
		t.Errorf("the observer sees %d position or facilitator controls", n)
	}
	body := fmt.Sprintf("The secretariat notes clause %s for the record.", c.Number)
	e.do(o, fill("#comment-body", body), click(`[data-testid="post-comment"]`), waitFor(commentShown(body)))
	runAxe(o, t, "clause tablet")
	if w := eval[int](e, o, `document.documentElement.scrollWidth`); w > tabletWidth {
		t.Errorf("the clause page is %d px wide on a %d-px tablet", w, tabletWidth)
	}
}
