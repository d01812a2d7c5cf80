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
func WordDiff(a, b string) []Op {
	df := differ{alphabet: privateUseSize, budget: workBudget}
	return df.diff(a, b)
}

// tokenizers run from finest to coarsest. A coarser one takes over when the
// finer one would need more distinct tokens than there are private-use runes,
// or more work than the budget allows.
var tokenizers = []func(string) []string{splitWords, splitChunks, splitLines}

// workBudget bounds the work of one WordDiff, counted as (n+m)² for every
// diffmatchpatch call on n+m tokens, an upper bound on its O((n+m)·d) cost.
// Without a timeout (which would make diffs depend on machine load) this is
// what keeps adversarial 20,000-character inputs, such as two unrelated runs
// of punctuation, from taking seconds; it amounts to roughly 0.2 s of CPU.
const workBudget = 100_000_000

// differ carries the limits of one diff; tests shrink them to force the
// fallbacks without building enormous texts.
type differ struct {
	alphabet int // distinct tokens one diffmatchpatch call can encode
	budget   int // work units left, see workBudget
}

func (df *differ) diff(a, b string) []Op {
	if a == b {
		if a == "" {
			return nil
		}
		return []Op{{Op: opEqual, Text: a}}
	}
	return df.diffLevel(a, b, 0)
}

// diffLevel diffs at tokenizer level lv if it can afford to; otherwise it
// diffs at a coarser level and then refines each changed region at this level,
// which is cheap when the changes are small and bounded when they are not.
func (df *differ) diffLevel(a, b string, lv int) []Op {
	if lv == len(tokenizers) {
		return replaceOps(a, b)
	}
	if ops, ok := df.direct(a, b, lv); ok {
		return ops
	}
	return df.refine(df.diffLevel(a, b, lv+1), lv)
}

// direct diffs a and b at level lv, or reports false when that would exceed
// the alphabet or the remaining budget.
func (df *differ) direct(a, b string, lv int) ([]Op, bool) {
	ta, tb := tokenizers[lv](a), tokenizers[lv](b)
	n := middleLen(ta, tb)
	if n*n > df.budget {
		return nil, false
	}
	ops, ok := diffTokens(ta, tb, df.alphabet)
	if ok {
		df.budget -= n * n
	}
	return ops, ok
}

// middleLen counts the tokens left once the common prefix and suffix are
// removed, which diffmatchpatch does first at linear cost.
func middleLen(ta, tb []string) int {
	p := 0
	for p < len(ta) && p < len(tb) && ta[p] == tb[p] {
		p++
	}
	s := 0
	for s < len(ta)-p && s < len(tb)-p && ta[len(ta)-1-s] == tb[len(tb)-1-s] {
		s++
	}
	return len(ta) + len(tb) - 2*(p+s)
}

// refine re-diffs every changed region of a coarse diff at level lv, keeping
// the coarse ops of a region when the finer diff is not affordable.
func (df *differ) refine(coarse []Op, lv int) []Op {
	var out []Op
	start := 0
	flush := func(end int) {
		if start == end {
			return
		}
		region := coarse[start:end]
		var del, ins strings.Builder
		for _, op := range region {
			if op.Op == opDelete {
				del.WriteString(op.Text)
			} else {
				ins.WriteString(op.Text)
			}
		}
		if fine, ok := df.direct(del.String(), ins.String(), lv); ok {
			region = fine
		}
		out = appendOps(out, region...)
	}
	for i, op := range coarse {
		if op.Op == opEqual {
			flush(i)
			out = appendOps(out, op)
			start = i + 1
		}
	}
	flush(len(coarse))
	return out
}

// appendOps appends while keeping the list canonical: no empty ops and no two
// neighbours of the same kind.
func appendOps(ops []Op, more ...Op) []Op {
	for _, op := range more {
		if op.Text == "" {
			continue
		}
		if n := len(ops); n > 0 && ops[n-1].Op == op.Op {
			ops[n-1].Text += op.Text
			continue
		}
		ops = append(ops, op)
	}
	return ops
}

// replaceOps is the diff of last resort: coarse, but still true.
func replaceOps(a, b string) []Op {
	return appendOps(nil, Op{Op: opDelete, Text: a}, Op{Op: opInsert, Text: b})
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

// ops decodes a cleaned-up edit script into canonical ops.
func (tt tokenTable) ops(seq []edit) []Op {
	var ops []Op
	var b strings.Builder
	for _, e := range seq {
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
		ops = appendOps(ops, Op{Op: op, Text: b.String()})
	}
	return ops
}
