package service

import (
	"context"
	"math"
	"sort"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Follow-up after adoption: each country (and IOM) reports progress on the
// actions of the adopted plan it is responsible for.

// NewProgress is a progress report as a caller sends it.
type NewProgress struct {
	Status      drafting.ProgressStatus
	Note        string
	Date        string
	EvidenceURL string
}

// reporterFor says for whom p reports on an action with these details: a
// delegate (head or not) for their country when it is responsible (named,
// or the action is regional); a facilitator for IOM when IOM is.
func reporterFor(p auth.Principal, a drafting.ActionDetails) (string, error) {
	switch {
	case p.Role == drafting.RoleDelegate && p.Country != "":
		if a.IsResponsible(p.Country) {
			return p.Country, nil
		}
		return "", drafting.Errorf(drafting.KindForbidden, "progress.forbidden", "%s is not responsible for this action", p.Country)
	case p.IsFacilitator():
		for _, r := range a.Responsible {
			if r == drafting.ResponsibleIOM {
				return drafting.ResponsibleIOM, nil
			}
		}
		return "", drafting.Errorf(drafting.KindForbidden, "progress.forbidden", "IOM is not responsible for this action; the responsible countries report on it")
	}
	return "", drafting.Errorf(drafting.KindForbidden, "progress.forbidden", "only the countries (and IOM) responsible for an action report on it")
}

// adoptedAction reads an action as the latest approved version of its
// guideline adopted it: its details there. An action not in an approved
// plan yet has no follow-up (409 progress.not_adopted).
func adoptedAction(tx *store.Tx, id string) (ApprovedAction, string, error) {
	c, err := tx.Clause(id)
	if err != nil {
		return ApprovedAction{}, "", notFoundAs(err, "action")
	}
	a, err := tx.LatestApproved(c.GuidelineID)
	if err != nil {
		if drafting.IsKind(err, drafting.KindNotFound) {
			if _, aerr := actionOf(tx, id); aerr != nil {
				return ApprovedAction{}, "", aerr
			}
			return ApprovedAction{}, "", errNotAdopted
		}
		return ApprovedAction{}, "", err
	}
	content, err := decodeApproved(a.Content)
	if err != nil {
		return ApprovedAction{}, "", err
	}
	for _, sec := range content.Plan {
		for _, act := range sec.Actions {
			if act.ID == id {
				return act, c.GuidelineID, nil
			}
		}
	}
	if _, aerr := actionOf(tx, id); aerr != nil {
		return ApprovedAction{}, "", aerr
	}
	return ApprovedAction{}, "", errNotAdopted
}

var errNotAdopted = drafting.Errorf(drafting.KindConflict, "progress.not_adopted",
	"this action is not in the latest approved version of its plan: progress is reported on adopted actions")

func notFoundAs(err error, what string) error {
	if drafting.IsKind(err, drafting.KindNotFound) {
		return drafting.NotFound(what)
	}
	return err
}

func (a ApprovedAction) details() drafting.ActionDetails {
	return drafting.ActionDetails{Responsible: a.Responsible, Timeframe: a.Timeframe, Indicators: a.Indicators,
		Verification: a.Verification, Clauses: a.Clauses}
}

// ReportProgressOnce records a progress report on an adopted action,
// honouring an Idempotency-Key.
func (s *Service) ReportProgressOnce(ctx context.Context, p auth.Principal, actionID string, in NewProgress, idem Idempotency) (Created[drafting.ProgressReport], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.ProgressReport]{
		scope: "progress",
		create: func(u *unit) (drafting.ProgressReport, error) {
			var out drafting.ProgressReport
			if err := requireDraftReader(p); err != nil {
				return out, err
			}
			var t drafting.Texts
			in.Note = t.Text("note", in.Note)
			in.Date = t.Plain("date", in.Date)
			in.EvidenceURL = t.Plain("evidence_url", in.EvidenceURL)
			in.Status = drafting.ProgressStatus(t.Plain("status", string(in.Status)))
			if err := t.Err(); err != nil {
				return out, err
			}
			act, gid, err := adoptedAction(u.Tx, actionID)
			if err != nil {
				return out, err
			}
			country, err := reporterFor(p, act.details())
			if err != nil {
				return out, err
			}
			if country != drafting.ResponsibleIOM {
				g, err := u.Guideline(gid)
				if err != nil {
					return out, err
				}
				if !g.IsParticipant(country) {
					return out, drafting.Errorf(drafting.KindForbidden, "progress.forbidden", "%s does not participate in this guideline", country)
				}
			}
			r, errs := drafting.ValidateProgress(drafting.ProgressReport{Status: in.Status, Note: in.Note, Date: in.Date,
				EvidenceURL: in.EvidenceURL}, u.now)
			if err := errs.Err("progress.invalid"); err != nil {
				return out, err
			}
			r.ID, r.GuidelineID, r.ActionID, r.Country, r.ReportedBy, r.CreatedAt = s.newID(), gid, actionID, country, p.ID, u.now
			if r.Seq, err = u.NextProgressSeq(); err != nil {
				return out, err
			}
			if err := u.emit(drafting.EventProgressReported, gid, r.ID, map[string]any{"action_id": actionID,
				"action_number": act.Number, "country": country, "status": string(r.Status), "note": r.Note,
				"date": r.Date, "evidence_url": nullable(r.EvidenceURL)}); err != nil {
				return out, err
			}
			return r, u.InsertProgress(r)
		},
		ref:  func(r drafting.ProgressReport) string { return r.ID },
		load: (*store.Tx).Progress,
	})
}

// canReadProgress: every participant, and integrations (progress is
// follow-up of adopted text).
func canReadProgress(p auth.Principal) error {
	if !p.CanReadApproved() {
		return forbidden("sign in to read progress")
	}
	return nil
}

// ProgressHistory lists the reports on an action (optionally one
// country's), newest first: the history is kept whole.
func (s *Service) ProgressHistory(ctx context.Context, p auth.Principal, actionID, country string, page Page) ([]drafting.ProgressReport, string, error) {
	if err := canReadProgress(p); err != nil {
		return nil, "", err
	}
	if country != "" && !countryCode.MatchString(country) && country != drafting.ResponsibleIOM {
		return nil, "", drafting.Invalid("progress.invalid_filter", drafting.FieldError{Field: "country", Message: `a country code such as "CR", or IOM`})
	}
	var before int64
	if page.Cursor != "" {
		if err := page.decode(&before); err != nil {
			return nil, "", err
		}
		if before < 1 || before > math.MaxInt64/2 {
			return nil, "", errBadCursor
		}
	}
	var out []drafting.ProgressReport
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, _, err := adoptedAction(tx, actionID); err != nil && !drafting.IsKind(err, drafting.KindConflict) {
			return err
		}
		c, err := tx.Clause(actionID)
		if err != nil {
			return err
		}
		if _, err := visibleGuideline(tx, p, c.GuidelineID); err != nil {
			return drafting.NotFound("action")
		}
		out, err = tx.ProgressReports(store.ProgressFilter{ActionID: actionID, Country: country, Before: before, Limit: page.Limit + 1})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, page.Limit, func(r drafting.ProgressReport) any { return r.Seq })
	return out, next, nil
}

// ProgressRow is one action of the adopted plan with the current report
// of each party responsible for it (nil where none reported yet).
type ProgressRow struct {
	Action  ApprovedAction
	Reports map[string]*drafting.ProgressReport
}

// ProgressMatrix is the regional progress view: the adopted plan's
// actions × the parties responsible for them.
type ProgressMatrix struct {
	GuidelineID string
	Version     int
	Parties     []string // of the whole plan, whatever the page
	Rows        []ProgressRow
	Next        string // cursor of the next page of actions, "" on the last
}

// progressCursor continues a progress view: the approved version the first
// page read (later pages read the same plan) and the next action's index.
type progressCursor struct {
	Version int `json:"v"`
	Index   int `json:"i"`
}

// Progress reads the regional progress view of a guideline's latest
// approved plan (404 approved.not_found before any adoption), one page of
// actions in document order; a page without a limit holds them all.
func (s *Service) Progress(ctx context.Context, p auth.Principal, gid string, page Page) (ProgressMatrix, error) {
	out := ProgressMatrix{GuidelineID: gid, Parties: []string{}, Rows: []ProgressRow{}}
	if err := canReadProgress(p); err != nil {
		return out, err
	}
	var at progressCursor
	if page.Cursor != "" {
		if err := page.decode(&at); err != nil {
			return out, err
		}
		if at.Version < 1 || at.Index < 1 || at.Version > math.MaxInt32 || at.Index > math.MaxInt32 {
			return out, errBadCursor
		}
	}
	err := s.read(ctx, func(tx *store.Tx) error {
		g, err := visibleGuideline(tx, p, gid)
		if err != nil {
			return err
		}
		var a drafting.Approved
		if at.Version > 0 {
			a, err = tx.ApprovedVersion(gid, at.Version)
		} else {
			a, err = tx.LatestApproved(gid)
		}
		if err != nil {
			if drafting.IsKind(err, drafting.KindNotFound) {
				return drafting.Errorf(drafting.KindNotFound, "approved.not_found", "this guideline has no approved version yet")
			}
			return err
		}
		content, err := decodeApproved(a.Content)
		if err != nil {
			return err
		}
		out.Version = content.Version
		latest, err := tx.LatestProgress(gid)
		if err != nil {
			return err
		}
		byAction := map[string]map[string]*drafting.ProgressReport{}
		for i := range latest {
			r := &latest[i]
			if byAction[r.ActionID] == nil {
				byAction[r.ActionID] = map[string]*drafting.ProgressReport{}
			}
			byAction[r.ActionID][r.Country] = r
		}
		parties := map[string]bool{}
		for _, sec := range content.Plan {
			for _, act := range sec.Actions {
				row := ProgressRow{Action: act, Reports: map[string]*drafting.ProgressReport{}}
				for _, party := range responsibleParties(act.Responsible, g.Participants) {
					parties[party] = true
					row.Reports[party] = byAction[act.ID][party]
				}
				out.Rows = append(out.Rows, row)
			}
		}
		for party := range parties {
			out.Parties = append(out.Parties, party)
		}
		sort.Strings(out.Parties)
		if at.Index > len(out.Rows) {
			return errBadCursor
		}
		out.Rows = out.Rows[at.Index:]
		if page.Limit > 0 && len(out.Rows) > page.Limit {
			out.Rows = out.Rows[:page.Limit]
			out.Next = encodeCursor(progressCursor{Version: content.Version, Index: at.Index + page.Limit})
		}
		return nil
	})
	return out, err
}

// responsibleParties expands "regional" to every participant.
func responsibleParties(responsible, participants []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, r := range responsible {
		if r == drafting.ResponsibleRegional {
			for _, c := range participants {
				add(c)
			}
		} else {
			add(r)
		}
	}
	sort.Strings(out)
	return out
}
