package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// The implementation plan (Session 4) and its follow-up.

type actionView struct {
	Clause       clauseView    `json:"clause"`
	Responsible  []string      `json:"responsible"`
	Timeframe    string        `json:"timeframe"`
	Indicators   drafting.Text `json:"indicators"`
	Verification drafting.Text `json:"means_of_verification"`
	Clauses      []string      `json:"clauses"`
}

func toActionView(v service.ActionView) actionView {
	return actionView{Clause: toClauseView(v.ClauseView), Responsible: nonNilStrings(v.Details.Responsible),
		Timeframe: v.Details.Timeframe, Indicators: nonNilText(v.Details.Indicators),
		Verification: nonNilText(v.Details.Verification), Clauses: nonNilStrings(v.Details.Clauses)}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilText(t drafting.Text) drafting.Text {
	if t == nil {
		return drafting.Text{}
	}
	return t
}

type actionDetailsRequest struct {
	Responsible  []string      `json:"responsible"`
	Timeframe    string        `json:"timeframe"`
	Indicators   drafting.Text `json:"indicators"`
	Verification drafting.Text `json:"means_of_verification"`
	Clauses      []string      `json:"clauses"`
}

func (r actionDetailsRequest) details() drafting.ActionDetails {
	return drafting.ActionDetails{Responsible: r.Responsible, Timeframe: r.Timeframe, Indicators: r.Indicators,
		Verification: r.Verification, Clauses: r.Clauses}
}

func (s *Server) handleActionsPost(c *gin.Context) (int, any, error) {
	var req struct {
		actionDetailsRequest
		SectionID string        `json:"section_id"`
		Number    string        `json:"number"`
		Position  *int          `json:"position"`
		Text      drafting.Text `json:"text"`
		Note      string        `json:"note"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.CreateActionOnce(c.Request.Context(), principal(c), c.Param("gid"), service.NewAction{
		SectionID: req.SectionID, Number: req.Number, Position: newPosition(req.Position), Text: req.Text, Note: req.Note,
		Details: req.details()}, idem)
	if err != nil {
		return 0, nil, err
	}
	v := r.Value
	return created(c, r.Replayed, "/api/v1/clauses/"+v.ID+"/action", revisionETag(v.Revision), toActionView(v))
}

func (s *Server) handleActionsGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	as, next, err := s.svc.Actions(c.Request.Context(), principal(c), c.Param("gid"), page)
	return reply(listOf(as, next, toActionView), err)
}

func (s *Server) handleActionGet(c *gin.Context) (int, any, error) {
	v, err := s.svc.Action(c.Request.Context(), principal(c), c.Param("cid"))
	return tagged(c, v.Revision, toActionView(v), err)
}

func (s *Server) handleActionPut(c *gin.Context) (int, any, error) {
	var req struct {
		actionDetailsRequest
		Note string `json:"note"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	expect, err := ifMatch(c, true)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.svc.UpdateAction(c.Request.Context(), principal(c), c.Param("cid"), expect, req.details(), req.Note)
	return tagged(c, v.Revision, toActionView(v), err)
}

type progressView struct {
	ID          string    `json:"id"`
	GuidelineID string    `json:"guideline_id"`
	ActionID    string    `json:"action_id"`
	Country     string    `json:"country"`
	Status      string    `json:"status"`
	Note        string    `json:"note"`
	Date        string    `json:"date"`
	EvidenceURL *string   `json:"evidence_url"`
	ReportedBy  string    `json:"reported_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func toProgressView(r drafting.ProgressReport) progressView {
	return progressView{ID: r.ID, GuidelineID: r.GuidelineID, ActionID: r.ActionID, Country: r.Country, Status: string(r.Status),
		Note: r.Note, Date: r.Date, EvidenceURL: optional(r.EvidenceURL), ReportedBy: r.ReportedBy, CreatedAt: r.CreatedAt}
}

func (s *Server) handleProgressPost(c *gin.Context) (int, any, error) {
	var req struct {
		Status      string `json:"status"`
		Note        string `json:"note"`
		Date        string `json:"date"`
		EvidenceURL string `json:"evidence_url"`
	}
	idem, err := decodeCreate(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.svc.ReportProgressOnce(c.Request.Context(), principal(c), c.Param("cid"), service.NewProgress{
		Status: drafting.ProgressStatus(req.Status), Note: req.Note, Date: req.Date, EvidenceURL: req.EvidenceURL}, idem)
	if err != nil {
		return 0, nil, err
	}
	return created(c, r.Replayed, "", "", toProgressView(r.Value))
}

func (s *Server) handleProgressHistoryGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	rs, next, err := s.svc.ProgressHistory(c.Request.Context(), principal(c), c.Param("cid"), c.Query("country"), page)
	return reply(listOf(rs, next, toProgressView), err)
}

type progressCellView struct {
	Status      string  `json:"status"`
	Note        string  `json:"note"`
	Date        string  `json:"date"`
	EvidenceURL *string `json:"evidence_url"`
	ReportID    string  `json:"report_id"`
}

type progressRowView struct {
	ActionID    string                       `json:"action_id"`
	Number      string                       `json:"number"`
	Text        map[string]string            `json:"text"`
	Responsible []string                     `json:"responsible"`
	Timeframe   string                       `json:"timeframe"`
	Progress    map[string]*progressCellView `json:"progress"`
}

func (s *Server) handleProgressGet(c *gin.Context) (int, any, error) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		return 0, nil, drafting.Invalid("request.invalid_parameter", drafting.FieldError{Field: "format", Message: "json or csv"})
	}
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	if format == "csv" {
		page = service.Page{} // a spreadsheet gets the whole plan
	}
	m, err := s.svc.Progress(c.Request.Context(), principal(c), c.Param("gid"), page)
	if err != nil {
		return 0, nil, err
	}
	if format == "csv" {
		return progressCSV(m)
	}
	return reply(toRegionalProgressView(m), nil)
}

// toRegionalProgressView is the regional progress view as the contract shows it.
func toRegionalProgressView(m service.ProgressMatrix) gin.H {
	rows := make([]progressRowView, len(m.Rows))
	for i, r := range m.Rows {
		v := progressRowView{ActionID: r.Action.ID, Number: r.Action.Number, Text: r.Action.Text,
			Responsible: nonNilStrings(r.Action.Responsible), Timeframe: r.Action.Timeframe, Progress: map[string]*progressCellView{}}
		for party, rep := range r.Reports {
			if rep == nil {
				v.Progress[party] = nil
				continue
			}
			v.Progress[party] = &progressCellView{Status: string(rep.Status), Note: rep.Note, Date: rep.Date,
				EvidenceURL: optional(rep.EvidenceURL), ReportID: rep.ID}
		}
		rows[i] = v
	}
	return gin.H{"guideline_id": m.GuidelineID, "version": m.Version, "parties": m.Parties, "actions": rows,
		"next_cursor": optional(m.Next)}
}

// progressCSV is the progress view as one row per action and responsible
// party, for a spreadsheet: a party with no report yet is not_reported.
func progressCSV(m service.ProgressMatrix) (int, any, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"action_number", "action_id", "party", "status", "date", "note", "evidence_url"})
	for _, r := range m.Rows {
		for _, party := range m.Parties {
			rep, ok := r.Reports[party]
			if !ok {
				continue
			}
			row := []string{r.Action.Number, r.Action.ID, party, "not_reported", "", "", ""}
			if rep != nil {
				row = []string{r.Action.Number, r.Action.ID, party, string(rep.Status), rep.Date, csvSafe(rep.Note), csvSafe(rep.EvidenceURL)}
			}
			_ = w.Write(row)
		}
	}
	w.Flush()
	return http.StatusOK, rawBody{contentType: "text/csv; charset=utf-8", bytes: b.Bytes()}, w.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): text starting with = + - @ is prefixed with an apostrophe.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
