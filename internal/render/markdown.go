package render

import (
	"bytes"
	"strconv"
	"strings"
)

// Markdown renders the document as CommonMark with GFM-style footnotes, one
// "## <language>" part per language in display order.
//
// All user text is escaped so that a clause can never turn into a heading,
// link, list or raw HTML once the Markdown is rendered somewhere else.
func Markdown(d Document) []byte {
	var b bytes.Buffer
	b.WriteString("# " + mdEscapeLine(collapseSpace(d.Title)) + "\n\n")
	b.WriteString(mdEscapeLine(statusLine(d)) + "\n")
	keys := clauseKeys(d)
	for _, lang := range d.Languages {
		p := layoutPart(d, lang, keys)
		b.WriteString("\n## " + mdEscapeLine(p.Name) + "\n")
		for _, s := range p.Sections {
			b.WriteString("\n### " + mdEscapeLine(s.Title) + "\n")
			for _, c := range s.Clauses {
				b.WriteString("\n**" + mdEscapeLine(c.Number) + "** ")
				body := "_" + pendingText + "_"
				if !c.Pending {
					body = mdEscapeText(c.Text)
				}
				if c.Bracketed {
					// Our own brackets are escaped too: "[text][^1]" would
					// otherwise parse as a reference link to the footnote.
					body = `\[` + body + `\]`
				}
				b.WriteString(body)
				for _, n := range c.Notes {
					b.WriteString("[^" + strconv.Itoa(n.N) + "]")
				}
				b.WriteString("\n")
			}
		}
		if len(p.Notes) > 0 {
			b.WriteString("\n")
			for _, n := range p.Notes {
				b.WriteString("[^" + strconv.Itoa(n.N) + "]: " + mdEscapeLine(n.Label) + "\n")
			}
		}
	}
	return b.Bytes()
}

// mdEscapeText escapes multi-line clause text. Line structure is kept with
// hard breaks ("\" at line end) but blank lines are dropped, because a blank
// line would end the clause paragraph and let the next line start new blocks.
func mdEscapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, mdEscapeLine(l))
		}
	}
	return strings.Join(lines, "\\\n")
}

// mdEscapeLine escapes one line of user text. Characters that are significant
// anywhere are escaped everywhere; those that only matter at the start of a
// line (list markers, setext underlines, ordered-list numbers) only there.
func mdEscapeLine(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	digits := 0 // leading digits seen so far, -1 once past the line start
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '[', ']', '<', '>', '`', '#', '|', '~', '&', '!':
			b.WriteByte('\\')
		case '-', '+', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if digits > 0 && digits == i {
				b.WriteByte('\\')
			}
		}
		if r >= '0' && r <= '9' && digits == i {
			digits++
		}
		b.WriteRune(r)
	}
	return b.String()
}
