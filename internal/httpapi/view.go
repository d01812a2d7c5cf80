package httpapi

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// listView is the shape of every list: items and, when there is more, a cursor.
type listView[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageOf reads ?limit= and ?cursor=.
func pageOf(c *gin.Context) (service.Page, error) {
	p := service.Page{Limit: service.DefaultLimit, Cursor: c.Query("cursor")}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > service.MaxLimit {
			return p, drafting.Invalid("page.invalid_limit", drafting.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
		}
		p.Limit = n
	}
	return p, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
