package drafting

import "time"

// Event types recorded in the append-only log.
const (
	EventUserCreated         = "user.created"
	EventUserUpdated         = "user.updated"
	EventCountryCreated      = "country.created"
	EventAlternateDesignated = "country.alternate_designated"
	EventAlternateRevoked    = "country.alternate_revoked"
	// EventHeadChanged: an admin appointed a country's head of delegation,
	// the account stopped being it, or an admin set its password.
	EventHeadChanged         = "country.head_changed"
	EventGuidelineCreated    = "guideline.created"
	EventGuidelineUpdated    = "guideline.updated"
	EventSectionCreated      = "section.created"
	EventSectionUpdated      = "section.updated"
	EventClauseCreated       = "clause.created"
	EventClauseMoved         = "clause.moved"
	EventClauseTextChanged   = "clause.text_changed"
	EventClauseStatusChanged = "clause.status_changed"
	// EventClauseAlignmentConfirmed: a language pending alignment was
	// confirmed or corrected.
	EventClauseAlignmentConfirmed = "clause.alignment_confirmed"
	// EventClauseAlternativeChosen: the facilitator resolved a clause's
	// alternatives by choosing one.
	EventClauseAlternativeChosen = "clause.alternative_chosen"
	// EventGuidelineTranslatorChanged: a delegate was designated as
	// translator of a guideline, or no longer is.
	EventGuidelineTranslatorChanged = "guideline.translator_changed"
	EventCommentCreated             = "comment.created"
	EventCommentEdited              = "comment.edited"
	EventCommentWithdrawn           = "comment.withdrawn"
	EventCommentResolved            = "comment.resolved"
	EventPositionRecorded           = "position.recorded"
	EventPositionLapsed             = "position.lapsed"
	EventSilenceStarted             = "silence.started"
	EventSilenceBroken              = "silence.broken"
	EventSilenceEnded               = "silence.ended"
	EventDraftCreated               = "draft.created"
	EventGuidelineAdopted           = "guideline.adopted"
	EventIntegrationCreated         = "integration.created"
	EventIntegrationUpdated         = "integration.updated"
	EventWebhookCreated             = "webhook.created"
	EventWebhookUpdated             = "webhook.updated"
	EventWebhookDeleted             = "webhook.deleted"
)

// PublicationEvents are the events integrations may see.
var PublicationEvents = map[string]bool{EventGuidelineAdopted: true, EventProgressReported: true}

// Event is one entry of the append-only log. IDs grow monotonically in
// commit order.
type Event struct {
	ID          int64
	GuidelineID string
	Type        string
	ActorID     string
	SubjectID   string
	Data        map[string]any
	CreatedAt   time.Time
}

// Event types of the meeting's agenda beyond the text: national inputs
// (Session 2) and the clauses that cite them; the implementation plan's
// actions (Session 4) and the progress countries report on them.
const (
	EventInputCreated         = "input.created"
	EventInputChanged         = "input.changed"
	EventClauseSourcesChanged = "clause.sources_changed"
	EventActionChanged        = "action.changed"
	EventProgressReported     = "progress.reported"
)
