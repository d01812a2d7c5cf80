package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// maxBodyDepth bounds how deeply a request body may nest; no request type
// goes beyond three levels.
const maxBodyDepth = 32

// checkShape walks a JSON body token by token against the Go type it will
// be decoded into, and refuses what encoding/json would quietly accept:
//
//   - a key that appears twice in one object (400 request.duplicate_key):
//     encoding/json keeps the last one, so two readers of the same body
//     could disagree;
//   - a key that is not spelt exactly as one of the type's json names
//     (422 request.unknown_field): encoding/json matches case-insensitively,
//     so {"Body": …} would otherwise fill body;
//   - a string, key or value, that the text rule refuses (422
//     text.invalid_character, drafting.TextProblem): a NUL, another control
//     character, a bidi control. This covers every string of every request,
//     free text or not (ids, e-mails, passwords), before any of it reaches
//     the service.
//
// Types with their own UnmarshalJSON, maps and interfaces take any keys;
// their strings are still checked.
func checkShape(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := shapeWalker{dec: dec}
	return w.value(reflect.TypeOf(v), "", 0)
}

type shapeWalker struct{ dec *json.Decoder }

func (w *shapeWalker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	return tok, nil
}

// value reads one value whose Go type is t (nil: any).
func (w *shapeWalker) value(t reflect.Type, path string, depth int) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	switch tok := tok.(type) {
	case json.Delim:
		if depth >= maxBodyDepth {
			return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body nests more than %d levels deep", maxBodyDepth)
		}
		if tok == '{' {
			return w.object(shapeOf(t), path, depth+1)
		}
		return w.array(shapeOf(t).elem, path, depth+1)
	case string:
		if msg := drafting.TextProblem(tok); msg != "" {
			return drafting.Invalid(drafting.CodeInvalidCharacter, drafting.FieldError{Field: fieldName(path), Message: msg})
		}
	}
	return nil
}

func (w *shapeWalker) object(s *shape, path string, depth int) error {
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if msg := drafting.TextProblem(key); msg != "" {
			return drafting.Invalid(drafting.CodeInvalidCharacter, drafting.FieldError{Field: fieldName(path), Message: "a key " + msg})
		}
		at := joinPath(path, key)
		if seen[key] {
			return drafting.Errorf(drafting.KindMalformed, "request.duplicate_key", "the key %q appears more than once", at)
		}
		seen[key] = true
		elem := s.elem
		if s.fields != nil {
			ft, ok := s.fields[key]
			if !ok {
				return drafting.Invalid("request.unknown_field", drafting.FieldError{Field: at, Message: "unknown field"})
			}
			elem = ft
		}
		if err := w.value(elem, at, depth); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

func (w *shapeWalker) array(elem reflect.Type, path string, depth int) error {
	for i := 0; w.dec.More(); i++ {
		if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i), depth); err != nil {
			return err
		}
	}
	_, err := w.token() // ']'
	return err
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldName(path string) string {
	if path == "" {
		return "(body)"
	}
	return path
}

// shape is what a Go type expects of a JSON value: an object with exactly
// these keys (fields), or elements of one type (elem; nil for any).
type shape struct {
	fields map[string]reflect.Type
	elem   reflect.Type
}

var (
	anyShape   = &shape{}
	shapes     sync.Map // reflect.Type → *shape
	jsonUnm    = reflect.TypeFor[json.Unmarshaler]()
	textUnm    = reflect.TypeFor[encoding.TextUnmarshaler]()
	customJSON = func(t reflect.Type) bool {
		return t.Implements(jsonUnm) || reflect.PointerTo(t).Implements(jsonUnm) ||
			t.Implements(textUnm) || reflect.PointerTo(t).Implements(textUnm)
	}
)

func shapeOf(t reflect.Type) *shape {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || customJSON(t) {
		return anyShape
	}
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	var s *shape
	switch t.Kind() {
	case reflect.Struct:
		s = &shape{fields: map[string]reflect.Type{}}
		addFields(s.fields, t)
	case reflect.Map, reflect.Slice, reflect.Array:
		s = &shape{elem: t.Elem()}
	default:
		s = anyShape
	}
	shapes.Store(t, s)
	return s
}

// addFields records the json names of t's fields as encoding/json sees
// them; the fields of an embedded struct are promoted unless a field of
// the outer struct has the same name.
func addFields(fields map[string]reflect.Type, t reflect.Type) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	for _, et := range embedded {
		inner := map[string]reflect.Type{}
		addFields(inner, et)
		for k, v := range inner {
			if _, taken := fields[k]; !taken {
				fields[k] = v
			}
		}
	}
}
