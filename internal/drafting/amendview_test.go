package drafting

import (
	"reflect"
	"testing"
)

func TestAcceptAmendments(t *testing.T) {
	text := Text{"en": "States shall train officials.", "es": "Los Estados capacitarán a los funcionarios."}
	tests := []struct {
		name      string
		proposals []Text
		want      Text
		alts      bool
	}{
		{"no open amendment: the draft's text", nil, text, false},
		{"one open amendment: its text", []Text{{"en": "States shall promptly train officials.", "es": "Los Estados capacitarán sin demora."}},
			Text{"en": "States shall promptly train officials.", "es": "Los Estados capacitarán sin demora."}, false},
		{"a language the amendment leaves out keeps the draft's text", []Text{{"en": "States shall promptly train officials."}},
			Text{"en": "States shall promptly train officials.", "es": "Los Estados capacitarán a los funcionarios."}, false},
		{"several: bracketed alternatives, oldest first", []Text{{"en": "One.", "es": "Uno."}, {"en": "Two.", "es": "Dos."}},
			Text{"en": "[Alt. A: One.] [Alt. B: Two.]", "es": "[Alt. A: Uno.] [Alt. B: Dos.]"}, true},
		{"an alternative without a language shows the draft's text there", []Text{{"en": "One."}, {"en": "Two.", "es": "Dos."}},
			Text{"en": "[Alt. A: One.] [Alt. B: Two.]", "es": "[Alt. A: Los Estados capacitarán a los funcionarios.] [Alt. B: Dos.]"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, alts := AcceptAmendments(text, tt.proposals)
			if !reflect.DeepEqual(got, tt.want) || alts != tt.alts {
				t.Fatalf("AcceptAmendments = %v, %v; want %v, %v", got, alts, tt.want, tt.alts)
			}
		})
	}
}

func TestAltLabel(t *testing.T) {
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "27"} {
		if got := AltLabel(i); got != want {
			t.Errorf("AltLabel(%d) = %q, want %q", i, got, want)
		}
	}
}
