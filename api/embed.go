// Package api holds the HTTP contract, api/openapi.yaml, embedded so the
// server can serve it and tests can validate against it.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3 document describing every route.
//
//go:embed openapi.yaml
var OpenAPI []byte
