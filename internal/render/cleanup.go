package render

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The semantic cleanup of diffmatchpatch would run on the encoded strings,
// where every token is one opaque private-use rune: its boundary scores could
// not tell a space from a word, and it would weigh equalities in tokens rather
// than characters. The same two ideas are implemented here on token slices,
// judged on the real text.

type editKind int8

const (
	kindEqual editKind = iota
	kindDelete
	kindInsert
	kindBoth // an equality demoted by cleanup: deleted and inserted again
)

// edit is one step of a token-level edit script.
type edit struct {
	kind editKind
	toks []int32
}

// tokenTable gives back the text and character width of each token id.
type tokenTable struct {
	text  []string
	width []int
}

func newTokenTable(toks []string) tokenTable {
	tt := tokenTable{text: toks, width: make([]int, len(toks))}
	for i, t := range toks {
		tt.width[i] = utf8.RuneCountInString(t)
	}
	return tt
}

func (tt tokenTable) size(toks []int32) int {
	n := 0
	for _, id := range toks {
		n += tt.width[id]
	}
	return n
}

// cleanupSemantic turns a minimal edit script into one a reader can follow:
// small equalities drowned between larger changes are folded into them, and
// each remaining change is slid to the most natural word boundary.
func cleanupSemantic(seq []edit, tt tokenTable) []edit {
	if demoteEqualities(seq, tt) {
		seq = normalize(seq)
	}
	alignToBoundaries(seq, tt)
	return normalize(seq)
}

// demoteEqualities marks as kindBoth every equality no longer than the changes
// on both sides of it, so "a b" -> "c d" reads as one replaced phrase rather
// than two replaced words around an unchanged space. It reaches the result of
// the first phase of diff_cleanupSemantic, but instead of splicing and
// rescanning it folds a demoted equality into the running totals, which keeps
// it linear on texts where almost every equality goes.
func demoteEqualities(seq []edit, tt tokenTable) bool {
	type candidate struct {
		idx      int
		width    int
		ins, del int // changed characters between the previous candidate and this one
	}
	var stack []candidate
	ins, del := 0, 0 // changed characters since the top of the stack
	changed := false
	for i, e := range seq {
		w := tt.size(e.toks)
		switch e.kind {
		case kindEqual:
			stack = append(stack, candidate{idx: i, width: w, ins: ins, del: del})
			ins, del = 0, 0
			continue
		case kindDelete:
			del += w
		case kindInsert:
			ins += w
		case kindBoth:
			del += w
			ins += w
		}
		// Demoting one equality grows the change after the previous one,
		// which may now qualify in turn.
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			lw := top.width
			if lw == 0 || lw > max(top.ins, top.del) || lw > max(ins, del) {
				break
			}
			seq[top.idx].kind = kindBoth
			stack = stack[:len(stack)-1]
			ins += top.ins + lw
			del += top.del + lw
			changed = true
		}
	}
	return changed
}

// normalize merges consecutive changes into one delete followed by one
// insert, moves tokens they share at either end into the neighbouring
// equalities, and merges equalities that end up adjacent.
func normalize(seq []edit) []edit {
	out := make([]edit, 0, len(seq))
	appendEqual := func(toks []int32) {
		if len(toks) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].kind == kindEqual {
			out[n-1].toks = slices.Concat(out[n-1].toks, toks)
			return
		}
		out = append(out, edit{kind: kindEqual, toks: slices.Clip(toks)})
	}
	var del, ins []int32
	flush := func() {
		p := commonPrefix(del, ins)
		appendEqual(del[:p])
		del, ins = del[p:], ins[p:]
		s := commonSuffix(del, ins)
		suffix := del[len(del)-s:]
		del, ins = del[:len(del)-s], ins[:len(ins)-s]
		if len(del) > 0 {
			out = append(out, edit{kind: kindDelete, toks: slices.Clip(del)})
		}
		if len(ins) > 0 {
			out = append(out, edit{kind: kindInsert, toks: slices.Clip(ins)})
		}
		appendEqual(suffix)
		del, ins = nil, nil
	}
	for _, e := range seq {
		switch e.kind {
		case kindEqual:
			if len(e.toks) > 0 {
				flush()
				appendEqual(e.toks)
			}
		case kindDelete:
			del = append(del, e.toks...)
		case kindInsert:
			ins = append(ins, e.toks...)
		case kindBoth:
			del = append(del, e.toks...)
			ins = append(ins, e.toks...)
		}
	}
	flush()
	return out
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// alignToBoundaries slides each change that sits between two equalities, as
// far as the texts allow, to where it starts and ends on the best boundary:
// inserting " very" after "a" in "a very big" may equally be shown as
// "very " before "big"; readers prefer the edit to end after a space, as in
// diff_cleanupSemanticLossless. Equalities may be left empty; normalize
// removes them.
func alignToBoundaries(seq []edit, tt tokenTable) {
	for i := 1; i+1 < len(seq); i++ {
		if seq[i].kind == kindEqual || seq[i-1].kind != kindEqual || seq[i+1].kind != kindEqual {
			continue
		}
		eq1, ed := seq[i-1].toks, seq[i].toks
		all := slices.Concat(eq1, ed, seq[i+1].toks)
		n := len(ed)
		s := len(eq1)
		// Sliding by one token is only possible where the token leaving the
		// change equals the one entering it, which keeps both texts intact.
		for s > 0 && all[s-1] == all[s+n-1] {
			s--
		}
		best, bestScore := s, tt.boundaryScore(all, s)+tt.boundaryScore(all, s+n)
		for s+n < len(all) && all[s] == all[s+n] {
			s++
			// >= prefers the rightmost position: trailing, not leading, space.
			if score := tt.boundaryScore(all, s) + tt.boundaryScore(all, s+n); score >= bestScore {
				best, bestScore = s, score
			}
		}
		if best != len(eq1) {
			seq[i-1].toks = all[:best:best]
			seq[i].toks = all[best : best+n : best+n]
			seq[i+1].toks = all[best+n:]
		}
	}
}

// boundaryScore rates cutting toks before position k, from 6 (text edge) down
// to 0 (between two word characters), like diffCleanupSemanticScore but with
// Unicode letters and digits counting as word characters.
func (tt tokenTable) boundaryScore(toks []int32, k int) int {
	if k == 0 || k == len(toks) {
		return 6
	}
	left, right := tt.text[toks[k-1]], tt.text[toks[k]]
	r1, _ := utf8.DecodeLastRuneInString(left)
	r2, _ := utf8.DecodeRuneInString(right)
	nonWord1 := !unicode.IsLetter(r1) && !unicode.IsDigit(r1)
	nonWord2 := !unicode.IsLetter(r2) && !unicode.IsDigit(r2)
	space1 := nonWord1 && unicode.IsSpace(r1)
	space2 := nonWord2 && unicode.IsSpace(r2)
	break1 := space1 && (r1 == '\n' || r1 == '\r')
	break2 := space2 && (r2 == '\n' || r2 == '\r')
	switch {
	case break1 && (strings.HasSuffix(left, "\n\n") || strings.HasSuffix(left, "\n\r\n")),
		break2 && (strings.HasPrefix(right, "\n\n") || strings.HasPrefix(right, "\n\r\n") ||
			strings.HasPrefix(right, "\r\n\n") || strings.HasPrefix(right, "\r\n\r\n")):
		return 5 // blank line
	case break1 || break2:
		return 4
	case nonWord1 && !space1 && space2:
		return 3 // end of sentence
	case space1 || space2:
		return 2
	case nonWord1 || nonWord2:
		return 1
	}
	return 0
}
