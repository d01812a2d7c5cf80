package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// decode reads a JSON body into v strictly: JSON media type (415), size
// limit (413), well-formed UTF-8 JSON (400), no duplicate keys (400), keys
// spelt exactly as the request type's json names and no unknown ones (422),
// no string with a character the text rule refuses (422
// text.invalid_character), right types (422), exactly one value.
func decode(c *gin.Context, v any) error {
	return decodeBody(c.GetHeader("Content-Type"), c.Request.Body, v)
}

// decodeBody is decode without Gin (and the target of FuzzDecode).
func decodeBody(contentType string, r io.Reader, v any) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &drafting.Error{Kind: kindUnsupportedMedia, Code: "request.unsupported_media_type", Message: "the body must be application/json"}
	}
	body, err := io.ReadAll(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &drafting.Error{Kind: kindTooLarge, Code: "request.too_large", Message: fmt.Sprintf("the body is larger than %d bytes", mbe.Limit)}
		}
		return drafting.Errorf(drafting.KindMalformed, "request.unreadable", "the body could not be read")
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body is not valid UTF-8")
	}
	if err := checkShape(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body must hold exactly one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body must hold exactly one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		return drafting.Invalid("request.invalid_type", drafting.FieldError{Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return drafting.Invalid("request.unknown_field", drafting.FieldError{Field: name, Message: "unknown field"})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body is not well-formed JSON")
	}
	return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body could not be decoded: %s", err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// Kinds only the HTTP layer produces.
const (
	kindUnsupportedMedia drafting.Kind = "unsupported_media"
	kindTooLarge         drafting.Kind = "too_large"
	kindNotAcceptable    drafting.Kind = "not_acceptable"
)
