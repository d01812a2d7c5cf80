package render

// Each distinct token of a diff is encoded as one private-use rune, so that
// diffmatchpatch, which diffs runes, diffs tokens.

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
		n := r.hi - r.lo + 1
		if id < n {
			return r.lo + id
		}
		id -= n
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
