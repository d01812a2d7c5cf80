package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/service"
)

type draftClauseRef struct {
	ClauseID  string `json:"clause_id"`
	Version   int    `json:"version"`
	Number    string `json:"number"`
	Status    string `json:"status"`
	SectionID string `json:"section_id"`
}

type draftView struct {
	GuidelineID string           `json:"guideline_id"`
	Number      int              `json:"number"`
	Label       string           `json:"label"`
	CreatedBy   string           `json:"created_by"`
	CreatedAt   time.Time        `json:"created_at"`
	Clauses     []draftClauseRef `json:"clauses,omitempty"`
}

func toDraftView(d drafting.Draft, withClauses bool) draftView {
	v := draftView{GuidelineID: d.GuidelineID, Number: d.Number, Label: d.Label, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt}
	if withClauses {
		v.Clauses = make([]draftClauseRef, len(d.Clauses))
		for i, c := range d.Clauses {
			v.Clauses[i] = draftClauseRef{ClauseID: c.ClauseID, Version: c.Version, Number: c.Number, Status: string(c.Status), SectionID: c.SectionID}
		}
	}
	return v
}

func (s *Server) handleDraftsPost(c *gin.Context) (int, any, error) {
	var req struct {
		Label string `json:"label"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	gid := c.Param("gid")
	r, err := s.svc.CreateDraftOnce(c.Request.Context(), principal(c), gid, req.Label, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "/api/v1/guidelines/"+gid+"/drafts/"+itoa(r.Value.Number), "", toDraftView(r.Value, true))
}

func (s *Server) handleDraftsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	ds, next, err := s.svc.Drafts(c.Request.Context(), principal(c), c.Param("gid"), page)
	return reply(listOf(ds, next, func(d drafting.Draft) draftView { return toDraftView(d, false) }), err)
}

// documentClause is a clause as the JSON rendering shows it.
type documentClause struct {
	ID           string              `json:"id"`
	Number       string              `json:"number"`
	Status       string              `json:"status"`
	Version      int                 `json:"version"`
	Bracketed    bool                `json:"bracketed"`
	Text         map[string]string   `json:"text"`
	Reservations []reservationInline `json:"reservations"`
	// AdReferendum lists the countries whose agreement awaits their capital.
	AdReferendum []string `json:"ad_referendum"`
	// Amendments lists the open amendments a view accepted or rejected.
	Amendments []string `json:"amendments"`
	// Alternatives is true when text holds several proposals side by side.
	Alternatives bool `json:"alternatives"`
	// AlignmentPending lists the languages awaiting alignment.
	AlignmentPending []string `json:"alignment_pending"`
}

type reservationInline struct {
	Country string `json:"country"`
	Text    string `json:"text"`
}

type documentSection struct {
	ID      string            `json:"id"`
	Title   map[string]string `json:"title"`
	Clauses []documentClause  `json:"clauses"`
}

func documentSections(doc render.Document) []documentSection {
	// The plan's sections (the annex) follow the text's, as in the guideline.
	all := append(append([]render.Section{}, doc.Sections...), doc.Annex...)
	out := make([]documentSection, len(all))
	for i, sec := range all {
		ds := documentSection{ID: sec.ID, Title: sec.Title, Clauses: make([]documentClause, len(sec.Clauses))}
		for j, cl := range sec.Clauses {
			res := make([]reservationInline, len(cl.Reservations))
			for k, r := range cl.Reservations {
				res[k] = reservationInline{Country: r.Country, Text: r.Text}
			}
			ds.Clauses[j] = documentClause{ID: cl.ID, Number: cl.Number, Status: cl.Status, Version: cl.Version,
				Bracketed: cl.Bracketed(), Text: cl.Text, Reservations: res, AdReferendum: append([]string{}, cl.AdReferendum...),
				Amendments: []string{}, Alternatives: cl.Alternatives, AlignmentPending: append([]string{}, cl.Unaligned...)}
		}
		out[i] = ds
	}
	return out
}

func (s *Server) handleDraftGet(c *gin.Context) (int, any, error) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		return 0, nil, err
	}
	format, lang := c.DefaultQuery("format", "json"), c.Query("lang")
	if err := service.CheckFormat(format); err != nil {
		return 0, nil, err
	}
	dd, err := s.svc.Draft(c.Request.Context(), principal(c), c.Param("gid"), n, drafting.DraftView(c.Query("view")))
	if err != nil {
		return 0, nil, err
	}
	if format == "json" {
		return http.StatusOK, toDraftDocumentView(dd), nil
	}
	body, ct, err := service.RenderDocument(format, lang, dd.Document)
	return reply(rawBody{contentType: ct, bytes: body}, err)
}

// toDraftDocumentView is a draft read as JSON: the draft, its document and
// the open amendments each clause's text took into account in this view.
func toDraftDocumentView(dd service.DraftDocument) gin.H {
	v := toDraftView(dd.Draft, true)
	sections := documentSections(dd.Document)
	for i := range sections {
		for j := range sections[i].Clauses {
			cl := &sections[i].Clauses[j]
			cl.Amendments = append([]string{}, dd.Amendments[cl.ID]...)
		}
	}
	return gin.H{
		"guideline_id": v.GuidelineID, "number": v.Number, "label": v.Label, "created_by": v.CreatedBy,
		"created_at": v.CreatedAt, "clauses": v.Clauses, "title": dd.Guideline.Title,
		"languages": dd.Guideline.Languages, "sections": sections, "view": dd.View,
	}
}

type draftChangeView struct {
	ClauseID    string                 `json:"clause_id"`
	FromNumber  *string                `json:"from_number"`
	ToNumber    *string                `json:"to_number"`
	FromVersion *int                   `json:"from_version"`
	ToVersion   *int                   `json:"to_version"`
	Text        map[string]string      `json:"text,omitempty"`
	Diff        map[string][]render.Op `json:"diff,omitempty"`
}

func toChangeViews(cs []service.DraftChange) []draftChangeView {
	out := make([]draftChangeView, len(cs))
	for i, x := range cs {
		v := draftChangeView{ClauseID: x.ClauseID, FromNumber: optional(x.FromNumber), ToNumber: optional(x.ToNumber), Text: x.Text, Diff: x.Diff}
		if x.FromVersion > 0 {
			v.FromVersion = &cs[i].FromVersion
		}
		if x.ToVersion > 0 {
			v.ToVersion = &cs[i].ToVersion
		}
		out[i] = v
	}
	return out
}

func (s *Server) handleDraftDiff(c *gin.Context) (int, any, error) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		return 0, nil, err
	}
	against, err := intParam("against", c.Query("against"), true)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.svc.CompareDrafts(c.Request.Context(), principal(c), c.Param("gid"), n, against)
	return reply(gin.H{"from": d.From, "to": d.To, "added": toChangeViews(d.Added), "removed": toChangeViews(d.Removed),
		"moved": toChangeViews(d.Moved), "changed": toChangeViews(d.Changed)}, err)
}

func itoa(n int) string { return strconv.Itoa(n) }
