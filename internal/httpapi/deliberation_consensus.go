package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

type positionView struct {
	Country       string      `json:"country"`
	Stance        string      `json:"stance"`
	ClauseVersion *int        `json:"clause_version"`
	Current       bool        `json:"current"`
	Reservation   string      `json:"reservation"`
	Reason        string      `json:"reason"`
	RecordedByID  *string     `json:"recorded_by_id"`
	RecordedBy    *personView `json:"recorded_by"`
	RecordedAs    *string     `json:"recorded_as"`
	Deemed        bool        `json:"deemed"`
	AdReferendum  bool        `json:"ad_referendum"`
	ConfirmBy     *time.Time  `json:"confirm_by"`
	Acceptable    []string    `json:"acceptable"`
	RecordedAt    *time.Time  `json:"recorded_at"`
}

func toPositionView(p service.PositionView) positionView {
	v := positionView{Country: p.Country, Stance: p.Stance, Current: p.Current, Reservation: p.Reservation, Reason: p.Reason,
		RecordedByID: optional(p.RecordedBy), RecordedBy: toPersonView(p.Recorder), RecordedAs: optional(p.RecordedAs), Deemed: p.Deemed,
		AdReferendum: p.AdReferendum, ConfirmBy: p.ConfirmBy, Acceptable: append([]string{}, p.Acceptable...), RecordedAt: p.RecordedAt}
	if p.ClauseVersion > 0 {
		n := p.ClauseVersion
		v.ClauseVersion = &n
	}
	return v
}

type recordedView struct {
	positionView
	ClauseID     string `json:"clause_id"`
	ClauseStatus string `json:"clause_status"`
	ClauseETag   string `json:"clause_etag"`
}

func (s *Server) handlePositionPut(c *gin.Context) (int, any, error) {
	var req struct {
		Stance        string   `json:"stance"`
		ClauseVersion int      `json:"clause_version"`
		Reservation   string   `json:"reservation"`
		Reason        string   `json:"reason"`
		AdReferendum  bool     `json:"ad_referendum"`
		ConfirmBy     string   `json:"confirm_by"`
		Acceptable    []string `json:"acceptable"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	var confirmBy *time.Time
	if req.ConfirmBy != "" {
		t, err := time.Parse(time.RFC3339, req.ConfirmBy)
		if err != nil {
			return 0, nil, drafting.Invalid("position.invalid", drafting.FieldError{Field: "confirm_by", Message: "an RFC 3339 time such as 2026-12-01T17:00:00Z"})
		}
		confirmBy = &t
	}
	r, err := s.svc.SetPosition(c.Request.Context(), principal(c), c.Param("cid"), c.Param("country"), drafting.PositionInput{
		Stance: drafting.Stance(req.Stance), ClauseVersion: req.ClauseVersion, Reservation: req.Reservation, Reason: req.Reason,
		AdReferendum: req.AdReferendum, ConfirmBy: confirmBy, Acceptable: req.Acceptable})
	return reply(recordedView{positionView: toPositionView(r.Position), ClauseID: r.Clause.ID,
		ClauseStatus: string(r.Clause.Status), ClauseETag: revisionETag(r.Clause.Revision)}, err)
}

type positionsView struct {
	ClauseID      string         `json:"clause_id"`
	ClauseVersion int            `json:"clause_version"`
	Status        string         `json:"status"`
	Items         []positionView `json:"items"`
	NextCursor    *string        `json:"next_cursor"`
}

func (s *Server) handlePositionsGet(c *gin.Context) (int, any, error) {
	cl, ps, err := s.svc.Positions(c.Request.Context(), principal(c), c.Param("cid"))
	return reply(positionsView{ClauseID: cl.ID, ClauseVersion: cl.Version, Status: string(cl.Status),
		Items: listOf(ps, "", toPositionView).Items}, err)
}

type positionRecordView struct {
	ID            string      `json:"id"`
	Country       string      `json:"country"`
	Stance        string      `json:"stance"`
	ClauseVersion int         `json:"clause_version"`
	Reservation   string      `json:"reservation"`
	Reason        string      `json:"reason"`
	RecordedByID  *string     `json:"recorded_by_id"`
	RecordedBy    *personView `json:"recorded_by"`
	RecordedAs    *string     `json:"recorded_as"`
	Deemed        bool        `json:"deemed"`
	Superseded    bool        `json:"superseded"`
	AdReferendum  bool        `json:"ad_referendum"`
	ConfirmBy     *time.Time  `json:"confirm_by"`
	LapsedAt      *time.Time  `json:"lapsed_at"`
	Acceptable    []string    `json:"acceptable"`
	RecordedAt    time.Time   `json:"recorded_at"`
}

func toPositionRecordView(r service.PositionRecord) positionRecordView {
	return positionRecordView{ID: r.ID, Country: r.Country, Stance: string(r.Stance), ClauseVersion: r.ClauseVersion,
		Reservation: r.Reservation, Reason: r.Reason, RecordedByID: optional(r.RecordedBy), RecordedBy: toPersonView(r.Recorder), RecordedAs: optional(r.RecordedAs), Deemed: r.Deemed,
		Superseded: r.Superseded, AdReferendum: r.AdReferendum, ConfirmBy: r.ConfirmBy, LapsedAt: r.LapsedAt,
		Acceptable: append([]string{}, r.Acceptable...), RecordedAt: r.CreatedAt}
}

func (s *Server) handlePositionHistoryGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	rs, next, err := s.svc.PositionHistory(c.Request.Context(), principal(c), c.Param("cid"), page)
	return reply(listOf(rs, next, toPositionRecordView), err)
}

// clauseChange answers a facilitator's change to a clause's status: the
// optional If-Match (412 when stale), the change, and the clause with its
// ETag.
func clauseChange(c *gin.Context, change func(expect service.Precondition) (service.ClauseView, error)) (int, any, error) {
	expect, err := ifMatch(c, false)
	if err != nil {
		return 0, nil, err
	}
	v, err := change(expect)
	return clauseAnswer(c, v, err)
}

func (s *Server) handleClauseOpen(c *gin.Context) (int, any, error) {
	if err := decodeEmpty(c); err != nil {
		return 0, nil, err
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.OpenClause(c.Request.Context(), principal(c), c.Param("cid"), expect)
	})
}

func (s *Server) handleClauseLock(c *gin.Context) (int, any, error) {
	if err := decodeEmpty(c); err != nil {
		return 0, nil, err
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.LockClause(c.Request.Context(), principal(c), c.Param("cid"), expect)
	})
}

func (s *Server) handleClauseSilence(c *gin.Context) (int, any, error) {
	var req struct {
		Deadline string `json:"deadline"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	var deadline time.Time
	if req.Deadline != "" {
		var err error
		if deadline, err = time.Parse(time.RFC3339, req.Deadline); err != nil {
			return 0, nil, drafting.Invalid("silence.invalid_deadline", drafting.FieldError{Field: "deadline", Message: "an RFC 3339 time such as 2026-12-01T17:00:00Z"})
		}
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.StartSilence(c.Request.Context(), principal(c), c.Param("cid"), expect, deadline)
	})
}

func (s *Server) handleClauseReopen(c *gin.Context) (int, any, error) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(c, &req); err != nil {
		return 0, nil, err
	}
	return clauseChange(c, func(expect service.Precondition) (service.ClauseView, error) {
		return s.svc.ReopenClause(c.Request.Context(), principal(c), c.Param("cid"), expect, req.Reason)
	})
}

type countryNoteView struct {
	Country string `json:"country"`
	Text    string `json:"text"`
}

type matrixClauseView struct {
	ID              string             `json:"id"`
	Number          string             `json:"number"`
	SectionID       string             `json:"section_id"`
	Status          string             `json:"status"`
	Version         int                `json:"version"`
	SilenceDeadline *time.Time         `json:"silence_deadline"`
	Positions       map[string]string  `json:"positions"`
	Reservations    []countryNoteView  `json:"reservations"`
	Objections      []countryNoteView  `json:"objections"`
	Deemed          []string           `json:"deemed"`
	AdReferendum    []adReferendumView `json:"ad_referendum"`
	Alternatives    []supportView      `json:"alternatives"`
}

type supportView struct {
	Label     string   `json:"label"`
	Countries []string `json:"countries"`
}

type adReferendumView struct {
	Country   string    `json:"country"`
	ConfirmBy time.Time `json:"confirm_by"`
}

type matrixView struct {
	GuidelineID      string             `json:"guideline_id"`
	Participants     []string           `json:"participants"`
	Clauses          []matrixClauseView `json:"clauses"`
	Blocking         []string           `json:"blocking"`
	ReadyForAdoption bool               `json:"ready_for_adoption"`
	NextCursor       *string            `json:"next_cursor"`
}

func notesView(ns []service.CountryNote) []countryNoteView {
	return listOf(ns, "", func(n service.CountryNote) countryNoteView { return countryNoteView(n) }).Items
}

func toMatrixClauseView(r service.MatrixRow) matrixClauseView {
	return matrixClauseView{ID: r.ID, Number: r.Number, SectionID: r.SectionID, Status: string(r.Status),
		Version: r.Version, SilenceDeadline: r.SilenceDeadline, Positions: r.Cells, Reservations: notesView(r.Reservations),
		Objections: notesView(r.Objections), Deemed: r.Deemed,
		AdReferendum: listOf(r.AdReferendum, "", func(n service.AdReferendumNote) adReferendumView { return adReferendumView(n) }).Items,
		Alternatives: listOf(r.Alternatives, "", func(a service.AlternativeSupport) supportView { return supportView(a) }).Items}
}

func (s *Server) handleConsensusGet(c *gin.Context) (int, any, error) {
	page, err := pageOf(c)
	if err != nil {
		return 0, nil, err
	}
	m, err := s.svc.ConsensusMatrix(c.Request.Context(), principal(c), c.Param("gid"),
		service.MatrixQuery{SectionID: c.Query("section_id")}, page)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, matrixView{GuidelineID: m.GuidelineID, Participants: m.Participants,
		Clauses: listOf(m.Clauses, "", toMatrixClauseView).Items, Blocking: m.Blocking, ReadyForAdoption: m.ReadyForAdoption,
		NextCursor: optional(m.NextCursor)}, nil
}
