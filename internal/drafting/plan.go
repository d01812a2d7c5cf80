package drafting

import (
	"fmt"
	"regexp"
	"sort"
	"time"
	"unicode/utf8"
)

// Section kinds: the guideline's text, or its implementation plan (Session
// 4 of the meeting), adopted with the text as its annex.
const (
	SectionText = "text"
	SectionPlan = "plan"
)

// ValidSectionKind reports whether k is a section kind ("" is text).
func ValidSectionKind(k string) bool { return k == "" || k == SectionText || k == SectionPlan }

// Who may be responsible for an action besides a participating country's
// consular department.
const (
	ResponsibleIOM      = "IOM"
	ResponsibleRegional = "regional"
)

// MaxTimeframeLen bounds an action's timeframe.
const MaxTimeframeLen = 200

// ActionDetails is what an action of the implementation plan has besides
// its text: who is responsible (countries' consular departments, IOM, or
// the region as a whole), a timeframe, indicators and means of
// verification per language, and the clauses of the guideline it carries
// out. Details belong to a clause version, like text.
type ActionDetails struct {
	Responsible  []string
	Timeframe    string
	Indicators   Text
	Verification Text
	Clauses      []string
}

// ValidateAction checks an action's details against the guideline's
// languages and participants and returns them cleaned (responsible sorted,
// duplicates dropped). Whether Clauses name clauses of the guideline's
// text is for the caller, who reads them.
func ValidateAction(languages, participants []string, a ActionDetails) (ActionDetails, Fields) {
	var errs Fields
	part := map[string]bool{}
	for _, c := range participants {
		part[c] = true
	}
	var resp []string
	seen := map[string]bool{}
	for i, r := range a.Responsible {
		switch {
		case r == ResponsibleIOM || r == ResponsibleRegional || part[r]:
			if !seen[r] {
				seen[r] = true
				resp = append(resp, r)
			}
		default:
			errs.Add(fmt.Sprintf("responsible[%d]", i), "a participating country's code, IOM or regional")
		}
	}
	if len(a.Responsible) == 0 {
		errs.Add("responsible", "at least one: a participating country, IOM or regional")
	}
	sort.Strings(resp)
	a.Responsible = resp
	a.Timeframe = CleanText(a.Timeframe)
	if a.Timeframe == "" {
		errs.Add("timeframe", "required")
	} else if utf8.RuneCountInString(a.Timeframe) > MaxTimeframeLen {
		errs.Add("timeframe", "at most 200 characters")
	}
	var fe Fields
	a.Indicators, fe = validateTexts("indicators", languages, a.Indicators, MaxNoteLen, false)
	errs = append(errs, fe...)
	if len(a.Indicators) == 0 && len(fe) == 0 {
		errs.Add("indicators", "required in at least one language of the guideline")
	}
	a.Verification, fe = validateTexts("means_of_verification", languages, a.Verification, MaxNoteLen, false)
	errs = append(errs, fe...)
	if len(a.Verification) == 0 && len(fe) == 0 {
		errs.Add("means_of_verification", "required in at least one language of the guideline")
	}
	var cl []string
	cseen := map[string]bool{}
	for i, id := range a.Clauses {
		if !ValidID(id) {
			errs.Add(fmt.Sprintf("clauses[%d]", i), "not a clause id")
		} else if !cseen[id] {
			cseen[id] = true
			cl = append(cl, id)
		}
	}
	if len(a.Clauses) == 0 {
		errs.Add("clauses", "an action carries out at least one clause of the guideline")
	}
	if len(a.Clauses) > 100 {
		errs.Add("clauses", "at most 100 clauses")
	}
	sort.Strings(cl)
	a.Clauses = cl
	return a, errs
}

// SameAction reports whether two sets of details say the same.
func SameAction(a, b ActionDetails) bool {
	return fmt.Sprint(a.Responsible) == fmt.Sprint(b.Responsible) && a.Timeframe == b.Timeframe &&
		SameText(a.Indicators, b.Indicators) && SameText(a.Verification, b.Verification) &&
		fmt.Sprint(a.Clauses) == fmt.Sprint(b.Clauses)
}

// IsResponsible reports whether country answers for an action with these
// details: named, or the action is regional (every participant).
func (a ActionDetails) IsResponsible(country string) bool {
	for _, r := range a.Responsible {
		if r == country || r == ResponsibleRegional {
			return true
		}
	}
	return false
}

// ProgressStatus is where a country stands on an action.
type ProgressStatus string

// Progress statuses.
const (
	ProgressNotStarted ProgressStatus = "not_started"
	ProgressInProgress ProgressStatus = "in_progress"
	ProgressDone       ProgressStatus = "done"
	ProgressBlocked    ProgressStatus = "blocked"
)

// ValidProgressStatus reports whether s is a progress status.
func ValidProgressStatus(s ProgressStatus) bool {
	switch s {
	case ProgressNotStarted, ProgressInProgress, ProgressDone, ProgressBlocked:
		return true
	}
	return false
}

// ProgressReport is one report of a country (or IOM) on an action of an
// adopted plan. Reports are never changed: the latest is the current one.
type ProgressReport struct {
	ID string
	// Seq orders reports: the id of the event that recorded the report,
	// gap-free and in commit order.
	Seq         int64
	GuidelineID string
	ActionID    string
	Country     string
	Status      ProgressStatus
	Note        string
	Date        string // YYYY-MM-DD
	EvidenceURL string
	ReportedBy  string
	CreatedAt   time.Time
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// MaxEvidenceURLLen bounds an evidence link.
const MaxEvidenceURLLen = 2000

// ValidateProgress checks a report's status, note, date and evidence
// link; the date must be a calendar date not after today.
func ValidateProgress(r ProgressReport, today time.Time) (ProgressReport, Fields) {
	var errs Fields
	if !ValidProgressStatus(r.Status) {
		errs.Add("status", "one of not_started, in_progress, done, blocked")
	}
	r.Note = CleanText(r.Note)
	if utf8.RuneCountInString(r.Note) > MaxNoteLen {
		errs.Add("note", "at most 2000 characters")
	}
	if r.Status == ProgressBlocked && r.Note == "" {
		errs.Add("note", "say what blocks the action")
	}
	if d, err := time.Parse("2006-01-02", r.Date); !datePattern.MatchString(r.Date) || err != nil {
		errs.Add("date", "a date such as 2013-03-31")
	} else if d.After(today.UTC()) {
		errs.Add("date", "a report speaks for a day that has come")
	}
	if r.EvidenceURL != "" {
		u := r.EvidenceURL
		if len(u) > MaxEvidenceURLLen || !(hasPrefix(u, "https://") || hasPrefix(u, "http://")) {
			errs.Add("evidence_url", "an http(s) link of at most 2000 characters")
		}
	}
	return r, errs
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func init() {
	for _, t := range []string{EventActionChanged, EventProgressReported} {
		NegotiationEvents[t] = true
	}
}
