package service

import "github.com/rcm-iom/consenso/internal/drafting"

// clauseEvents are the event types whose subject is a clause. Events about
// a clause name it in one place, data.clause_id, whatever their subject:
// comment events (subject: the comment) carry it too, so a live view files
// any event under its clause without knowing each type.
var clauseEvents = typeSet(
	drafting.EventClauseCreated, drafting.EventClauseMoved, drafting.EventClauseTextChanged, drafting.EventClauseStatusChanged,
	drafting.EventClauseAlignmentConfirmed, drafting.EventClauseAlternativeChosen,
	drafting.EventPositionRecorded, drafting.EventPositionLapsed, drafting.EventSilenceStarted, drafting.EventSilenceBroken, drafting.EventSilenceEnded,
	drafting.EventClauseSourcesChanged, drafting.EventActionChanged,
)

func typeSet(types ...string) map[string]bool {
	m := make(map[string]bool, len(types))
	for _, t := range types {
		m[t] = true
	}
	return m
}

// eventData completes the data of an event before it is recorded: an event
// about a clause gets data.clause_id.
func eventData(typ, subjectID string, data map[string]any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	if clauseEvents[typ] {
		if _, ok := data["clause_id"]; !ok {
			data["clause_id"] = subjectID
		}
	}
	return data
}

// nullable is s, or nil (JSON null) when s is empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
