package httpapi

import (
	"strings"
	"testing"

	"github.com/rcm-iom/consenso/internal/service"
)

// FuzzParseIfMatch: the If-Match parser never panics, admits a revision only
// when the header names that revision's ETag, and reads back every ETag the
// server writes.
func FuzzParseIfMatch(f *testing.F) {
	for _, seed := range []string{"", "*", `"r1"`, `"r12", "r3"`, `W/"r1"`, `"r0"`, `"r-1"`, `"r+5"`, `"r"`, `r1`,
		`"r99999999999999999999"`, ` "r7" `, `"x", "r2"`, ","} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, header string, required bool) {
		pre, err := parseIfMatch(header, required)
		if err != nil {
			if pre != service.AnyRevision {
				t.Fatalf("%q: an error with a precondition %+v", header, pre)
			}
			return
		}
		trimmed := strings.TrimSpace(header)
		if !pre.Pinned() {
			if trimmed != "" && trimmed != "*" {
				t.Fatalf("%q admits any revision", header)
			}
			return
		}
		for n := 1; n < 1<<20; n *= 2 {
			if pre.Admits(n) && pre.Admits(n+1) {
				t.Fatalf("%q admits two revisions", header)
			}
		}
	})
}

func TestParseIfMatch(t *testing.T) {
	for _, rev := range []int{1, 2, 9, 10, 123456} {
		pre, err := parseIfMatch(revisionETag(rev), true)
		if err != nil || !pre.Pinned() || !pre.Admits(rev) || pre.Admits(rev+1) {
			t.Errorf("ETag %s read back as %+v, %v", revisionETag(rev), pre, err)
		}
	}
	cases := []struct {
		header   string
		required bool
		pinned   bool
		code     string
	}{
		{"", false, false, ""},
		{"*", true, false, ""},
		{"", true, false, "request.if_match_required"},
		{`"r0"`, false, false, "request.if_match_stale"},
		{`"r+5"`, false, false, "request.if_match_stale"},
		{`W/"r5"`, false, false, "request.if_match_stale"},
		{`"x", "r5"`, false, true, ""},
	}
	for _, c := range cases {
		pre, err := parseIfMatch(c.header, c.required)
		code := ""
		if err != nil {
			code = err.Error()
		}
		if pre.Pinned() != c.pinned || (c.code == "") != (err == nil) || (c.code != "" && !strings.Contains(code, c.code)) {
			t.Errorf("parseIfMatch(%q, %v) = %+v, %v", c.header, c.required, pre, err)
		}
	}
}

// FuzzETagListMatches: If-None-Match never panics, and a list containing the
// ETag (weak or strong) always matches it.
func FuzzETagListMatches(f *testing.F) {
	f.Add(`"abc"`, `"abc"`)
	f.Add(`W/"abc", "def"`, `"def"`)
	f.Add(`*`, `"x"`)
	f.Fuzz(func(t *testing.T, header, etag string) {
		_ = etagListMatches(header, etag)
		if strings.ContainsAny(etag, ", ") || etag == "" {
			return
		}
		if !etagListMatches(header+", "+etag, etag) || !etagListMatches("W/"+etag, etag) {
			t.Fatalf("a list holding %q does not match it", etag)
		}
	})
}
