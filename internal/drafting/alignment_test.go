package drafting

import (
	"reflect"
	"testing"
)

func TestAlignAfterChange(t *testing.T) {
	en, es := "States shall train officials.", "Los Estados capacitarán a los funcionarios."
	both := []string{"en", "es"}
	tests := []struct {
		name    string
		pending []string
		before  Text
		after   Text
		want    []string
	}{
		{"a change to every language leaves nothing pending", nil, Text{"en": en, "es": es},
			Text{"en": en + " Now.", "es": es + " Ya."}, nil},
		{"a change to English only leaves Spanish pending", nil, Text{"en": en, "es": es},
			Text{"en": en + " Now.", "es": es}, []string{"es"}},
		{"a change to Spanish only leaves English pending", nil, Text{"en": en, "es": es},
			Text{"en": en, "es": es + " Ya."}, []string{"en"}},
		{"correcting the pending language aligns it", []string{"es"}, Text{"en": en + " Now.", "es": es},
			Text{"en": en + " Now.", "es": es + " Ya."}, nil},
		{"another change to English only keeps Spanish pending", []string{"es"}, Text{"en": en, "es": es},
			Text{"en": en + " Again.", "es": es}, []string{"es"}},
		{"a language with no text is a missing translation, not pending", nil, Text{"en": en},
			Text{"en": en + " Now."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Clause{AlignmentPending: tt.pending}
			c.AlignAfterChange(both, tt.before, tt.after)
			if !reflect.DeepEqual(c.AlignmentPending, tt.want) {
				t.Fatalf("pending = %v, want %v", c.AlignmentPending, tt.want)
			}
		})
	}
}

func TestAlignmentPendingRefuses(t *testing.T) {
	pending := func(s Status) *Clause { return &Clause{Status: s, Version: 2, AlignmentPending: []string{"es"}} }
	tests := []struct {
		name string
		do   func(c *Clause) error
	}{
		{"positions", func(c *Clause) error {
			return c.CheckPosition(PositionInput{Stance: StanceAgree, ClauseVersion: 2}, t0)
		}},
		{"a silence procedure", func(c *Clause) error { return c.StartSilence(t0.Add(DefaultMinSilence), t0, DefaultMinSilence) }},
		{"locking", func(c *Clause) error { return c.Lock(all8, everyone(2, StanceAgree), t0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name+" are refused while a language is pending", func(t *testing.T) {
			st := StatusOpen
			if tt.name == "locking" {
				st = StatusConsensus
			}
			c := pending(st)
			err := tt.do(c)
			if code(err) != "clause.alignment_pending" || c.Status != st {
				t.Fatalf("err = %v, status %s", err, c.Status)
			}
			if !reflect.DeepEqual(err.(*Error).Data["alignment_pending"], []string{"es"}) {
				t.Fatalf("data = %v", err.(*Error).Data)
			}
		})
	}
}

func TestConfirmAlignment(t *testing.T) {
	tests := []struct {
		name    string
		pending []string
		lang    string
		want    string
		left    []string
	}{
		{"confirming a pending language aligns it", []string{"es"}, "es", "", nil},
		{"the other pending languages stay pending", []string{"en", "es"}, "es", "", []string{"en"}},
		{"a language not pending is a conflict", []string{"es"}, "en", "clause.alignment_not_pending", []string{"es"}},
		{"a language of no version is invalid", []string{"es"}, "fr", "alignment.invalid", []string{"es"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Clause{AlignmentPending: tt.pending}
			if got := code(c.ConfirmAlignment(tt.lang, []string{"en", "es"}, t0)); got != tt.want {
				t.Fatalf("ConfirmAlignment = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(c.AlignmentPending, tt.left) {
				t.Fatalf("pending = %v, want %v", c.AlignmentPending, tt.left)
			}
		})
	}
}
