package render

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkDiff verifies the contract every caller relies on: the ops rebuild
// both texts and are canonical.
func checkDiff(t *testing.T, a, b string, ops []Op) {
	t.Helper()
	var ra, rb strings.Builder
	for i, op := range ops {
		if op.Text == "" {
			t.Errorf("op %d is empty: %q", i, ops)
		}
		if i > 0 && ops[i-1].Op == op.Op {
			t.Errorf("ops %d and %d are both %q: %q", i-1, i, op.Op, ops)
		}
		switch op.Op {
		case opEqual:
			ra.WriteString(op.Text)
			rb.WriteString(op.Text)
		case opDelete:
			ra.WriteString(op.Text)
		case opInsert:
			rb.WriteString(op.Text)
		default:
			t.Errorf("op %d has unknown kind %q", i, op.Op)
		}
	}
	if ra.String() != a {
		t.Errorf("equal+delete = %q, want %q", ra.String(), a)
	}
	if rb.String() != b {
		t.Errorf("equal+insert = %q, want %q", rb.String(), b)
	}
}

func eq(s string) Op  { return Op{Op: opEqual, Text: s} }
func del(s string) Op { return Op{Op: opDelete, Text: s} }
func ins(s string) Op { return Op{Op: opInsert, Text: s} }

func equalOps(a, b []Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWordDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []Op
	}{
		{"both empty", "", "", nil},
		{"from empty", "", "nueva cláusula", []Op{ins("nueva cláusula")}},
		{"to empty", "old clause", "", []Op{del("old clause")}},
		{"identical", "protección consular", "protección consular", []Op{eq("protección consular")}},
		{"deleted word takes its space", "shall promptly inform", "shall inform",
			[]Op{eq("shall "), del("promptly "), eq("inform")}},
		{"comma only", "victims, and", "victims and",
			[]Op{eq("victims"), del(","), eq(" and")}},
		{"accented word is replaced whole", "la protección", "la proteccion",
			[]Op{eq("la "), del("protección"), ins("proteccion")}},
		{"appended accented word", "protección consular", "protección consular efectiva",
			[]Op{eq("protección consular"), ins(" efectiva")}},
		{"two separate replacements", "the State shall inform the victim", "the Party shall notify the victim",
			[]Op{eq("the "), del("State"), ins("Party"), eq(" shall "), del("inform"), ins("notify"), eq(" the victim")}},
		{"single spaces do not split a replaced phrase", "A B C D", "W X Y Z",
			[]Op{del("A B C D"), ins("W X Y Z")}},
		{"whitespace change", "hello  world", "hello world",
			[]Op{eq("hello"), del("  "), ins(" "), eq("world")}},
		{"newline for space", "a b", "a\nb", []Op{eq("a"), del(" "), ins("\n"), eq("b")}},
		{"apostrophe word", "l'État", "l'Etat", []Op{del("l'État"), ins("l'Etat")}},
		{"inserted word ends with its space", "a big cat", "a very big cat",
			[]Op{eq("a "), ins("very "), eq("big cat")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WordDiff(tt.a, tt.b)
			checkDiff(t, tt.a, tt.b, got)
			if !equalOps(got, tt.want) {
				t.Errorf("WordDiff(%q, %q)\n got %q\nwant %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestWordDiffRebuilds(t *testing.T) {
	pairs := [][2]string{
		{"Los Estados garantizarán", "Los Estados Parte garantizarán, sin demora,"},
		{"a\xffb", "a\xfeb"},
		{"\r\n\r\nx", "\n\nx"},
		{"x x x x", "x x"},
		{"a b a b a b", "b a b a b a"},
		{"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 text", "text 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"},
		{"\uE000\uF8FF private use in the input", "\U00100000 private use in the input"},
	}
	for _, p := range pairs {
		checkDiff(t, p[0], p[1], WordDiff(p[0], p[1]))
		checkDiff(t, p[1], p[0], WordDiff(p[1], p[0]))
	}
}

// When the texts hold more distinct tokens than the alphabet, the diff falls
// back to chunks, then lines, then a wholesale replacement, refining each
// changed region at the finer level where that region alone fits.
func TestWordDiffAlphabetFallback(t *testing.T) {
	tests := []struct {
		name     string
		alphabet int
		a, b     string
		want     []Op
	}{
		{
			name:     "lines, then refined down to words",
			alphabet: 3, // words need 6 runes, chunks 4, lines 3
			a:        "first line\nsecond line\n",
			b:        "first line\nsecond row\n",
			want:     []Op{eq("first line\nsecond "), del("line"), ins("row"), eq("\n")},
		},
		{
			name:     "lines kept where the region is too varied",
			alphabet: 3,
			a:        "k\nthe quick brown fox\n",
			b:        "k\nthe slow red fox\n",
			want:     []Op{eq("k\n"), del("the quick brown fox\n"), ins("the slow red fox\n")},
		},
		{
			name:     "chunks kept where the region is too varied",
			alphabet: 5, // words need 8 runes, chunks 4, the changed chunks 6
			a:        "x a.b.c y",
			b:        "x a,b,c y",
			want:     []Op{eq("x "), del("a.b.c "), ins("a,b,c "), eq("y")},
		},
		{
			name:     "chunks, then refined down to words",
			alphabet: 6, // words need 7 runes, chunks 6
			a:        "uno dos tres cuatro",
			b:        "uno dos, tres cinco",
			want:     []Op{eq("uno dos"), ins(","), eq(" tres "), del("cuatro"), ins("cinco")},
		},
		{
			name:     "wholesale",
			alphabet: 1,
			a:        "alpha\nbeta",
			b:        "gamma\ndelta",
			want:     []Op{del("alpha\nbeta"), ins("gamma\ndelta")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df := differ{alphabet: tt.alphabet, budget: workBudget}
			got := df.diff(tt.a, tt.b)
			checkDiff(t, tt.a, tt.b, got)
			if !equalOps(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The work budget makes the diff coarser, never wrong, and is never overrun.
func TestWordDiffBudgetFallback(t *testing.T) {
	a, b := "alpha beta\ngamma delta\n", "alpha beta\nepsilon zeta\n"
	// Words would cost (3+3)², chunks (2+2)², lines (1+1)².
	df := differ{alphabet: privateUseSize, budget: 20}
	got := df.diff(a, b)
	checkDiff(t, a, b, got)
	want := []Op{eq("alpha beta\n"), del("gamma delta\n"), ins("epsilon zeta\n")}
	if !equalOps(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if df.budget < 0 {
		t.Errorf("budget overrun: %d", df.budget)
	}

	full := WordDiff(a, b)
	want = []Op{eq("alpha beta\n"), del("gamma delta"), ins("epsilon zeta"), eq("\n")}
	if !equalOps(full, want) {
		t.Errorf("with the full budget got %q\nwant %q", full, want)
	}
}

// Inputs whose minimal diff is as long as the texts are what would make an
// unbounded Myers diff take seconds; they must stay within the budget.
func TestWordDiffAdversarial(t *testing.T) {
	var fwd, rev []string
	for i := range 2400 {
		w := "w" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		fwd = append(fwd, w)
		rev = append([]string{w}, rev...)
	}
	cases := map[string][2]string{
		"punctuation": {strings.Repeat(".", 20000), strings.Repeat(",", 20000)},
		"words":       {strings.Repeat("x ", 10000), strings.Repeat("y ", 10000)},
		"reversed":    {strings.Join(fwd, " "), strings.Join(rev, " ")},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			df := differ{alphabet: privateUseSize, budget: workBudget}
			checkDiff(t, c[0], c[1], df.diff(c[0], c[1]))
			if df.budget < 0 {
				t.Errorf("budget overrun: %d", df.budget)
			}
		})
	}
}

func TestOpJSON(t *testing.T) {
	b, err := json.Marshal(WordDiff("a b", "a c"))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"op":"equal","text":"a "},{"op":"delete","text":"b"},{"op":"insert","text":"c"}]`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func FuzzWordDiff(f *testing.F) {
	f.Add("shall promptly inform", "shall inform")
	f.Add("victims, and", "victims and")
	f.Add("protección consular", "proteccion  consular\n")
	f.Add("", "x")
	f.Add("a\xffb", "\uE000")
	f.Fuzz(func(t *testing.T, a, b string) {
		checkDiff(t, a, b, WordDiff(a, b))
		// Tiny limits force every fallback path on ordinary inputs.
		for _, df := range []differ{{alphabet: 4, budget: workBudget}, {alphabet: privateUseSize, budget: 30}} {
			checkDiff(t, a, b, df.diff(a, b))
		}
		if same := WordDiff(a, a); a != "" && (len(same) != 1 || same[0] != eq(a)) {
			t.Errorf("WordDiff(a, a) = %q", same)
		}
	})
}
