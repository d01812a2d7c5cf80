package drafting

import (
	"sort"
	"strings"
	"unicode"
)

// Comments follow the text (docs/deliberation): a comment that quotes the
// clause is anchored to the words it is about, and the anchor is carried
// forward to every new version of the clause:
//
//   - carried: the quoted words are still there, where they were (the
//     words around them may have changed);
//   - moved: the quoted words are still there, but elsewhere in the text;
//   - changed: the words were edited, but a passage of the new text is
//     still similar enough (AnchorThreshold) to be the same place: the
//     anchor takes that passage as its new excerpt;
//   - orphaned: nothing similar is left. An orphaned anchor stays orphaned,
//     at the version that lost its words.

// AnchorState says how a comment's quote fared in the clause's current
// version.
type AnchorState string

// Anchor states.
const (
	AnchorCarried  AnchorState = "carried"
	AnchorMoved    AnchorState = "moved"
	AnchorChanged  AnchorState = "changed"
	AnchorOrphaned AnchorState = "orphaned"
)

// ValidAnchorState reports whether s is an anchor state.
func ValidAnchorState(s AnchorState) bool {
	switch s {
	case AnchorCarried, AnchorMoved, AnchorChanged, AnchorOrphaned:
		return true
	}
	return false
}

// AnchorThreshold is the least similarity (0 to 1) at which an edited
// passage is still the place a comment was about.
const AnchorThreshold = 0.6

// Anchor is where a comment's quote stands in a clause version: in which
// language, at which byte offset of the (normalised) text, and the words
// found there.
type Anchor struct {
	State   AnchorState
	Version int
	Lang    string
	Start   int
	Excerpt string
}

// NewAnchor anchors a quote in the version it was written against: in the
// first of languages whose text holds it (ValidateComment made sure one
// does). ok is false when the quote is empty or not found.
func NewAnchor(quote string, version int, languages []string, text Text) (Anchor, bool) {
	if quote == "" {
		return Anchor{}, false
	}
	for _, lang := range orderedLanguages(languages, text) {
		if i := strings.Index(normalizeText(text[lang]), quote); i >= 0 {
			return Anchor{State: AnchorCarried, Version: version, Lang: lang, Start: i, Excerpt: quote}, true
		}
	}
	return Anchor{}, false
}

// orderedLanguages is languages, then any other language of text (sorted).
func orderedLanguages(languages []string, text Text) []string {
	out := append([]string(nil), languages...)
	var extra []string
	for l := range text {
		if !contains(out, l) {
			extra = append(extra, l)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// Follow carries the anchor from the text it describes (old) to a new
// version's text.
func (a Anchor) Follow(old, new Text, newVersion int) Anchor {
	if a.State == AnchorOrphaned {
		return a
	}
	out := a
	out.Version = newVersion
	before, after := normalizeText(old[a.Lang]), normalizeText(new[a.Lang])
	start := a.Start
	if start < 0 || start+len(a.Excerpt) > len(before) || before[start:start+len(a.Excerpt)] != a.Excerpt {
		start = strings.Index(before, a.Excerpt)
	}
	if start >= 0 {
		if at, ok := mapPassage(before, after, start, a.Excerpt); ok {
			out.State, out.Start = AnchorCarried, at
			return out
		}
	}
	if at := nearestIndex(after, a.Excerpt, start); at >= 0 {
		out.State, out.Start = AnchorMoved, at
		return out
	}
	if at, excerpt, ok := similarPassage(after, a.Excerpt); ok {
		out.State, out.Start, out.Excerpt = AnchorChanged, at, excerpt
		return out
	}
	out.State = AnchorOrphaned
	return out
}

// token is a word of a text and where it sits.
type token struct {
	word       string
	start, end int
}

func tokenize(s string) []token {
	var out []token
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, token{s[start:i], start, i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, token{s[start:], start, len(s)})
	}
	return out
}

// maxAlign bounds the word alignment (old words × new words); beyond it
// a passage is only found again by searching for it (moved).
const maxAlign = 4_000_000

// mapPassage reports whether the passage of before at start is still in
// place in after: its words are aligned, in order and contiguous, with
// words of after (a longest common subsequence of words), and after holds
// the same passage there. It returns the passage's offset in after.
func mapPassage(before, after string, start int, passage string) (int, bool) {
	bt, at := tokenize(before), tokenize(after)
	if len(bt) == 0 || len(at) == 0 || len(bt)*len(at) > maxAlign {
		return 0, false
	}
	end := start + len(passage)
	i0, i1 := -1, -1
	for i, t := range bt {
		if t.end > start && t.start < end {
			if i0 < 0 {
				i0 = i
			}
			i1 = i
		}
	}
	if i0 < 0 {
		return 0, false
	}
	match := alignWords(bt, at)
	j0 := match[i0]
	if j0 < 0 {
		return 0, false
	}
	for i := i0; i <= i1; i++ {
		if match[i] != j0+(i-i0) {
			return 0, false
		}
	}
	pos := at[j0].start + (start - bt[i0].start)
	if pos < 0 || pos+len(passage) > len(after) || after[pos:pos+len(passage)] != passage {
		return 0, false
	}
	return pos, true
}

// alignWords matches words of a to words of b along a longest common
// subsequence: match[i] is the index in b of a's word i, or -1.
func alignWords(a, b []token) []int {
	n, m := len(a), len(b)
	// lcs[i][j] is the LCS length of a[i:] and b[j:], in one row-major slice.
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].word == b[j].word {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else if x, y := lcs[(i+1)*w+j], lcs[i*w+j+1]; x >= y {
				lcs[i*w+j] = x
			} else {
				lcs[i*w+j] = y
			}
		}
	}
	match := make([]int, n)
	for i := range match {
		match[i] = -1
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i].word == b[j].word:
			match[i] = j
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return match
}

// nearestIndex is the occurrence of sub in s nearest to near (or the first
// when near < 0), or -1.
func nearestIndex(s, sub string, near int) int {
	best := -1
	for from := 0; from <= len(s); {
		i := strings.Index(s[from:], sub)
		if i < 0 {
			break
		}
		i += from
		if best < 0 || near >= 0 && abs(i-near) < abs(best-near) {
			best = i
		}
		from = i + 1
	}
	return best
}

// similarPassage finds the passage of s (whole words, about as many as
// excerpt has, two more or fewer) most similar to excerpt; ok when its
// similarity reaches AnchorThreshold. Ties go to the earliest passage.
func similarPassage(s, excerpt string) (int, string, bool) {
	words := tokenize(s)
	k := len(tokenize(excerpt))
	if len(words) == 0 || k == 0 {
		return 0, "", false
	}
	bestScore, bestStart, bestEnd := -1.0, 0, 0
	for size := max(1, k-2); size <= k+2; size++ {
		for j := 0; j+size <= len(words); j++ {
			start, end := words[j].start, words[j+size-1].end
			if score := Similarity(excerpt, s[start:end]); score > bestScore || score == bestScore && start < bestStart {
				bestScore, bestStart, bestEnd = score, start, end
			}
		}
	}
	if bestScore < AnchorThreshold {
		return 0, "", false
	}
	return bestStart, s[bestStart:bestEnd], true
}

// maxEditDistance bounds the character comparison (runes × runes); longer
// passages are compared word by word.
const maxEditDistance = 250_000

// Similarity is how alike two passages are, from 0 (nothing in common) to
// 1 (equal): one minus the edit distance over the longer length, in
// characters (in words for long passages).
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra)*len(rb) > maxEditDistance {
		wa, wb := words(a), words(b)
		return 1 - float64(editDistance(wa, wb))/float64(max(len(wa), len(wb)))
	}
	return 1 - float64(editDistance(ra, rb))/float64(max(len(ra), len(rb)))
}

func words(s string) []string {
	t := tokenize(s)
	out := make([]string, len(t))
	for i := range t {
		out[i] = t[i].word
	}
	return out
}

// editDistance is the Levenshtein distance between two sequences.
func editDistance[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
