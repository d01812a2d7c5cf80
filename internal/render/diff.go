package render

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is one step of a word-level diff.
//
// Ops are plain strings rather than an enum so the JSON API can hand them to
// clients unchanged.
type Op struct {
	Op   string `json:"op"` // "equal", "insert" or "delete"
	Text string `json:"text"`
}

const (
	opEqual  = "equal"
	opInsert = "insert"
	opDelete = "delete"
)

// WordDiff returns the word-level diff from a to b.
//
// Negotiators compare wording, so the diff moves whole words, whitespace runs
// and punctuation marks, never letter fragments. Concatenating the equal and
// delete texts gives a back exactly; equal and insert texts give b.
func WordDiff(a, b string) []Op { return wordDiff(a, b, privateUseSize) }

// tokenizers run from finest to coarsest: a coarser one only takes over when
// the texts hold more distinct tokens than there are private-use runes.
var tokenizers = []func(string) []string{splitWords, splitFields, splitLines}

// wordDiff takes the alphabet size as a parameter so tests can force the
// fallbacks without building texts with 137,000 distinct words.
func wordDiff(a, b string, alphabet int) []Op {
	if a == b {
		if a == "" {
			return nil
		}
		return []Op{{Op: opEqual, Text: a}}
	}
	for _, split := range tokenizers {
		if ops, ok := diffTokens(split(a), split(b), alphabet); ok {
			return ops
		}
	}
	// Not even whole lines fit: a wholesale replacement is coarse but true.
	var ops []Op
	if a != "" {
		ops = append(ops, Op{Op: opDelete, Text: a})
	}
	if b != "" {
		ops = append(ops, Op{Op: opInsert, Text: b})
	}
	return ops
}

// diffTokens encodes each distinct token as one private-use rune so that the
// character diff of diffmatchpatch becomes a token diff, then decodes and
// cleans up at token level. It reports false when the alphabet is too small.
func diffTokens(ta, tb []string, alphabet int) ([]Op, bool) {
	in := interner{ids: make(map[string]int32), limit: alphabet}
	ra, ok := in.encode(ta)
	if !ok {
		return nil, false
	}
	rb, ok := in.encode(tb)
	if !ok {
		return nil, false
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no deadline: the same inputs must always give the same diff
	diffs := dmp.DiffMainRunes(ra, rb, false)

	seq := make([]edit, 0, len(diffs))
	for _, d := range diffs {
		e := edit{toks: make([]int32, 0, len(d.Text)/3)}
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			e.kind = kindDelete
		case diffmatchpatch.DiffInsert:
			e.kind = kindInsert
		}
		for _, r := range d.Text {
			e.toks = append(e.toks, privateUseIndex(r))
		}
		seq = append(seq, e)
	}
	tt := newTokenTable(in.toks)
	return tt.ops(cleanupSemantic(seq, tt)), true
}

// interner numbers distinct tokens in order of first appearance, which keeps
// the encoding, and therefore the diff, deterministic.
type interner struct {
	ids   map[string]int32
	toks  []string
	limit int
}

func (in *interner) encode(toks []string) ([]rune, bool) {
	rs := make([]rune, len(toks))
	for i, t := range toks {
		id, ok := in.ids[t]
		if !ok {
			if len(in.toks) >= in.limit {
				return nil, false
			}
			id = int32(len(in.toks))
			in.ids[t] = id
			in.toks = append(in.toks, t)
		}
		rs[i] = privateUseRune(id)
	}
	return rs, true
}

// privateUse lists the Unicode private-use ranges. Their runes never occur in
// the encoded strings for any other reason and survive the string conversions
// inside diffmatchpatch unchanged.
var privateUse = [...]struct{ lo, hi rune }{
	{0xE000, 0xF8FF},     // BMP private use area
	{0xF0000, 0xFFFFD},   // supplementary private use area-A
	{0x100000, 0x10FFFD}, // supplementary private use area-B
}

// privateUseSize is the number of distinct tokens one diff can encode.
const privateUseSize = (0xF8FF - 0xE000 + 1) + (0xFFFFD - 0xF0000 + 1) + (0x10FFFD - 0x100000 + 1)

func privateUseRune(id int32) rune {
	for _, r := range privateUse {
		if n := r.hi - r.lo + 1; id < n {
			return r.lo + id
		} else {
			id -= n
		}
	}
	panic("render: token id outside the private-use alphabet")
}

func privateUseIndex(c rune) int32 {
	var base int32
	for _, r := range privateUse {
		if c >= r.lo && c <= r.hi {
			return base + c - r.lo
		}
		base += r.hi - r.lo + 1
	}
	panic("render: diff returned a rune outside the private-use alphabet")
}

// ops decodes a cleaned-up edit script, merging neighbours of the same kind
// and dropping empty steps so callers get a canonical list.
func (tt tokenTable) ops(seq []edit) []Op {
	var ops []Op
	var b strings.Builder
	for _, e := range seq {
		if len(e.toks) == 0 {
			continue
		}
		b.Reset()
		for _, id := range e.toks {
			b.WriteString(tt.text[id])
		}
		op := opEqual
		switch e.kind {
		case kindDelete:
			op = opDelete
		case kindInsert:
			op = opInsert
		}
		if n := len(ops); n > 0 && ops[n-1].Op == op {
			ops[n-1].Text += b.String()
			continue
		}
		ops = append(ops, Op{Op: op, Text: b.String()})
	}
	return ops
}
