package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// fuzzRequest has the shapes request types use: plain and optional
// strings, numbers, a text per language, a list of ids, a nullable field
// with its own UnmarshalJSON and a nested object.
type fuzzRequest struct {
	Body     string            `json:"body"`
	Note     *string           `json:"note"`
	Position int               `json:"position"`
	Text     map[string]string `json:"text"`
	IDs      []string          `json:"incorporates"`
	Country  nullable[string]  `json:"country"`
	Inner    *struct {
		Label string `json:"label"`
	} `json:"inner"`
}

var fuzzKeys = map[string]bool{"body": true, "note": true, "position": true, "text": true, "incorporates": true, "country": true, "inner": true}

func decodeString(body string, v any) error {
	return decodeBody("application/json", strings.NewReader(body), v)
}

func TestDecodeStrict(t *testing.T) {
	cases := []struct {
		name, body, code string
	}{
		{"accepted", `{"body":"a","text":{"en":"b"},"incorporates":["x"],"inner":{"label":"l"}}`, ""},
		{"wrong_case_key", `{"Body":"a"}`, "request.unknown_field"},
		{"wrong_case_nested_key", `{"inner":{"Label":"l"}}`, "request.unknown_field"},
		{"unknown_key", `{"bodies":"a"}`, "request.unknown_field"},
		{"duplicate_key", `{"body":"a","body":"b"}`, "request.duplicate_key"},
		{"duplicate_key_differing_in_case", `{"body":"a","BODY":"b"}`, "request.unknown_field"},
		{"duplicate_language", `{"text":{"en":"a","en":"b"}}`, "request.duplicate_key"},
		{"duplicate_nested", `{"inner":{"label":"a","label":"b"}}`, "request.duplicate_key"},
		{"nul_escaped", `{"body":"a\u0000b"}`, drafting.CodeInvalidCharacter},
		{"rlo", "{\"body\":\"a\u202eb\"}", drafting.CodeInvalidCharacter},
		{"rlo_escaped_in_list", `{"incorporates":["\u202e"]}`, drafting.CodeInvalidCharacter},
		{"nul_in_key", `{"text":{"e\u0000":"a"}}`, drafting.CodeInvalidCharacter},
		{"c1_in_nullable", `{"country":"\u0085"}`, drafting.CodeInvalidCharacter},
		{"not_utf8", "{\"body\":\"caf\xe9\"}", "request.malformed"},
		{"trailing", `{"body":"a"} {}`, "request.malformed"},
		{"syntax", `{"body":}`, "request.malformed"},
		{"empty", ``, "request.malformed"},
		{"wrong_type", `{"position":"1"}`, "request.invalid_type"},
		{"too_deep", `{"inner":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "request.malformed"},
		{"tab_newline_cr_allowed", `{"body":"a\tb\nc\r\nd"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v fuzzRequest
			err := decodeString(tc.body, &v)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var de *drafting.Error
			if !errors.As(err, &de) || de.Code != tc.code {
				t.Fatalf("error = %v, want %s", err, tc.code)
			}
		})
	}
	var empty struct{}
	if err := decodeString(`{"x":1}`, &empty); err == nil {
		t.Fatal("an empty request type took a key")
	}
}

// FuzzDecode checks the request decoder never panics, refuses only with a
// problem the client can act on, and never accepts what it must refuse:
// a body it accepts is valid UTF-8 JSON with no duplicate key, no key but
// the request type's exact names, no string the text rule refuses, and it
// decodes to what encoding/json would make of it.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"body":"a","note":"n","position":2,"text":{"en":"x","es":"y"},"incorporates":["a","b"],"country":null,"inner":{"label":"l"}}`,
		`{"Body":"a"}`, `{"body":"a","body":"b"}`, `{"body":"\u0000"}`, "{\"body\":\"\u202e\"}",
		`{"text":{"en":"a","EN":"b"}}`, `{"country":"BZ"}`, `{}`, `[]`, `null`, `"x"`, `{"body":"a"}x`,
		`{"inner":{"label":"\u2066"}}`, `{"position":1e400}`, `{"incorporates":[[[]]]}`, "{\"body\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzRequest
		err := decodeBody("application/json", bytes.NewReader(body), &v)
		var empty struct{}
		emptyErr := decodeBody("application/json", bytes.NewReader(body), &empty)
		for _, e := range []error{err, emptyErr} {
			if e == nil {
				continue
			}
			var de *drafting.Error
			if !errors.As(e, &de) || (de.Kind != drafting.KindMalformed && de.Kind != drafting.KindInvalid) {
				t.Fatalf("refusal %v is not a 400 or 422 problem", e)
			}
		}
		if emptyErr == nil {
			var m map[string]any
			if json.Unmarshal(body, &m) != nil || len(m) != 0 {
				t.Fatalf("an empty request type accepted %q", body)
			}
		}
		if err != nil {
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted a body that is not UTF-8 JSON: %q", body)
		}
		if dup := duplicateKey(t, body); dup != "" {
			t.Fatalf("accepted the duplicate key %q in %q", dup, body)
		}
		var generic any
		if err := json.Unmarshal(body, &generic); err != nil {
			t.Fatal(err)
		}
		if obj, ok := generic.(map[string]any); ok {
			for k, e := range obj {
				if !fuzzKeys[k] {
					t.Fatalf("accepted the key %q in %q", k, body)
				}
				if inner, ok := e.(map[string]any); ok && k == "inner" {
					for ik := range inner {
						if ik != "label" {
							t.Fatalf("accepted the nested key %q in %q", ik, body)
						}
					}
				}
			}
		}
		if s, bad := badString(generic); bad {
			t.Fatalf("accepted the string %q in %q", s, body)
		}
		var ref fuzzRequest
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", body, err)
		}
		if !reflect.DeepEqual(v, ref) {
			t.Fatalf("decoded %q as %+v, encoding/json as %+v", body, v, ref)
		}
	})
}

// duplicateKey finds a key that appears twice in one object, by a plain
// walk of the token stream.
func duplicateKey(t *testing.T, body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object  bool
		keys    map[string]bool
		keyNext bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				if top != nil && top.object {
					top.keyNext = true
				}
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, keyNext: true})
			case '[':
				if top != nil && top.object {
					top.keyNext = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top != nil && top.object {
			if top.keyNext {
				k := tok.(string)
				if top.keys[k] {
					return k
				}
				top.keys[k] = true
				top.keyNext = false
			} else {
				top.keyNext = true
			}
		}
	}
}

func badString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, drafting.TextProblem(x) != ""
	case []any:
		for _, e := range x {
			if s, bad := badString(e); bad {
				return s, true
			}
		}
	case map[string]any:
		for k, e := range x {
			if drafting.TextProblem(k) != "" {
				return k, true
			}
			if s, bad := badString(e); bad {
				return s, true
			}
		}
	}
	return "", false
}
