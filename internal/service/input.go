package service

import (
	"errors"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// Input checks shared by the use cases. Free text goes through
// drafting.Texts (the one text rule); strings that are not free text but
// reach a query are checked here before any query is made.

// checkPlain checks the characters of strings that are not free text,
// given as field, value pairs (drafting.Texts.Plain).
func checkPlain(fieldValues ...string) error {
	var t drafting.Texts
	for i := 0; i+1 < len(fieldValues); i += 2 {
		t.Plain(fieldValues[i], fieldValues[i+1])
	}
	return t.Err()
}

// checkIDField adds a field error unless id is empty or has the shape of
// an id, so a malformed id given in a body is refused before it is looked
// up. msg says what the id must name.
func checkIDField(errs *drafting.Fields, field, id, msg string) bool {
	if id == "" || drafting.ValidID(id) {
		return true
	}
	errs.Add(field, msg)
	return false
}

// isTextRefusal reports whether err refuses the characters of the input,
// which outranks every other problem with it.
func isTextRefusal(err error) bool {
	var de *drafting.Error
	return errors.As(err, &de) && de.Code == drafting.CodeInvalidCharacter
}

// checkText cleans the free text *s in place (drafting.CheckText); a nil
// pointer (a field left out of a patch) is left alone.
func checkText(field string, s *string) error {
	if s == nil {
		return nil
	}
	clean, err := drafting.CheckText(field, *s)
	*s = clean
	return err
}
