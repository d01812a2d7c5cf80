package service

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"

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

// maxCursorLen bounds a cursor: the ones this API makes are well under it.
const maxCursorLen = 1000

// decode reads a cursor into v. A cursor is opaque to clients but not
// trusted: anything this API could not have made (not base64url, not JSON,
// too long, a string that is not plain text, an id that is not an id) is
// refused with 422 before it reaches a query.
func (p Page) decode(v any) error {
	if len(p.Cursor) > maxCursorLen {
		return errBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil || !plainJSON(raw) || json.Unmarshal(raw, v) != nil {
		return errBadCursor
	}
	return nil
}

// plainJSON reports whether raw is one JSON value whose strings (keys
// included) are all plain text, and whose "i" or "id" fields (the keyset
// ids of the cursors) are ids.
func plainJSON(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return drafting.TextProblem(x) == ""
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			for k, e := range x {
				if drafting.TextProblem(k) != "" || !walk(e) {
					return false
				}
				if id, ok := e.(string); ok && (strings.EqualFold(k, "i") || strings.EqualFold(k, "id")) && !drafting.ValidID(id) {
					return false
				}
			}
		}
		return true
	}
	return walk(v)
}

func (p Page) decodeString() (string, error) {
	if p.Cursor == "" {
		return "", nil
	}
	var s string
	err := p.decode(&s)
	return s, err
}

// decodeInt reads an integer cursor (0 when there is none): a version or
// draft number, so it must fit the INTEGER columns it is compared with.
func (p Page) decodeInt() (int, error) {
	n := 0
	if p.Cursor == "" {
		return 0, nil
	}
	if err := p.decode(&n); err != nil {
		return 0, err
	}
	if n < 1 || n > math.MaxInt32 {
		return 0, errBadCursor
	}
	return n, nil
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
