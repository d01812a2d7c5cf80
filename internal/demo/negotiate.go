package demo

import (
	"context"
	"slices"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// negotiate plays the sessions so far. Session 1 agreed chapter I, adopted
// as approved version 1. Session 2 opened the rest: comments from several
// delegations, a compromise merge, a reservation, an objection and a silence
// procedure still running.
func (w *world) negotiate(ctx context.Context) error {
	f := w.facilitator
	open := func(c service.ClauseView) error {
		_, err := w.svc.OpenClause(ctx, f, c.ID, service.AnyRevision)
		return err
	}
	comment := func(by string, c service.ClauseView, in drafting.CommentInput) (string, error) {
		r, err := w.svc.CreateComment(ctx, w.delegates[by], c.ID, in, service.Idempotency{})
		return r.Value.ID, err
	}

	// Session 1: chapter I agreed and adopted.
	for _, c := range w.clauses[0] {
		if err := open(c); err != nil {
			return err
		}
		if err := w.agreeAll(ctx, c); err != nil {
			return err
		}
		if _, err := w.svc.LockClause(ctx, f, c.ID, service.AnyRevision); err != nil {
			return err
		}
	}
	// Chapter I's actions of the implementation plan, agreed with it.
	if err := w.sessionOnePlan(ctx); err != nil {
		return err
	}
	if _, err := w.svc.CreateDraft(ctx, f, w.guideline.ID, "Session 1: chapter I agreed"); err != nil {
		return err
	}
	if _, err := w.svc.Adopt(ctx, f, w.guideline.ID, 1); err != nil {
		return err
	}

	// Session 2: everything else is drafted and opened for discussion.
	for i := 1; i < len(guidelines); i++ {
		if err := w.addClauses(ctx, i); err != nil {
			return err
		}
	}
	for _, sec := range w.clauses[1:] {
		for _, c := range sec {
			if err := open(c); err != nil {
				return err
			}
		}
	}
	// II.2 interviews: Guatemala objects and proposes other wording.
	interviews := w.clauses[1][1]
	if _, err := comment("GT", interviews, drafting.CommentInput{Kind: drafting.KindAmendment,
		Body: "Interviews by an official of the preferred gender cannot be guaranteed in small consulates.",
		ProposedText: drafting.Text{"en": "Interviews shall be conducted in private and in a language the person understands.",
			"es": "Las entrevistas se realizarán en privado y en un idioma que la persona comprenda."}}); err != nil {
		return err
	}
	if _, err := comment("MX", interviews, drafting.CommentInput{Kind: drafting.KindSubstantive,
		Body: "Mexico supports keeping the gender preference; remote interviews can fill the gap.", Quote: "of the gender the person prefers"}); err != nil {
		return err
	}
	if _, err := w.svc.SetPosition(ctx, w.heads["GT"], interviews.ID, "GT", drafting.PositionInput{Stance: drafting.StanceObject,
		ClauseVersion: interviews.Version, Reason: "Not feasible for consulates with one or two officials."}); err != nil {
		return err
	}
	if err := w.agreeAll(ctx, interviews, "GT", "HN"); err != nil {
		return err
	}

	// III.1 free assistance: consensus with a reservation from Nicaragua.
	free := w.clauses[2][0]
	if err := w.agreeAll(ctx, free, "NI"); err != nil {
		return err
	}
	if _, err := w.svc.SetPosition(ctx, w.heads["NI"], free.ID, "NI", drafting.PositionInput{Stance: drafting.StanceAgreeReservation,
		ClauseVersion: free.Version, Reservation: "Nicaragua will apply this clause within the limits of its consular fee law."}); err != nil {
		return err
	}

	// III.2 informing victims: El Salvador's amendment merged as a compromise.
	inform := w.clauses[2][1]
	sv, err := comment("SV", inform, drafting.CommentInput{Kind: drafting.KindAmendment, Body: "Add the right to contact their consulate.",
		ProposedText: drafting.Text{"en": inform.Text["en"] + " Victims shall also be informed of their right to communicate with their consulate at any time.",
			"es": inform.Text["es"] + " Se informará también a las víctimas de su derecho a comunicarse con su consulado en cualquier momento."}})
	if err != nil {
		return err
	}
	if _, err := comment("BZ", inform, drafting.CommentInput{Kind: drafting.KindEditorial, Body: "\"Without delay\" reads better as \"promptly\" in English.", Quote: "without delay"}); err != nil {
		return err
	}
	if _, err := w.svc.UpdateText(ctx, f, inform.ID, service.AnyRevision, service.TextChange{
		Text: drafting.Text{"en": "Consular officials shall promptly inform victims of their rights, including the right to legal assistance, to medical and psychological care, to a period of recovery and reflection, and to communicate with their consulate at any time.",
			"es": "Los funcionarios consulares informarán a las víctimas, sin demora, sobre sus derechos, incluido el derecho a la asistencia jurídica, a la atención médica y psicológica, a un período de recuperación y reflexión y a comunicarse con su consulado en cualquier momento."},
		Note: "Compromise after Session 2: El Salvador's addition, Belize's editorial point", Incorporates: []string{sv}}); err != nil {
		return err
	}

	// IV.1 voluntary return: in silence procedure for a week.
	ret := w.clauses[3][0]
	if err := w.agreeAll(ctx, ret, "HN", "PA"); err != nil {
		return err
	}
	if _, err := w.svc.StartSilence(ctx, f, ret.ID, service.AnyRevision, w.svc.Now().UTC().Add(7*24*time.Hour)); err != nil {
		return err
	}

	// V.2 information sharing: comments still being collected.
	share := w.clauses[4][1]
	for code, body := range map[string]string{
		"CR": "Forty-eight hours is too long when a victim is at risk; Costa Rica suggests twenty-four.",
		"PA": "Panama asks which secure channels are meant.",
	} {
		if _, err := comment(code, share, drafting.CommentInput{Kind: drafting.KindSubstantive, Body: body}); err != nil {
			return err
		}
	}
	_, err = w.svc.CreateDraft(ctx, f, w.guideline.ID, "Draft after Session 2")
	return err
}

// agreeAll records every participating head's agreement with the clause's
// current version, but for the countries named in except.
func (w *world) agreeAll(ctx context.Context, c service.ClauseView, except ...string) error {
	for _, code := range w.guideline.Participants {
		if slices.Contains(except, code) {
			continue
		}
		if _, err := w.svc.SetPosition(ctx, w.heads[code], c.ID, code, drafting.PositionInput{Stance: drafting.StanceAgree, ClauseVersion: c.Version}); err != nil {
			return err
		}
	}
	return nil
}
