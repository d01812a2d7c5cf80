package service_test

import (
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// TestApprovedDocumentReadsStringTitles: a version adopted before titles were
// per language keeps its stored bytes (its hash covers them); its string
// titles are read as titles in its first language, and its sections without
// ids get positional ones.
func TestApprovedDocumentReadsStringTitles(t *testing.T) {
	legacy := `{"adopted_at":"2026-11-27T09:00:00Z","draft":1,"guideline_id":"g","languages":["es","en"],"participants":["BZ"],` +
		`"reservations":[],"sections":[{"clauses":[{"id":"c","number":"1.1","text":{"en":"T"},"version":1}],"title":"I. Prevención"}],` +
		`"slug":"g","title":"Lineamientos","version":1}`
	c, doc, err := service.ApprovedDocument(drafting.Approved{GuidelineID: "g", Version: 1, Content: []byte(legacy)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Title["es"] != "Lineamientos" || doc.Title["es"] != "Lineamientos" || len(doc.Sections) != 1 ||
		doc.Sections[0].Title["es"] != "I. Prevención" || doc.Sections[0].ID != "s1" || doc.Sections[0].Clauses[0].ID != "c" {
		t.Fatalf("content %+v\ndocument %+v", c, doc)
	}
	if _, _, err := service.ApprovedDocument(drafting.Approved{Content: []byte(`{"title": 1}`)}); err == nil {
		t.Fatal("a title that is neither a string nor a map was read")
	}
}
