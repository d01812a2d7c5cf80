package demo

import (
	"context"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// practice shows the diplomatic practice of docs/consensus.md (rules 9 to
// 11) and the comments that follow the text, one of each, then takes the
// draft delegations read before Session 3 (also as if every open amendment
// were accepted: ?view=accepted).
func (w *world) practice(ctx context.Context) error {
	f := w.facilitator
	now := w.svc.Now().UTC()
	position := func(code string, c service.ClauseView, in drafting.PositionInput) error {
		in.ClauseVersion = c.Version
		_, err := w.svc.SetPosition(ctx, w.heads[code], c.ID, code, in)
		return err
	}
	comment := func(by string, c service.ClauseView, in drafting.CommentInput) error {
		_, err := w.svc.CreateComment(ctx, w.delegates[by], c.ID, in, service.Idempotency{})
		return err
	}

	// III.3 travel documents: consensus ad referendum — Honduras agrees
	// subject to its capital's confirmation within ten days.
	docs := w.clauses[2][2]
	for _, code := range w.guideline.Participants {
		in := drafting.PositionInput{Stance: drafting.StanceAgree}
		if code == "HN" {
			deadline := now.Add(10 * 24 * time.Hour)
			in.AdReferendum, in.ConfirmBy = true, &deadline
		}
		if err := position(code, docs, in); err != nil {
			return err
		}
	}

	// II.3 lack of documents: two comments quote the text; the chair's new
	// wording carries one and changes the other (GET …/comments?anchor=changed).
	lack := w.clauses[1][2]
	if err := comment("CR", lack, drafting.CommentInput{Kind: drafting.KindEditorial,
		Body: "Costa Rica would make this absolute.", Quote: "shall not prevent"}); err != nil {
		return err
	}
	if err := comment("PA", lack, drafting.CommentInput{Kind: drafting.KindGeneral,
		Body: "Panama supports this wording.", Quote: "as a victim of trafficking"}); err != nil {
		return err
	}
	if _, err := w.svc.UpdateText(ctx, f, lack.ID, service.AnyRevision, service.TextChange{
		Text: drafting.Text{"en": "The lack of identity documents shall never prevent the identification of a person as a victim of trafficking.",
			"es": "La falta de documentos de identidad nunca impedirá la identificación de una persona como víctima de trata."},
		Note: "Costa Rica's point"}); err != nil {
		return err
	}

	// III.5 shelter: the chair changes the English only; the Spanish waits
	// for Mexico's translator (or the chair) to align it.
	shelter := w.clauses[2][4]
	if _, err := w.svc.UpdateText(ctx, f, shelter.ID, service.AnyRevision, service.TextChange{
		Text: drafting.Text{"en": "Consular officials shall coordinate with the authorities of the country of destination to ensure safe and appropriate shelter for victims.",
			"es": shelter.Text["es"]},
		Note: "English drafting group"}); err != nil {
		return err
	}
	if err := w.svc.SetTranslator(ctx, f, w.guideline.ID, w.delegates["MX"].ID, true); err != nil {
		return err
	}

	// V.3 review: two alternatives on the table; delegations say which
	// they can accept.
	review := w.clauses[4][2]
	r, err := w.svc.SetAlternatives(ctx, f, review.ID, service.AnyRevision, []drafting.Text{
		{"en": "The Regional Conference on Migration shall review the implementation of these guidelines every two years, with the technical support of IOM.",
			"es": "La Conferencia Regional sobre Migración revisará la aplicación de estos lineamientos cada dos años, con el apoyo técnico de la OIM."},
		{"en": "The Regional Conference on Migration shall review the implementation of these guidelines every three years, with the technical support of IOM.",
			"es": "La Conferencia Regional sobre Migración revisará la aplicación de estos lineamientos cada tres años, con el apoyo técnico de la OIM."},
	}, "Two options from Session 2")
	if err != nil {
		return err
	}
	for code, acceptable := range map[string][]string{"BZ": {"A"}, "CR": {"A", "B"}, "GT": {"B"}, "MX": {"A", "B"}, "SV": {"A"}} {
		if err := position(code, r, drafting.PositionInput{Stance: drafting.StanceAgree, Acceptable: acceptable}); err != nil {
			return err
		}
	}

	// V.2 information sharing: two amendments on the table, so the draft
	// read as if they were accepted shows them as alternatives.
	share := w.clauses[4][1]
	for code, hours := range map[string][2]string{"CR": {"twenty-four hours", "veinticuatro horas"}, "SV": {"twelve hours", "doce horas"}} {
		if err := comment(code, share, drafting.CommentInput{Kind: drafting.KindAmendment, Body: "A shorter time limit.",
			ProposedText: drafting.Text{"en": "Focal points shall share information on cases through secure channels within " + hours[0] + " of identification.",
				"es": "Los puntos focales compartirán información sobre los casos a través de canales seguros dentro de las " + hours[1] + " siguientes a la identificación."}}); err != nil {
			return err
		}
	}
	_, err = w.svc.CreateDraft(ctx, f, w.guideline.ID, "Draft before Session 3")
	return err
}
