package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// progressCell is a condition on the follow-up matrix: the cell of the
// action numbered number and the party (a country code, IOM, REG) has the
// class progress-<status>.
func progressCell(number, party, status string) string {
	return `(() => {
		const table = document.querySelector('[data-testid="progress-matrix"]');
		if (!table) return false;
		const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim());
		const col = heads.indexOf(` + js(party) + `);
		if (col < 1) return false;
		const row = [...table.querySelectorAll("tbody tr")].find(tr => tr.querySelector("th").textContent.trim() === ` + js(number) + `);
		if (!row) return false;
		const cell = row.children[col];
		return !!cell && cell.classList.contains("progress-" + ` + js(status) + `);
	})()`
}

// actionFor is the demo's adopted plan action that names country among
// those responsible (not only through "regional").
func (e *env) actionFor(country string) service.ActionView {
	e.t.Helper()
	as, _, err := e.srv.Svc.Actions(context.Background(), e.srv.Admin, e.srv.Guideline, service.Page{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range as {
		if slices.Contains(a.Details.Responsible, country) && a.Status == drafting.StatusAgreed {
			return a
		}
	}
	e.t.Fatalf("the demo plan has no agreed action naming %s", country)
	return service.ActionView{}
}

// TestAgendaInputsPlanProgress: the agenda screen, reached from the
// navigation, shows the synthesis of national inputs and the challenges no
// clause answers yet; a delegate adds a national input for their country and
// it joins both; the plan lists the actions with who is responsible and
// when; the follow-up matrix shows the reports, a delegate of a responsible
// country reports progress and the cell changes, on their page and live on
// the facilitator's; the matrix downloads as CSV.
func TestAgendaInputsPlanProgress(t *testing.T) {
	e := newEnv(t)
	d, f := e.page(), e.page()
	e.signIn(d, delegateCR, "en")
	e.signIn(f, facilitatorEmail, "en")
	agenda := "/guidelines/" + e.srv.Guideline + "/agenda"

	// Through the navigation link.
	e.do(d,
		waitFor(`(() => { const a = [...document.querySelectorAll("nav.mainnav a")].find(a => a.textContent.trim() === "Agenda"); if (!a) return false; a.click(); return true; })()`),
		waitFor(`location.pathname === `+js(agenda)),
		visible(`[data-testid="inputs"]`),
		visible(`[data-testid="unaddressed"] li`),
		visible(`[data-testid="inputs"] .synthesis-group`),
		visible(`[data-testid="plan"] .clause-row`),
		visible(`[data-testid="progress-matrix"]`),
		visible(liveConnected),
	)
	if got := eval[string](e, d, `document.querySelector('nav.mainnav a[aria-current="page"]')?.textContent.trim() ?? ""`); got != "Agenda" {
		t.Errorf("the navigation marks %q as the current page, want Agenda", got)
	}
	// Belize's return budget is a challenge no clause answers.
	if s := e.text(d, `[data-testid="unaddressed"]`); !strings.Contains(s, "Belize") {
		t.Errorf("the unaddressed challenges do not name Belize:\n%s", s)
	}

	// The plan: each action with who is responsible and its timeframe.
	act := e.actionFor("CR")
	plan := e.text(d, `[data-testid="plan"]`)
	for _, want := range []string{act.Text["en"], act.Details.Timeframe, "Costa Rica", "Guatemala"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan does not show %q:\n%.1500s", want, plan)
		}
	}
	if n := eval[int](e, d, `document.querySelectorAll('[data-testid="plan"] .action-details').length`); n < 3 {
		t.Errorf("the plan shows %d actions with details, the demo has more", n)
	}

	// A national input, through the form inside <details>.
	e.route(f, agenda)
	e.do(f, visible(`[data-testid="inputs"] .synthesis-group`), visible(liveConnected))
	if n := eval[int](e, f, `document.querySelectorAll('[data-testid="input-form"]').length`); n != 0 {
		t.Error("the facilitator is offered the national input form")
	}
	inputEN := "Consular staff rotate too often to keep trained officials in post."
	inputES := "El personal consular rota con demasiada frecuencia para mantener funcionarios capacitados."
	e.do(d,
		click(`details.add-input > summary`),
		visible(`[data-testid="input-form"]`),
		choose("#input-area", "consular_assistance"),
		choose("#input-kind", "challenge"),
		fill("#input-text-en", inputEN),
		fill("#input-text-es", inputES),
		fill("#input-source", "National workshop, San José, 2012"),
	)
	runAxe(d, t, "agenda input form")
	e.do(d,
		click(`[data-testid="input-form"] button[type="submit"]`),
		waitFor(`[...document.querySelectorAll('[data-testid="inputs"] .synthesis-group li')].some(li => li.textContent.includes(`+js(inputEN)+`) && li.textContent.includes("San José, 2012"))`),
		waitFor(`document.querySelector('[data-testid="unaddressed"]').textContent.includes(`+js(inputEN)+`)`),
	)
	// The facilitator's agenda follows live.
	e.do(f, waitFor(`document.querySelector('[data-testid="inputs"]').textContent.includes(`+js(inputEN)+`)`))
	ins, _, err := e.srv.Svc.Inputs(context.Background(), e.srv.Admin, e.srv.Guideline, service.InputQuery{}, service.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ins, func(i drafting.NationalInput) bool {
		return i.Country == "CR" && i.Text["es"] == inputES && i.Area == "consular_assistance" && i.Kind == drafting.InputChallenge
	}) {
		t.Error("the input is not recorded for Costa Rica with both texts, its area and kind")
	}

	// Follow-up: the demo's reports are in the matrix.
	e.do(d, waitFor(progressCell(act.Number, "CR", "in_progress")), waitFor(progressCell(act.Number, "HN", "done")))

	// Costa Rica reports the action done, dated by the server's clock.
	note := "Notice boards updated in every consulate."
	today := e.srv.Clock.Now().UTC().Format("2006-01-02")
	e.do(d,
		visible(`[data-testid="report-form"]`),
		choose("#report-action", act.ID),
		choose("#report-status", "done"),
		fill("#report-date", today),
		fill("#report-note", note),
	)
	runAxe(d, t, "agenda report form")
	e.do(d,
		click(`[data-testid="report-form"] button[type="submit"]`),
		visible(`[data-testid="report-form"] [role="status"]`),
		waitFor(progressCell(act.Number, "CR", "done")),
	)
	// The facilitator sees it without a reload.
	e.do(f, waitFor(progressCell(act.Number, "CR", "done")))
	if got := eval[string](e, f, `(() => {
		const table = document.querySelector('[data-testid="progress-matrix"]');
		const col = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim()).indexOf("CR");
		return [...table.querySelectorAll("tbody tr")].find(tr => tr.querySelector("th").textContent.trim() === `+js(act.Number)+`).children[col].title;
	})()`); !strings.Contains(got, note) || !strings.Contains(got, today) {
		t.Errorf("the cell's title is %q, want the note and the date %s", got, today)
	}

	// The matrix as CSV.
	csv := string(e.download(d, t.TempDir(), `[data-testid="progress"] > button.btn-secondary`))
	if !strings.Contains(csv, note) || !strings.Contains(csv, "CR") {
		t.Errorf("the CSV does not carry Costa Rica's report:\n%.1500s", csv)
	}

	runAxe(d, t, "agenda")
	screenshot(d, t, "agenda")
}
