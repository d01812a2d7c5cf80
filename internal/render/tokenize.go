package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenizers cut text into the units a diff may keep or change. Every one of
// them returns substrings of its input, in order, with nothing dropped, so
// concatenating the tokens always rebuilds the input byte for byte (invalid
// UTF-8 included).

// splitWords is the tokenization readers expect: words (letters, digits and
// combining marks, with apostrophes inside words such as "l'État"), runs of
// whitespace, and every other character on its own, so "victims," changes by
// its comma alone.
func splitWords(s string) []string {
	toks := make([]string, 0, len(s)/3+1)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case isWordRune(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) {
					j += n2
					continue
				}
				if isApostrophe(r2) && j+n2 < len(s) {
					if r3, _ := utf8.DecodeRuneInString(s[j+n2:]); isWordRune(r3) {
						j += n2
						continue
					}
				}
				break
			}
		case unicode.IsSpace(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += n2
			}
		}
		// Anything else, an invalid byte included (n == 1 then), stands alone.
		toks = append(toks, s[i:j])
		i = j
	}
	return toks
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// splitChunks is the middle level: each run of non-space characters together
// with the whitespace after it, so a text has about half as many chunks as
// word-level tokens.
func splitChunks(s string) []string {
	toks := make([]string, 0, len(s)/6+1)
	for i := 0; i < len(s); {
		j := i
		inSpace := false
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			space := unicode.IsSpace(r)
			if inSpace && !space {
				break
			}
			inSpace = inSpace || space
			j += n
		}
		toks = append(toks, s[i:j])
		i = j
	}
	return toks
}

// splitLines is the last tokenized fallback: whole lines, newline included.
func splitLines(s string) []string {
	toks := make([]string, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		toks = append(toks, s[:i])
		s = s[i:]
	}
	return toks
}
