package httpapi

import (
	"encoding/json"
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

func (s *Server) handleDraftsPost(c *gin.Context) {
	var req struct {
		Label string `json:"label"`
	}
	raw, err := decodeKeepingBody(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	gid := c.Param("gid")
	res, err := s.svc.CreateDraftOnce(c.Request.Context(), principal(c), gid, req.Label, idempotency(c, raw),
		func(d drafting.Draft) (int, []byte, error) {
			return jsonAnswer(http.StatusCreated, toDraftView(d, true))
		})
	if err != nil {
		s.fail(c, err)
		return
	}
	var created struct {
		Number int `json:"number"`
	}
	if json.Unmarshal(res.Body, &created) == nil && created.Number > 0 {
		c.Header("Location", "/api/v1/guidelines/"+gid+"/drafts/"+itoa(created.Number))
	}
	s.writeCreated(c, res, "")
}

func (s *Server) handleDraftsGet(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ds, next, err := s.svc.Drafts(c.Request.Context(), principal(c), c.Param("gid"), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]draftView, len(ds))
	for i, d := range ds {
		items[i] = toDraftView(d, false)
	}
	c.JSON(http.StatusOK, listView[draftView]{Items: items, NextCursor: optional(next)})
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
}

type reservationInline struct {
	Country string `json:"country"`
	Text    string `json:"text"`
}

type documentSection struct {
	ID      string           `json:"id"`
	Title   string           `json:"title"`
	Clauses []documentClause `json:"clauses"`
}

func documentSections(doc render.Document) []documentSection {
	out := make([]documentSection, len(doc.Sections))
	for i, sec := range doc.Sections {
		ds := documentSection{ID: sec.ID, Title: sec.Title, Clauses: make([]documentClause, len(sec.Clauses))}
		for j, cl := range sec.Clauses {
			res := make([]reservationInline, len(cl.Reservations))
			for k, r := range cl.Reservations {
				res[k] = reservationInline{Country: r.Country, Text: r.Text}
			}
			ds.Clauses[j] = documentClause{ID: cl.ID, Number: cl.Number, Status: cl.Status, Version: cl.Version,
				Bracketed: cl.Bracketed(), Text: cl.Text, Reservations: res}
		}
		out[i] = ds
	}
	return out
}

func (s *Server) handleDraftGet(c *gin.Context) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	format, lang := c.DefaultQuery("format", "json"), c.Query("lang")
	if err := checkFormat(format); err != nil {
		s.fail(c, err)
		return
	}
	dd, err := s.svc.Draft(c.Request.Context(), principal(c), c.Param("gid"), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "json" {
		v := toDraftView(dd.Draft, true)
		c.JSON(http.StatusOK, gin.H{
			"guideline_id": v.GuidelineID, "number": v.Number, "label": v.Label, "created_by": v.CreatedBy,
			"created_at": v.CreatedAt, "clauses": v.Clauses, "title": dd.Guideline.Title,
			"languages": dd.Guideline.Languages, "sections": documentSections(dd.Document),
		})
		return
	}
	s.writeRendering(c, format, lang, dd.Document)
}

func checkFormat(format string) error {
	switch format {
	case "json", "markdown", "html", "akn":
		return nil
	}
	return drafting.Invalid("request.invalid_format", drafting.FieldError{Field: "format", Message: "must be json, markdown, html or akn"})
}

// writeRendering writes a non-JSON rendering of a document.
func (s *Server) writeRendering(c *gin.Context, format, lang string, doc render.Document) {
	body, ct, err := renderDocument(format, lang, doc)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, ct, body)
}

// renderDocument renders doc as markdown, html or akn (one language
// expression: lang, or the first language).
func renderDocument(format, lang string, doc render.Document) ([]byte, string, error) {
	switch format {
	case "markdown":
		return render.Markdown(doc), "text/markdown; charset=utf-8", nil
	case "html":
		return render.HTML(doc), "text/html; charset=utf-8", nil
	case "akn":
		if lang == "" && len(doc.Languages) > 0 {
			lang = doc.Languages[0]
		}
		b, err := render.AkomaNtoso(doc, lang)
		if err != nil {
			return nil, "", drafting.Invalid("request.invalid_lang", drafting.FieldError{Field: "lang", Message: "must be one of the guideline's languages"})
		}
		return b, "application/akn+xml; charset=utf-8", nil
	}
	return nil, "", checkFormat(format)
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

func (s *Server) handleDraftDiff(c *gin.Context) {
	n, err := intParam("n", c.Param("n"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	against, err := intParam("against", c.Query("against"), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.svc.CompareDrafts(c.Request.Context(), principal(c), c.Param("gid"), n, against)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"from": d.From, "to": d.To, "added": toChangeViews(d.Added), "removed": toChangeViews(d.Removed),
		"moved": toChangeViews(d.Moved), "changed": toChangeViews(d.Changed)})
}

func itoa(n int) string { return strconv.Itoa(n) }
