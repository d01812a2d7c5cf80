package drafting

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text hygiene: the one rule for every text a client sends. Free text
// (clause text, comments, quotes, reservations, reasons, notes, labels,
// titles, names) is checked with CheckText (or a Texts collector), which
// refuses characters that cannot be stored everywhere or that disguise what
// a text says, and returns the text cleaned:
//
//   - refused (422 text.invalid_character): bytes that are not UTF-8, C0
//     controls other than tab, line feed and carriage return, DEL, C1
//     controls, and the bidirectional embeddings, overrides and isolates
//     (U+202A–U+202E, U+2066–U+2069), which can make a footnote read the
//     opposite of what was agreed;
//   - cleaned: CRLF and a lone CR become LF, the text is put in Unicode NFC
//     (so equal texts compare equal and quotes match), surrounding white
//     space is trimmed, and a text that shows nothing once invisible
//     characters (white space, zero-width and other default-ignorable code
//     points) are removed becomes "" — which a required field then refuses
//     with its own code, like any empty value.
//
// Strings that are not free text but reach storage or a query (e-mail
// addresses, passwords, secrets, ids) must pass the same character check
// (Texts.Plain): a NUL, for one, is refused by PostgreSQL.

// Codes of refused text.
const (
	CodeInvalidCharacter = "text.invalid_character"
)

// forbiddenRune reports whether r may never appear in a string a client
// sends.
func forbiddenRune(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	}
	return false
}

// TextProblem says what is wrong with the characters of s, or "" when
// nothing is: not UTF-8, a control character or a bidi control.
func TextProblem(s string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return "is not valid UTF-8"
		case !forbiddenRune(r):
		case r >= 0x202a:
			return fmt.Sprintf("contains the bidirectional control character U+%04X, which is not allowed", r)
		default:
			return fmt.Sprintf("contains the control character U+%04X, which is not allowed (only tab and line breaks are)", r)
		}
	}
	return ""
}

// invisible reports whether r shows nothing on its own: white space,
// controls, format characters (zero-width space and joiners, soft hyphen,
// bidi marks, BOM, tags), variation selectors, other default-ignorable
// code points (Hangul fillers, combining grapheme joiner) and the blank
// Braille pattern.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || r == 0x2800 ||
		unicode.In(r, unicode.Cc, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// blank reports whether s shows nothing once invisible characters are
// removed.
func blank(s string) bool {
	for _, r := range s {
		if !invisible(r) {
			return false
		}
	}
	return true
}

// normalizeText turns CRLF and lone CR into LF and puts s in NFC, without
// trimming: the form texts are compared in (a quote against a clause).
func normalizeText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return norm.NFC.String(s)
}

// CleanText normalises a free text (normalizeText), trims surrounding white
// space, and returns "" for a text that shows nothing. It refuses nothing:
// CheckText does, and is what input validation calls.
func CleanText(s string) string {
	s = strings.TrimSpace(normalizeText(s))
	if blank(s) {
		return ""
	}
	return s
}

// CheckText is the rule for one free text: refused (text.invalid_character,
// naming field) when its characters are not allowed, cleaned otherwise.
func CheckText(field, s string) (string, error) {
	var t Texts
	s = t.Text(field, s)
	return s, t.Err()
}

// Texts checks the strings of one request and collects every refusal, so a
// client learns about all of them at once:
//
//	var t drafting.Texts
//	title := t.Text("title", in.Title)
//	note := t.Text("note", in.Note)
//	if err := t.Err(); err != nil { return err }
type Texts struct{ errs Fields }

// Text checks and cleans one free text; it returns "" when refused.
func (t *Texts) Text(field, s string) string {
	if msg := TextProblem(s); msg != "" {
		t.errs.Add(field, msg)
		return ""
	}
	return CleanText(s)
}

// Map checks and cleans a text per language ("text.en", "text.es"); the
// language codes must be plain too.
func (t *Texts) Map(field string, m Text) Text {
	if m == nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(Text, len(m))
	for _, k := range keys {
		if msg := TextProblem(k); msg != "" {
			t.errs.Add(field, "a language code "+msg)
			continue
		}
		out[k] = t.Text(field+"."+k, m[k])
	}
	return out
}

// Plain checks the characters of a string that is not free text and
// returns it unchanged.
func (t *Texts) Plain(field, s string) string {
	if msg := TextProblem(s); msg != "" {
		t.errs.Add(field, msg)
	}
	return s
}

// Err is the refusal (422 text.invalid_character) or nil.
func (t *Texts) Err() error { return t.errs.Err(CodeInvalidCharacter) }
