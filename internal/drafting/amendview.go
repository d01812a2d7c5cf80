package drafting

import (
	"strconv"
	"strings"
)

// A draft can be read as if every open amendment were accepted, or
// rejected, so that delegations see the consequences before a session
// (docs/drafting.md): a clause with one open amendment takes its proposed
// text; a clause with several shows them side by side as bracketed
// alternatives, "[Alt. A: …] [Alt. B: …]", the way negotiators write an
// unresolved choice. Rejected, every clause keeps the draft's text.

// DraftView is how a draft is read.
type DraftView string

// Draft views.
const (
	ViewAsIs     DraftView = "as_is"
	ViewAccepted DraftView = "accepted"
	ViewRejected DraftView = "rejected"
)

// ValidDraftView reports whether v is a draft view.
func ValidDraftView(v DraftView) bool {
	switch v {
	case ViewAsIs, ViewAccepted, ViewRejected:
		return true
	}
	return false
}

// AcceptAmendments is a clause's text as if the proposals of its open
// amendments (oldest first) were accepted: the text itself without any,
// the proposal when there is one (a language it does not cover keeps the
// clause's text), and alternatives when there are several. alternatives
// reports the last case.
func AcceptAmendments(text Text, proposals []Text) (out Text, alternatives bool) {
	switch len(proposals) {
	case 0:
		return text, false
	case 1:
		out = Text{}
		for lang, t := range text {
			out[lang] = t
		}
		for lang, t := range proposals[0] {
			if strings.TrimSpace(t) != "" {
				out[lang] = t
			}
		}
		return out, false
	}
	return AlternativesText(text, proposals), true
}

// AlternativesText writes alternatives per language of text the way
// negotiators do: "[Alt. A: …] [Alt. B: …]". An alternative without the
// language shows the clause's text in it.
func AlternativesText(text Text, alternatives []Text) Text {
	langs := map[string]bool{}
	for lang := range text {
		langs[lang] = true
	}
	for _, a := range alternatives {
		for lang := range a {
			langs[lang] = true
		}
	}
	out := Text{}
	for lang := range langs {
		parts := make([]string, len(alternatives))
		for i, a := range alternatives {
			t := strings.TrimSpace(a[lang])
			if t == "" {
				t = strings.TrimSpace(text[lang])
			}
			parts[i] = "[Alt. " + AltLabel(i) + ": " + t + "]"
		}
		out[lang] = strings.Join(parts, " ")
	}
	return out
}

// AltLabel names the i-th alternative (from 0): A, B, …, Z, then 27, 28….
func AltLabel(i int) string {
	if i >= 0 && i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i + 1)
}
