package drafting

import (
	"strings"
	"testing"
)

func TestAnchorFollowsTheText(t *testing.T) {
	const v1 = "States shall train consular officials to identify victims of trafficking without delay."
	tests := []struct {
		name        string
		quote       string
		next        string
		wantState   AnchorState
		wantExcerpt string
	}{
		{"the quote is unchanged: carried", "identify victims", v1, AnchorCarried, "identify victims"},
		{"words around it changed, it stays in place: carried", "identify victims",
			"States shall promptly train consular staff to identify victims of trafficking in persons.", AnchorCarried, "identify victims"},
		{"found elsewhere in the new text: moved", "without delay",
			"Without hesitation and without delay, States shall train consular officials to identify victims of trafficking.", AnchorMoved, "without delay"},
		{"edited but still similar: changed, with the new excerpt", "identify victims of trafficking",
			"States shall train consular officials to identify the victims of trafficking without delay.", AnchorChanged, "identify the victims of trafficking"},
		{"gone: orphaned", "without delay",
			"States shall train consular officials to identify victims of trafficking.", AnchorOrphaned, "without delay"},
		{"the language was emptied: orphaned", "identify victims", "", AnchorOrphaned, "identify victims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := NewAnchor(tt.quote, 1, []string{"en", "es"}, Text{"en": v1, "es": "Los Estados capacitarán."})
			if !ok || a.State != AnchorCarried || a.Lang != "en" || a.Version != 1 {
				t.Fatalf("NewAnchor = %+v, %v", a, ok)
			}
			got := a.Follow(Text{"en": v1}, Text{"en": tt.next}, 2)
			if got.State != tt.wantState || got.Excerpt != tt.wantExcerpt || got.Version != 2 {
				t.Fatalf("Follow = %+v, want %s %q", got, tt.wantState, tt.wantExcerpt)
			}
			if got.State != AnchorOrphaned && !strings.HasPrefix(tt.next[got.Start:], got.Excerpt) {
				t.Fatalf("start %d does not point at %q in %q", got.Start, got.Excerpt, tt.next)
			}
		})
	}
}

func TestAnchorRules(t *testing.T) {
	t.Run("a quote is anchored in the first language that holds it", func(t *testing.T) {
		a, ok := NewAnchor("víctimas", 3, []string{"en", "es"}, Text{"en": "victims", "es": "las víctimas"})
		if !ok || a.Lang != "es" || a.Start != len("las ") || a.Version != 3 {
			t.Fatalf("NewAnchor = %+v, %v", a, ok)
		}
	})
	t.Run("no quote, no anchor", func(t *testing.T) {
		if _, ok := NewAnchor("", 1, []string{"en"}, Text{"en": "x"}); ok {
			t.Fatal("anchored an empty quote")
		}
	})
	t.Run("an orphaned anchor stays orphaned, at the version that lost its words, even if the words come back", func(t *testing.T) {
		a := Anchor{State: AnchorOrphaned, Version: 2, Lang: "en", Excerpt: "without delay"}
		if got := a.Follow(Text{"en": "x"}, Text{"en": "without delay"}, 3); got.State != AnchorOrphaned || got.Version != 2 {
			t.Fatalf("Follow = %+v", got)
		}
	})
	t.Run("anchors follow version after version", func(t *testing.T) {
		texts := []string{
			"States shall train officials.",
			"States shall promptly train officials.",
			"Officials: States shall promptly train them.",
		}
		a, _ := NewAnchor("train officials", 1, []string{"en"}, Text{"en": texts[0]})
		a = a.Follow(Text{"en": texts[0]}, Text{"en": texts[1]}, 2)
		if a.State != AnchorCarried {
			t.Fatalf("v2: %+v", a)
		}
		a = a.Follow(Text{"en": texts[1]}, Text{"en": texts[2]}, 3)
		if a.State != AnchorChanged && a.State != AnchorOrphaned {
			t.Fatalf("v3: %+v", a)
		}
	})
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b           string
		atLeast, below float64
	}{
		{"identify victims", "identify victims", 1, 1.01},
		{"identify victims of trafficking", "identify the victims of trafficking", AnchorThreshold, 1},
		{"without delay", "in persons", 0, AnchorThreshold},
	}
	for _, tt := range tests {
		if s := Similarity(tt.a, tt.b); s < tt.atLeast || s >= tt.below {
			t.Errorf("Similarity(%q, %q) = %.2f, want in [%.2f, %.2f)", tt.a, tt.b, s, tt.atLeast, tt.below)
		}
	}
}
