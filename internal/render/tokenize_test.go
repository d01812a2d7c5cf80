package render

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"accents stay inside words", "protección consular", []string{"protección", " ", "consular"}},
		{"punctuation stands alone", "victims, and", []string{"victims", ",", " ", "and"}},
		{"apostrophe inside a word", "l'État don’t", []string{"l'État", " ", "don’t"}},
		{"apostrophe as quote", "'asilo'", []string{"'", "asilo", "'"}},
		{"trailing apostrophe", "States' rights", []string{"States", "'", " ", "rights"}},
		{"whitespace runs", "a \t\n b", []string{"a", " \t\n ", "b"}},
		{"numbers", "3.2(a)", []string{"3", ".", "2", "(", "a", ")"}},
		{"combining mark", "accio\u0301n", []string{"accio\u0301n"}},
		{"ñ and ü", "niño pingüino", []string{"niño", " ", "pingüino"}},
		{"inverted marks", "¿Qué?", []string{"¿", "Qué", "?"}},
		{"invalid utf-8", "a\xffb", []string{"a", "\xff", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitWords(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitChunks(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"victims, and  the", []string{"victims, ", "and  ", "the"}},
		{"  lead", []string{"  ", "lead"}},
		{"a\nb\n", []string{"a\n", "b\n"}},
	}
	for _, tt := range tests {
		if got := splitChunks(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitChunks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"one", []string{"one"}},
		{"one\ntwo\n", []string{"one\n", "two\n"}},
		{"\n\nx", []string{"\n", "\n", "x"}},
	}
	for _, tt := range tests {
		if got := splitLines(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every tokenizer must lose nothing, or the diff could not rebuild its inputs.
func TestTokenizersRebuild(t *testing.T) {
	inputs := []string{"", " ", "Los Estados, en cooperación:\n\t(a) garantizarán…", "\xff\xfe a", "x'y' 'z"}
	for _, split := range tokenizers {
		for _, in := range inputs {
			toks := split(in)
			if got := strings.Join(toks, ""); got != in {
				t.Errorf("tokens %q rebuild %q, want %q", toks, got, in)
			}
			for _, tok := range toks {
				if tok == "" {
					t.Errorf("empty token in %q", toks)
				}
			}
		}
	}
}
