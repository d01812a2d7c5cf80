package render

import (
	"strings"
)

// line is one labelled line under a clause: "Timeframe: 2013".
type line struct {
	Label string
	Value string
}

// planLabels are the fixed words of the implementation plan and of a
// draft's sources, per language (English for a language not here).
type planLabels struct {
	Annex, Responsible, Timeframe, Indicators, Verification, Implements, Sources string
}

var planLabelTable = map[string]planLabels{
	"en": {Annex: "Annex: Implementation plan", Responsible: "Responsible", Timeframe: "Timeframe", Indicators: "Indicators",
		Verification: "Means of verification", Implements: "Carries out clauses", Sources: "Sources"},
	"es": {Annex: "Anexo: Plan de implementación", Responsible: "Responsables", Timeframe: "Plazo", Indicators: "Indicadores",
		Verification: "Medios de verificación", Implements: "Desarrolla las cláusulas", Sources: "Fuentes"},
}

func planLabelsFor(lang string) planLabels {
	if l, ok := planLabelTable[lang]; ok {
		return l
	}
	return planLabelTable["en"]
}

// annexHeading is the heading of the annex in lang.
func annexHeading(lang string) string { return planLabelsFor(lang).Annex }

// clauseLines are the labelled lines printed under a clause in lang: an
// action's details, then a draft clause's sources.
func clauseLines(c Clause, lang string, order []string) []line {
	l := planLabelsFor(lang)
	var out []line
	if a := c.Action; a != nil {
		out = append(out,
			line{l.Responsible, collapseSpace(strings.Join(a.Responsible, ", "))},
			line{l.Timeframe, collapseSpace(a.Timeframe)},
			line{l.Indicators, collapseSpace(titleIn(a.Indicators, lang, order))},
			line{l.Verification, collapseSpace(titleIn(a.Verification, lang, order))})
		if len(a.ClauseNumbers) > 0 {
			out = append(out, line{l.Implements, collapseSpace(strings.Join(a.ClauseNumbers, ", "))})
		}
	}
	if len(c.Sources) > 0 {
		out = append(out, line{l.Sources, collapseSpace(strings.Join(c.Sources, "; "))})
	}
	return out
}
