package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestWebhookEventTypesComplete fails when an event type is added to
// package drafting without being made subscribable.
func TestWebhookEventTypesComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../drafting/event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Event") {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		typ, _ := strconv.Unquote(lit.Value)
		found++
		if !webhookEventTypes[typ] {
			t.Errorf("event type %s (drafting.%s) cannot be subscribed to: add it to webhookEventTypes", typ, vs.Names[0].Name)
		}
		return true
	})
	if found == 0 || found != len(webhookEventTypes) {
		t.Errorf("drafting declares %d event types, webhooks know %d", found, len(webhookEventTypes))
	}
}
