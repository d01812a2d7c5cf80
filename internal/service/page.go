package service

import (
	"encoding/base64"
	"encoding/json"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// Page is a request for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

// Default and maximum page sizes (API.md).
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

var errBadCursor = drafting.Invalid("page.invalid_cursor", drafting.FieldError{Field: "cursor", Message: "not a cursor this API returned"})

// encodeCursor makes an opaque cursor from a position value.
func encodeCursor(v any) string {
	raw, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func (p Page) decode(v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil || json.Unmarshal(raw, v) != nil {
		return errBadCursor
	}
	return nil
}

func (p Page) decodeString() (string, error) {
	if p.Cursor == "" {
		return "", nil
	}
	var s string
	err := p.decode(&s)
	return s, err
}
