package drafting

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentKind classifies a comment.
type CommentKind string

// Comment kinds; an amendment carries proposed replacement text.
const (
	KindGeneral     CommentKind = "general"
	KindEditorial   CommentKind = "editorial"
	KindSubstantive CommentKind = "substantive"
	KindAmendment   CommentKind = "amendment"
)

// CommentStatus is where a comment stands.
type CommentStatus string

// Comment statuses: open until the facilitator resolves it or the author
// withdraws it. (The comment counts' answer names each: commentStatusCounts
// in internal/httpapi.)
const (
	CommentOpen         CommentStatus = "open"
	CommentIncorporated CommentStatus = "incorporated"
	CommentAddressed    CommentStatus = "addressed"
	CommentDeclined     CommentStatus = "declined"
	CommentWithdrawn    CommentStatus = "withdrawn"
)

// CommentStatuses lists every comment status.
var CommentStatuses = []CommentStatus{CommentOpen, CommentIncorporated, CommentAddressed, CommentDeclined, CommentWithdrawn}

// ValidCommentStatus reports whether s is a comment status.
func ValidCommentStatus(s CommentStatus) bool { return slices.Contains(CommentStatuses, s) }

// ValidCommentKind reports whether k is a comment kind.
func ValidCommentKind(k CommentKind) bool {
	switch k {
	case KindGeneral, KindEditorial, KindSubstantive, KindAmendment:
		return true
	}
	return false
}

// Comment is what a delegation (or observer) says about a clause version.
type Comment struct {
	ID             string
	GuidelineID    string
	ClauseID       string
	ClauseVersion  int
	AuthorID       string
	Country        string // empty for observers and facilitators
	Observer       bool
	Kind           CommentKind
	Body           string
	ProposedText   Text // amendments only
	Quote          string
	ParentID       string
	Status         CommentStatus
	ResolutionNote string
	ResolvedBy     string
	ResolvedAt     *time.Time
	Revision       int
	// Anchor is where the quote stands in the clause's current version
	// (anchor.go); nil when the comment quotes nothing.
	Anchor    *Anchor
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CommentInput is a new comment as asked for.
type CommentInput struct {
	Body         string
	Kind         CommentKind
	ProposedText Text
	ParentID     string
	Quote        string
}

// ValidateComment checks a new comment against the clause version it is
// written against: an amendment needs proposed text in the guideline's
// languages; a quote must be an exact excerpt of that version's text.
func ValidateComment(in CommentInput, languages []string, current Text) (CommentInput, error) {
	var t Texts
	in.Body = t.Text("body", in.Body)
	in.Quote = t.Text("quote", in.Quote)
	in.ProposedText = t.Map("proposed_text", in.ProposedText)
	in.ParentID = t.Plain("parent_id", in.ParentID)
	in.Kind = CommentKind(t.Plain("kind", string(in.Kind)))
	if err := t.Err(); err != nil {
		return in, err
	}
	var errs Fields
	if in.Kind == "" {
		in.Kind = KindGeneral
	}
	if !ValidCommentKind(in.Kind) {
		errs.Add("kind", "must be one of general, editorial, substantive, amendment")
	}
	if in.Body == "" {
		errs.Add("body", "required")
	} else if utf8.RuneCountInString(in.Body) > MaxCommentLen {
		errs.Add("body", "at most 20000 characters")
	}
	if in.Kind == KindAmendment {
		text, terrs := ValidateText("proposed_text", languages, in.ProposedText)
		errs = append(errs, terrs...)
		in.ProposedText = text
	} else if len(in.ProposedText) > 0 {
		errs.Add("proposed_text", "only amendments carry proposed text")
	}
	if in.Quote != "" {
		found := false
		for _, t := range current {
			// Stored texts were cleaned the same way; older ones may
			// still carry CRLF or another normal form.
			if strings.Contains(normalizeText(t), in.Quote) {
				found = true
				break
			}
		}
		if !found {
			errs.Add("quote", "is not an exact excerpt of the clause version commented on")
		}
		if utf8.RuneCountInString(in.Quote) > MaxClauseTextLen {
			errs.Add("quote", "too long")
		}
	}
	return in, errs.Err("comment.invalid")
}

// CheckAuthorChange refuses an edit or withdrawal unless userID wrote c and
// it is still open.
func (c Comment) CheckAuthorChange(userID string) error {
	if c.AuthorID != userID {
		return Errorf(KindForbidden, "comment.not_author", "only the author can change or withdraw a comment")
	}
	if c.Status != CommentOpen {
		return Errorf(KindConflict, "comment.not_open", "the comment is %s and can no longer change", c.Status)
	}
	return nil
}

// Resolve closes an open comment with a facilitator's decision.
func (c *Comment) Resolve(status CommentStatus, note, by string, now time.Time) error {
	switch status {
	case CommentAddressed, CommentIncorporated, CommentDeclined:
	default:
		return Invalid("comment.invalid_resolution", FieldError{Field: "status", Message: "must be addressed, incorporated or declined"})
	}
	if utf8.RuneCountInString(note) > MaxNoteLen {
		return Invalid("comment.invalid_resolution", FieldError{Field: "note", Message: "at most 2000 characters"})
	}
	if c.Status != CommentOpen {
		return Errorf(KindConflict, "comment.not_open", "the comment is already %s", c.Status)
	}
	c.Status, c.ResolutionNote, c.ResolvedBy, c.ResolvedAt, c.UpdatedAt = status, CleanText(note), by, &now, now
	return nil
}
