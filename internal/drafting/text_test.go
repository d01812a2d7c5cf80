package drafting

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	cases := []struct {
		name, in, want string
		refused        bool
	}{
		{name: "plain", in: "States shall inform victims.", want: "States shall inform victims."},
		{name: "trimmed", in: "  hello \n", want: "hello"},
		{name: "tab_and_newline_kept", in: "a\tb\nc", want: "a\tb\nc"},
		{name: "crlf_becomes_lf", in: "a\r\nb", want: "a\nb"},
		{name: "lone_cr_becomes_lf", in: "a\rb", want: "a\nb"},
		{name: "nfc", in: "Mexico\u0301 cafe\u0301", want: "Mexicó café"},
		{name: "spanish_kept", in: "¿Víctimas de trata? Sí.", want: "¿Víctimas de trata? Sí."},
		{name: "emoji_zwj_kept", in: "👩\u200d⚖️", want: "👩\u200d⚖️"},
		{name: "arabic_with_rlm_kept", in: "نص\u200fعربي", want: "نص\u200fعربي"},
		{name: "replacement_char_kept", in: "a\uFFFDb", want: "a\uFFFDb"},
		{name: "empty", in: "", want: ""},
		{name: "blank_spaces", in: " \t\n ", want: ""},
		{name: "blank_zero_width", in: "\u200b\u200c\u200d\u2060\ufeff", want: ""},
		{name: "blank_mixed_invisible", in: " \u00a0\u3000\u00ad\u180e\u2800\u3164\ufe0f\u034f ", want: ""},
		{name: "blank_bidi_marks", in: "\u200e\u200f\u061c", want: ""},
		{name: "nul", in: "abc\x00def", refused: true},
		{name: "bell", in: "a\x07", refused: true},
		{name: "escape", in: "\x1b[31mred", refused: true},
		{name: "del", in: "a\x7f", refused: true},
		{name: "c1_nel", in: "a\u0085b", refused: true},
		{name: "c1_csi", in: "a\u009bb", refused: true},
		{name: "rlo", in: "agree\u202eeergasid", refused: true},
		{name: "lre", in: "a\u202ab", refused: true},
		{name: "pdf", in: "a\u202cb", refused: true},
		{name: "lri", in: "a\u2066b", refused: true},
		{name: "pdi", in: "a\u2069b", refused: true},
		{name: "not_utf8", in: "caf\xe9", refused: true},
		{name: "truncated_utf8", in: "a\xe2\x82", refused: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckText("body", tc.in)
			if tc.refused {
				if err == nil {
					t.Fatalf("CheckText(%q) = %q, want a refusal", tc.in, got)
				}
				var e *Error
				if !asError(err, &e) || e.Kind != KindInvalid || e.Code != CodeInvalidCharacter || len(e.Fields) != 1 || e.Fields[0].Field != "body" {
					t.Fatalf("CheckText(%q) error = %#v, want 422 %s naming body", tc.in, err, CodeInvalidCharacter)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckText(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("CheckText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again, _ := CheckText("body", got); again != got {
				t.Fatalf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

func TestTextsCollectsEveryField(t *testing.T) {
	var tx Texts
	title := tx.Text("title", "Title\x00")
	note := tx.Text("note", "fine")
	text := tx.Map("text", Text{"en": "ok", "es": "mal\u202e", "f\x00": "x"})
	tx.Plain("password", "pass\u2066word")
	err := tx.Err()
	var e *Error
	if !asError(err, &e) || e.Code != CodeInvalidCharacter {
		t.Fatalf("Err() = %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if got, want := strings.Join(fields, ","), "title,text.es,text,password"; got != want {
		t.Fatalf("fields = %s, want %s", got, want)
	}
	if title != "" || note != "fine" || text["en"] != "ok" {
		t.Fatalf("cleaned values: %q %q %v", title, note, text)
	}
	var ok Texts
	ok.Text("a", "b")
	if ok.Err() != nil {
		t.Fatal("no refusal expected")
	}
}

func TestQuoteMatchesAcrossNormalisation(t *testing.T) {
	current := Text{"en": "States shall\r\ninform the café owner."}
	in, err := ValidateComment(CommentInput{Body: "why?", Quote: "shall\ninform the cafe\u0301"}, []string{"en"}, current)
	if err != nil {
		t.Fatalf("quote refused: %v", err)
	}
	if in.Quote != "shall\ninform the café" {
		t.Fatalf("quote = %q", in.Quote)
	}
	if _, err := ValidateComment(CommentInput{Body: "why?", Quote: "inform\x00"}, []string{"en"}, current); !IsKind(err, KindInvalid) {
		t.Fatalf("NUL quote: %v", err)
	}
}

func TestValidID(t *testing.T) {
	for s, want := range map[string]bool{
		"6f1c1b1e-8d3a-4c8e-9a55-0b6d2f6f1a2b": true,
		"6F1C1B1E-8D3A-4C8E-9A55-0B6D2F6F1A2B": true,
		"":                                     false,
		"abc\x00def":                           false,
		"'; DROP TABLE clauses; --":            false,
		"6f1c1b1e-8d3a-4c8e-9a55-0b6d2f6f1a2":  false,
		"6f1c1b1e-8d3a-4c8e-9a55-0b6d2f6f1a2g": false,
		"6f1c1b1e+8d3a-4c8e-9a55-0b6d2f6f1a2b": false,
		strings.Repeat("a", 5000):              false,
	} {
		if got := ValidID(s); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{"BZ": true, "bz": true, "B": false, "BZE": false, "B\x00": false, "1Z": false, "ÉZ": false} {
		if got := ValidCountryCode(s); got != want {
			t.Errorf("ValidCountryCode(%q) = %v, want %v", s, got, want)
		}
	}
}
