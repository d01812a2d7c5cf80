package demo

import (
	"context"
	"fmt"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// The meeting's whole agenda: Session 2's national inputs, the clauses that
// cite them, Session 4's implementation plan and its follow-up.

// input is a national workshop outcome of the demo (en, es).
type input struct {
	country, area string
	kind          drafting.InputKind
	text          [2]string
	source        string
}

var inputs = []input{
	{"BZ", drafting.AreaPrevention, drafting.InputAdvance, [2]string{"Consular staff in Guatemala and Mexico received training on trafficking indicators.", "El personal consular en Guatemala y México recibió capacitación sobre indicadores de trata."}, "National workshop, Belmopan, 2011"},
	{"BZ", drafting.AreaConsularAssistance, drafting.InputChallenge, [2]string{"No budget line to cover the return of victims.", "No existe una partida presupuestaria para cubrir el retorno de las víctimas."}, "National workshop, Belmopan, 2011"},
	{"CR", drafting.AreaProtection, drafting.InputGoodPractice, [2]string{"An inter-institutional immediate response team assists victims within 24 hours.", "Un equipo de respuesta inmediata interinstitucional atiende a las víctimas en 24 horas."}, "National workshop, San José, 2011"},
	{"CR", drafting.AreaConsularAssistance, drafting.InputChallenge, [2]string{"Consulates lack secure channels to share case information.", "Los consulados carecen de canales seguros para compartir información de casos."}, "National workshop, San José, 2011"},
	{"SV", drafting.AreaProtection, drafting.InputChallenge, [2]string{"Victims are not always informed of their right to contact their consulate.", "No siempre se informa a las víctimas de su derecho a comunicarse con su consulado."}, "National workshop, San Salvador, 2010"},
	{"SV", drafting.AreaPrevention, drafting.InputAdvance, [2]string{"Prevention material is distributed with every passport.", "Se distribuye material de prevención con cada pasaporte."}, "National workshop, San Salvador, 2010"},
	{"GT", drafting.AreaProtection, drafting.InputChallenge, [2]string{"Small consulates cannot guarantee interviews by an official of the preferred gender.", "Los consulados pequeños no pueden garantizar entrevistas por una persona funcionaria del género preferido."}, "National workshop, Guatemala City, 2011"},
	{"GT", drafting.AreaConsularAssistance, drafting.InputGoodPractice, [2]string{"A consular referral route agreed with the Social Welfare Secretariat.", "Una ruta de referencia consular acordada con la Secretaría de Bienestar Social."}, "National workshop, Guatemala City, 2011"},
	{"HN", drafting.AreaPrevention, drafting.InputChallenge, [2]string{"Consulates lack protocols to detect victims among nationals who ask for help.", "Los consulados carecen de protocolos para detectar víctimas entre los nacionales que piden ayuda."}, "National workshop, Tegucigalpa, 2011"},
	{"HN", drafting.AreaConsularAssistance, drafting.InputChallenge, [2]string{"Travel documents take weeks to issue for victims without identity papers.", "La emisión de documentos de viaje tarda semanas para víctimas sin documentos de identidad."}, "National workshop, Tegucigalpa, 2011"},
	{"MX", drafting.AreaProtection, drafting.InputAdvance, [2]string{"Consulates in the United States offer remote interviews with specialised staff.", "Los consulados en Estados Unidos ofrecen entrevistas remotas con personal especializado."}, "National workshop, Tapachula, 2010"},
	{"MX", drafting.AreaPrevention, drafting.InputGoodPractice, [2]string{"Agreements with recruitment agencies to verify job offers abroad.", "Convenios con agencias de reclutamiento para verificar ofertas de empleo en el exterior."}, "National workshop, Tapachula, 2010"},
	{"NI", drafting.AreaConsularAssistance, drafting.InputChallenge, [2]string{"Consular fees are set by law and cannot be waived without reform.", "Los aranceles consulares están fijados por ley y no pueden eximirse sin una reforma."}, "National workshop, Managua, 2011"},
	{"NI", drafting.AreaProtection, drafting.InputAdvance, [2]string{"A national shelter network for returned victims.", "Una red nacional de albergues para víctimas retornadas."}, "National workshop, Managua, 2011"},
	{"PA", drafting.AreaPrevention, drafting.InputChallenge, [2]string{"Information campaigns do not reach indigenous communities in their languages.", "Las campañas de información no llegan a las comunidades indígenas en sus idiomas."}, "National workshop, Panama City, 2011"},
	{"PA", drafting.AreaProtection, drafting.InputChallenge, [2]string{"No risk assessment precedes the return of victims.", "No se realiza una evaluación de riesgos antes del retorno de las víctimas."}, "National workshop, Panama City, 2011"},
}

// citations says which inputs (by index in inputs) each clause answers,
// by section and clause index; the challenges left out are what the
// facilitator still has to draft for (BZ's return budget stays unaddressed).
var citations = []struct {
	section, clause int
	inputs          []int
}{
	{0, 0, []int{5}}, {0, 1, []int{14}}, {0, 2, []int{0, 8}}, {0, 3, []int{11}},
	{1, 1, []int{6, 10}}, {1, 4, []int{7}},
	{2, 0, []int{12}}, {2, 1, []int{4}}, {2, 2, []int{9}}, {2, 4, []int{2, 13}},
	{3, 0, []int{15}},
	{4, 1, []int{3}},
}

// recordInputs is Session 2: each delegation records its workshop outcomes
// (the head of delegation the first, a delegate the second).
func (w *world) recordInputs(ctx context.Context) error {
	seen := map[string]bool{}
	for _, in := range inputs {
		by := w.heads[in.country]
		if seen[in.country] {
			by = w.delegates[in.country]
		}
		seen[in.country] = true
		r, err := w.svc.CreateInputOnce(ctx, by, w.guideline.ID, service.NewInput{Area: in.area, Kind: in.kind,
			Text: drafting.Text{"en": in.text[0], "es": in.text[1]}, Source: in.source}, service.Idempotency{})
		if err != nil {
			return err
		}
		w.inputs = append(w.inputs, r.Value.ID)
	}
	return nil
}

// cite records, for the clauses drafted so far, the inputs they answer.
func (w *world) cite(ctx context.Context) error {
	for _, c := range citations {
		if c.section >= len(w.clauses) || c.clause >= len(w.clauses[c.section]) {
			continue
		}
		ids := make([]string, len(c.inputs))
		for i, n := range c.inputs {
			ids[i] = w.inputs[n]
		}
		if _, err := w.svc.SetSources(ctx, w.facilitator, w.clauses[c.section][c.clause].ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// action is an action of the demo plan: its text (en, es), the clauses it
// carries out (section, clause), who is responsible, and more.
type action struct {
	text        [2]string
	carries     [][2]int
	responsible []string
	timeframe   string
	indicators  [2]string
	verify      [2]string
}

// sessionOneActions carry out chapter I; they are agreed and adopted with
// it as the annex of approved version 1.
var sessionOneActions = []action{
	{[2]string{"Include a module on trafficking indicators in the induction course of every consular official.", "Incluir un módulo sobre indicadores de trata en el curso de inducción de toda persona funcionaria consular."},
		[][2]int{{0, 2}}, []string{"regional"}, "Within 12 months of adoption",
		[2]string{"Share of new consular officials trained before taking up their posts", "Porcentaje de nuevas personas funcionarias consulares capacitadas antes de asumir"},
		[2]string{"Course records of each Ministry", "Registros de los cursos de cada Ministerio"}},
	{[2]string{"Publish hotlines and referral channels on every consulate's website and notice board, in the languages of the community.", "Publicar las líneas de ayuda y los canales de referencia en el sitio web y el mural de cada consulado, en los idiomas de la comunidad."},
		[][2]int{{0, 1}}, []string{"CR", "GT", "HN", "PA"}, "Within 6 months of adoption",
		[2]string{"Consulates publishing the channels", "Consulados que publican los canales"},
		[2]string{"Screenshots and photographs sent to the focal point", "Capturas y fotografías enviadas al punto focal"}},
	{[2]string{"IOM develops a regional training toolkit for consular officials.", "La OIM elabora una caja de herramientas regional de capacitación para funcionarios consulares."},
		[][2]int{{0, 2}, {0, 4}}, []string{"IOM"}, "2013",
		[2]string{"Toolkit published in English and Spanish", "Caja de herramientas publicada en inglés y español"},
		[2]string{"The toolkit itself", "La propia caja de herramientas"}},
}

// laterActions carry out the other chapters, negotiated in Session 4.
var laterActions = []action{
	{[2]string{"Adopt a protocol for consular interviews of presumed victims.", "Adoptar un protocolo para las entrevistas consulares a presuntas víctimas."},
		[][2]int{{1, 1}}, []string{"regional"}, "Within 12 months of adoption",
		[2]string{"Protocol adopted by each Ministry", "Protocolo adoptado por cada Ministerio"}, [2]string{"Ministerial resolution", "Resolución ministerial"}},
	{[2]string{"Use the regional referral form in every consulate.", "Utilizar el formulario regional de referencia en todos los consulados."},
		[][2]int{{1, 4}}, []string{"regional"}, "Within 6 months of adoption",
		[2]string{"Cases recorded with the form", "Casos registrados con el formulario"}, [2]string{"Focal point reports", "Informes de los puntos focales"}},
	{[2]string{"Waive consular fees for victims of trafficking.", "Eximir de aranceles consulares a las víctimas de trata."},
		[][2]int{{2, 0}}, []string{"regional"}, "Within 12 months of adoption",
		[2]string{"Fee waivers granted", "Exenciones otorgadas"}, [2]string{"Consular accounts", "Cuentas consulares"}},
	{[2]string{"Issue emergency travel documents to victims within 72 hours.", "Expedir documentos de viaje de emergencia a las víctimas en 72 horas."},
		[][2]int{{2, 2}}, []string{"HN", "GT", "SV"}, "Within 6 months of adoption",
		[2]string{"Median days to issue a document", "Mediana de días para expedir un documento"}, [2]string{"Consular registers", "Registros consulares"}},
	{[2]string{"Establish a regional fund for the return of victims.", "Establecer un fondo regional para el retorno de las víctimas."},
		[][2]int{{3, 2}}, []string{"IOM", "regional"}, "2014",
		[2]string{"Returns financed by the fund", "Retornos financiados por el fondo"}, [2]string{"Fund reports", "Informes del fondo"}},
	{[2]string{"Designate and publish the focal point of each Ministry.", "Designar y publicar el punto focal de cada Ministerio."},
		[][2]int{{4, 0}}, []string{"regional"}, "Within 3 months of adoption",
		[2]string{"Focal points designated", "Puntos focales designados"}, [2]string{"List kept by the RCM Technical Secretariat", "Lista de la Secretaría Técnica de la CRM"}},
	{[2]string{"Set up a secure channel for focal points to share case information.", "Establecer un canal seguro para que los puntos focales compartan información de casos."},
		[][2]int{{4, 1}}, []string{"IOM", "CR"}, "2013",
		[2]string{"Channel in use by all focal points", "Canal en uso por todos los puntos focales"}, [2]string{"Usage reports", "Informes de uso"}},
}

func (w *world) addAction(ctx context.Context, a action) (service.ActionView, error) {
	var clauses []string
	for _, c := range a.carries {
		clauses = append(clauses, w.clauses[c[0]][c[1]].ID)
	}
	r, err := w.svc.CreateActionOnce(ctx, w.facilitator, w.guideline.ID, service.NewAction{SectionID: w.planSection,
		Text: drafting.Text{"en": a.text[0], "es": a.text[1]}, Details: drafting.ActionDetails{Responsible: a.responsible,
			Timeframe: a.timeframe, Indicators: drafting.Text{"en": a.indicators[0], "es": a.indicators[1]},
			Verification: drafting.Text{"en": a.verify[0], "es": a.verify[1]}, Clauses: clauses}}, service.Idempotency{})
	return r.Value, err
}

// sessionOnePlan drafts the plan section and chapter I's actions and
// agrees them, so approved version 1 carries them as its annex.
func (w *world) sessionOnePlan(ctx context.Context) error {
	sec, err := w.svc.CreateSectionOfKindOnce(ctx, w.facilitator, w.guideline.ID,
		drafting.Text{"en": "Implementation plan", "es": "Plan de implementación"}, 0, drafting.SectionPlan, service.Idempotency{})
	if err != nil {
		return err
	}
	w.planSection = sec.Value.ID
	for _, a := range sessionOneActions {
		v, err := w.addAction(ctx, a)
		if err != nil {
			return err
		}
		if _, err := w.svc.OpenClause(ctx, w.facilitator, v.ID, service.AnyRevision); err != nil {
			return err
		}
		if err := w.agreeAll(ctx, v.ClauseView); err != nil {
			return err
		}
		if _, err := w.svc.LockClause(ctx, w.facilitator, v.ID, service.AnyRevision); err != nil {
			return err
		}
		w.actions = append(w.actions, v)
	}
	return nil
}

// planAndFollowUp is Session 4 and after: the rest of the plan negotiated
// (some actions agreed, one contested, the others open), the clauses'
// sources recorded, and progress reports on the adopted actions.
func (w *world) planAndFollowUp(ctx context.Context) error {
	if err := w.cite(ctx); err != nil {
		return err
	}
	f := w.facilitator
	for i, a := range laterActions {
		v, err := w.addAction(ctx, a)
		if err != nil {
			return err
		}
		if _, err := w.svc.OpenClause(ctx, f, v.ID, service.AnyRevision); err != nil {
			return err
		}
		switch i {
		case 0, 1, 5: // agreed and locked
			if err := w.agreeAll(ctx, v.ClauseView); err != nil {
				return err
			}
			if _, err := w.svc.LockClause(ctx, f, v.ID, service.AnyRevision); err != nil {
				return err
			}
		case 2: // fee waivers: Nicaragua objects, as it did on clause III.1's fee
			if err := w.agreeAll(ctx, v.ClauseView, "NI"); err != nil {
				return err
			}
			if _, err := w.svc.SetPosition(ctx, w.heads["NI"], v.ID, "NI", drafting.PositionInput{Stance: drafting.StanceObject,
				ClauseVersion: v.Version, Reason: "Consular fees are set by law; a waiver needs a reform Nicaragua cannot promise within a year."}); err != nil {
				return err
			}
		case 3: // travel documents: Honduras asks for a longer timeframe
			if _, err := w.svc.CreateComment(ctx, w.delegates["HN"], v.ID, drafting.CommentInput{Kind: drafting.KindSubstantive,
				Body: "Seventy-two hours is not feasible without a connected civil registry; Honduras proposes ten working days."}, service.Idempotency{}); err != nil {
				return err
			}
		}
		w.actions = append(w.actions, v)
	}
	if _, err := w.svc.CreateDraft(ctx, f, w.guideline.ID, "Draft with the implementation plan (Session 4)"); err != nil {
		return err
	}
	// Follow-up of approved version 1's actions.
	today := w.svc.Now().UTC().Format("2006-01-02")
	reports := []struct {
		action int
		by     string // country, or IOM
		status drafting.ProgressStatus
		note   string
		link   string
	}{
		{0, "CR", drafting.ProgressDone, "The module is part of the 2013 induction course.", "https://example.org/cr/induction-2013"},
		{0, "GT", drafting.ProgressInProgress, "Curriculum drafted; first course in March.", ""},
		{0, "HN", drafting.ProgressNotStarted, "", ""},
		{0, "PA", drafting.ProgressBlocked, "Waiting for the training budget to be approved.", ""},
		{1, "CR", drafting.ProgressInProgress, "Website updated; notice boards pending.", ""},
		{1, "HN", drafting.ProgressDone, "Published in all consulates in Mexico and the United States.", "https://example.org/hn/consulados"},
		{2, "IOM", drafting.ProgressInProgress, "Toolkit drafted, under review by the focal points.", ""},
	}
	for _, r := range reports {
		by := w.facilitator
		if r.by != drafting.ResponsibleIOM {
			by = w.heads[r.by]
		}
		if _, err := w.svc.ReportProgressOnce(ctx, by, w.actions[r.action].ID, service.NewProgress{Status: r.status, Note: r.note,
			Date: today, EvidenceURL: r.link}, service.Idempotency{}); err != nil {
			return fmt.Errorf("progress %s on action %d: %w", r.by, r.action, err)
		}
	}
	return nil
}
