package httpapi

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// POST /auth/token is an OAuth 2.0 token endpoint (RFC 6749, client
// credentials grant), so that an integration can use a standard OAuth
// client. It takes what such clients send — an
// application/x-www-form-urlencoded body, the client authenticated by HTTP
// Basic (§2.3.1) or by client_id and client_secret in the body — and JSON
// as every other route does. Its errors are problem+json like every other
// error, and also carry the members of RFC 6749 §5.2 (error,
// error_description) with the statuses it names: a standard client reads
// the error code, a problem-aware one the problem.

// tokenRequest is a client-credentials request, however it was sent.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Scope        string `json:"scope"`
}

// RFC 6749 §5.2 error codes this endpoint answers with.
const (
	oauthInvalidRequest       = "invalid_request"
	oauthInvalidClient        = "invalid_client"
	oauthUnsupportedGrantType = "unsupported_grant_type"
	oauthInvalidScope         = "invalid_scope"
)

// oauthError is a token endpoint's refusal: the problem, and the RFC 6749
// error code that fail adds to it (with a Basic challenge on a 401).
type oauthError struct {
	code string
	err  *drafting.Error
}

func (e *oauthError) Error() string { return e.code + ": " + e.err.Error() }
func (e *oauthError) Unwrap() error { return e.err }

// asOAuth gives a token endpoint's error its RFC 6749 code and status: a
// refused client is invalid_client (401); a request the client should not
// have sent is invalid_request, 400 rather than 422 (a body too large or
// not of a known media type keeps its 413 or 415). Errors of the server
// (429, 503, 500) stay as they are.
func asOAuth(err error) error {
	var de *drafting.Error
	if err == nil || !errors.As(err, &de) {
		return err
	}
	var oe *oauthError
	if errors.As(err, &oe) {
		return err
	}
	switch de.Kind {
	case drafting.KindUnauthenticated:
		return &oauthError{code: oauthInvalidClient, err: de}
	case drafting.KindInvalid:
		bad := *de
		bad.Kind = drafting.KindMalformed
		return &oauthError{code: oauthInvalidRequest, err: &bad}
	case drafting.KindMalformed, kindUnsupportedMedia, kindTooLarge:
		return &oauthError{code: oauthInvalidRequest, err: de}
	}
	return err
}

func oauthFailure(code, problemCode, msg string) error {
	kind := drafting.KindMalformed
	if code == oauthInvalidClient {
		kind = drafting.KindUnauthenticated
	}
	return &oauthError{code: code, err: drafting.Errorf(kind, problemCode, "%s", msg)}
}

// decodeTokenRequest reads a client-credentials request: the body as JSON
// (strictly, as everywhere) or as a form (as RFC 6749 §3.2 has it:
// parameters other than the grant's are ignored, none may be repeated),
// and the client's credentials from the body or from HTTP Basic — one or
// the other, never both.
func decodeTokenRequest(c *gin.Context) (tokenRequest, error) {
	var req tokenRequest
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		if err := decodeTokenForm(c, &req); err != nil {
			return req, err
		}
	} else if err := decode(c, &req); err != nil {
		return req, err
	}
	if h := c.GetHeader("Authorization"); h != "" {
		id, secret, err := basicCredentials(h)
		if err != nil {
			return req, err
		}
		if req.ClientID != "" || req.ClientSecret != "" {
			return req, oauthFailure(oauthInvalidRequest, "auth.invalid_request",
				"authenticate the client one way: HTTP Basic or client_id and client_secret in the body, not both")
		}
		req.ClientID, req.ClientSecret = id, secret
	}
	return req, nil
}

// decodeTokenForm reads an application/x-www-form-urlencoded body, within
// the same size limit as a JSON one.
func decodeTokenForm(c *gin.Context, req *tokenRequest) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &drafting.Error{Kind: kindTooLarge, Code: "request.too_large", Message: "the body is larger than the limit"}
		}
		return drafting.Errorf(drafting.KindMalformed, "request.unreadable", "the body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return drafting.Errorf(drafting.KindMalformed, "request.malformed", "the body is not a well-formed form")
	}
	for name, dst := range map[string]*string{"grant_type": &req.GrantType, "client_id": &req.ClientID,
		"client_secret": &req.ClientSecret, "scope": &req.Scope} {
		switch vs := form[name]; len(vs) {
		case 0:
		case 1:
			*dst = vs[0]
		default:
			return drafting.Invalid("auth.invalid_request", drafting.FieldError{Field: name, Message: "sent more than once"})
		}
	}
	return nil
}

// basicCredentials reads `Authorization: Basic base64(id:secret)`, where id
// and secret are form-urlencoded first (RFC 6749 §2.3.1).
func basicCredentials(h string) (id, secret string, err error) {
	bad := oauthFailure(oauthInvalidClient, "auth.invalid_client", "the Authorization header must be Basic base64(client_id:client_secret)")
	scheme, value, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", bad
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", "", bad
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", bad
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", bad
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", bad
	}
	return id, secret, nil
}

// check validates a decoded request as RFC 6749 §4.4.2 and §5.2 have it.
func (r tokenRequest) check() error {
	switch {
	case r.GrantType == "":
		return drafting.Invalid("auth.invalid_request", drafting.FieldError{Field: "grant_type", Message: "required: client_credentials"})
	case r.GrantType != "client_credentials":
		return oauthFailure(oauthUnsupportedGrantType, "auth.unsupported_grant_type", "the only grant is client_credentials")
	case r.Scope != "":
		return oauthFailure(oauthInvalidScope, "auth.invalid_scope", "integration tokens have one fixed scope (approved text and publication events): leave scope out")
	case r.ClientID == "" && r.ClientSecret == "":
		return oauthFailure(oauthInvalidClient, "auth.invalid_client", "no client credentials: send HTTP Basic, or client_id and client_secret")
	}
	var errs drafting.Fields
	if r.ClientID == "" {
		errs.Add("client_id", "required")
	}
	if r.ClientSecret == "" {
		errs.Add("client_secret", "required")
	}
	return errs.Err("auth.invalid_request")
}
