package render

import (
	"bytes"
	"strconv"
	"strings"
)

// Markdown renders the document as CommonMark with GFM-style footnotes, one
// "## <language>" part per language in display order. The document's heading
// and status line are in its first language; each part gives the title in
// its language (when it differs from the heading) and is worded in it (headings, footnotes, pending text).
//
// All user text is escaped so that a clause can never turn into a heading,
// link, list or raw HTML once the Markdown is rendered somewhere else.
func Markdown(d Document) []byte {
	var b bytes.Buffer
	first := firstLanguage(d)
	head := collapseSpace(titleIn(d.Title, first, d.Languages))
	b.WriteString("# " + mdEscapeInline(head) + "\n\n")
	b.WriteString(mdEscapeInline(statusLine(d, labelsFor(first))) + "\n")
	keys := clauseKeys(d)
	for _, lang := range d.Languages {
		p := layoutPart(d, lang, keys)
		b.WriteString("\n## " + mdEscapeInline(p.Name) + "\n")
		if p.Title != "" && p.Title != head {
			b.WriteString("\n**" + mdEscapeInline(p.Title) + "**\n")
		}
		sections := func(ss []sectionPart, level string) {
			for _, s := range ss {
				b.WriteString("\n" + level + " " + mdEscapeInline(s.Title) + "\n")
				for _, c := range s.Clauses {
					mdClause(&b, p, c)
				}
			}
		}
		sections(p.Sections, "###")
		if len(p.Annex) > 0 {
			b.WriteString("\n### " + mdEscapeInline(p.AnnexTitle) + "\n")
			sections(p.Annex, "####")
		}
		if len(p.Notes) > 0 {
			b.WriteString("\n")
			for _, n := range p.Notes {
				b.WriteString("[^" + strconv.Itoa(n.N) + "]: " + mdEscapeInline(n.Label) + "\n")
			}
		}
	}
	return b.Bytes()
}

// mdClause writes one clause paragraph and its labelled lines.
func mdClause(b *bytes.Buffer, p part, c clausePart) {
	b.WriteString("\n**" + mdEscapeInline(c.Number) + "** ")
	body := "_" + p.Labels.Pending + "_"
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
	for _, l := range c.Lines {
		b.WriteString("\n_" + mdEscapeInline(l.Label) + ":_ " + mdEscapeInline(l.Value) + "\n")
	}
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
			// The first line follows the clause number, the others start lines.
			lines = append(lines, mdEscape(l, len(lines) > 0))
		}
	}
	return strings.Join(lines, "\\\n")
}

// mdEscapeInline escapes user text that does not start a line.
func mdEscapeInline(s string) string { return mdEscape(s, false) }

// mdEscape escapes one line of user text. Characters that are significant
// anywhere are escaped everywhere; those that only matter at the start of a
// line (list markers, setext underlines, ordered-list numbers) only when the
// text does start a line.
func mdEscape(s string, lineStart bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	digits := 0 // length of the run of digits the line starts with
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '[', ']', '<', '>', '`', '#', '|', '~', '&':
			b.WriteByte('\\')
		case '-', '+', '=':
			if lineStart && i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if lineStart && digits > 0 && digits == i {
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
