package drafting

import (
	"errors"
	"fmt"
)

// Kind classifies an Error; the HTTP layer maps each Kind to one status.
type Kind string

// The kinds of failure a caller can act on.
const (
	KindInvalid         Kind = "invalid"          // a field is wrong (422)
	KindMalformed       Kind = "malformed"        // the request cannot be read (400)
	KindUnauthenticated Kind = "unauthenticated"  // no or bad credentials (401)
	KindForbidden       Kind = "forbidden"        // known caller, not allowed (403)
	KindNotFound        Kind = "not_found"        // unknown or hidden (404)
	KindConflict        Kind = "conflict"         // the state does not allow it (409)
	KindPrecondition    Kind = "precondition"     // stale If-Match (412)
	KindPreconditionReq Kind = "precondition_req" // If-Match missing (428)
	KindRateLimited     Kind = "rate_limited"     // too many attempts (429)
	KindUnavailable     Kind = "unavailable"      // busy, or the database did not answer: retry later (503)
	KindInternal        Kind = "internal"         // our fault (500)
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type of the application. Code is a stable dotted id
// such as "clause.version_stale" that clients may switch on; Message is safe
// to show to the caller; Err, when set, is the cause and is only logged.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	// Data carries structured details for the caller (e.g. blocking clauses).
	Data map[string]any
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind and code.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds a 422-style error listing the offending fields.
func Invalid(code string, fields ...FieldError) *Error {
	msg := "the request has invalid fields"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Kind: KindInvalid, Code: code, Message: msg, Fields: fields}
}

// NotFound builds a not-found error for a kind of object ("clause").
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: what + ".not_found", Message: what + " not found"}
}

// ErrorKind returns the Kind of err, or KindInternal when err is not an *Error.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err is an *Error of the given kind.
func IsKind(err error, kind Kind) bool { return err != nil && ErrorKind(err) == kind }

// Fields collects field errors during validation.
type Fields []FieldError

// Has reports whether a problem with field is recorded.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Add records a problem with a field.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Err returns a KindInvalid error carrying the fields, or nil when there are none.
func (f Fields) Err(code string) error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(code, f...)
}
