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

// decodeInt reads an integer cursor (0 when there is none).
func (p Page) decodeInt() (int, error) {
	n := 0
	if p.Cursor == "" {
		return 0, nil
	}
	err := p.decode(&n)
	return n, err
}

// trimPage cuts a list read with limit+1 rows to the page and returns the
// cursor of the next page ("" on the last page).
func trimPage[T any](items []T, limit int, cursorOf func(T) any) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(cursorOf(items[len(items)-1]))
}
