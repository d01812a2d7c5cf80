package render

import (
	"strings"
	"testing"
	"time"
)

func TestMarkdownSample(t *testing.T) {
	want := `# Regional Guidelines on Consular Protection

Draft 3 — Draft after Session 3 — 2026-11-27

## English

### Scope

**1.1** These guidelines apply to victims of trafficking in persons.

### Consular protection

**2.1** \[Consulates shall promptly inform the victim of the available protection.\][^1]

**2.2** Assistance shall be free of charge.

[^1]: Reservation of NI: Subject to national legislation.

## Español

**Directrices Regionales de Protección Consular**

### Ámbito

**1.1** Estas directrices se aplican a las víctimas de trata de personas.

### Protección consular

**2.1** \[Los consulados informarán sin demora a la víctima sobre la protección disponible.\][^1]

**2.2** _(traducción pendiente)_

[^1]: Reserva de NI: Subject to national legislation.
`
	if got := string(Markdown(sampleDocument())); got != want {
		t.Errorf("Markdown mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}

// Brackets mark exactly the clauses that are not agreed, whatever the status.
func TestMarkdownBrackets(t *testing.T) {
	for _, status := range []string{"draft", "open", "contested", "consensus", "silence", "agreed"} {
		d := sampleDocument()
		d.Languages = []string{"en"}
		d.Sections = []Section{{Title: both("S"), Clauses: []Clause{{ID: "c", Number: "1", Status: status, Text: map[string]string{"en": "Text."}}}}}
		md := string(Markdown(d))
		bracketed := strings.Contains(md, `**1** \[Text.\]`)
		plain := strings.Contains(md, "**1** Text.\n")
		if bracketed == (status == "agreed") || plain != (status == "agreed") {
			t.Errorf("status %q: bracketed=%v plain=%v\n%s", status, bracketed, plain, md)
		}
	}
}

func TestMarkdownPendingTranslationBracketed(t *testing.T) {
	d := sampleDocument()
	d.Sections[1].Clauses[1].Status = "open"
	md := string(Markdown(d))
	if !strings.Contains(md, `**2.2** \[_(traducción pendiente)_\]`) {
		t.Errorf("pending translation of an open clause not bracketed:\n%s", md)
	}
}

func TestMarkdownApprovedStatusLine(t *testing.T) {
	d := sampleDocument()
	d.Kind, d.Number, d.Label = "approved", 2, ""
	d.ContentHash = "sha256:abc123"
	d.Date = time.Date(2026, 11, 27, 23, 0, 0, 0, time.FixedZone("CST", -6*3600)) // 2026-11-28 in UTC
	md := string(Markdown(d))
	if want := "\nApproved version 2 — adopted 2026-11-28 — sha256:abc123\n"; !strings.Contains(md, want) {
		t.Errorf("missing %q in\n%s", want, md)
	}
	d.Kind, d.Number = "draft", 4
	if md := string(Markdown(d)); !strings.Contains(md, "\nDraft 4 — 2026-11-28\n") {
		t.Errorf("draft without label:\n%s", md)
	}
}

func TestMarkdownFootnotesRestartPerLanguage(t *testing.T) {
	d := sampleDocument()
	d.Sections[0].Clauses[0].Reservations = []Reservation{{Country: "CR", Text: "One."}, {Country: "SV", Text: "Two."}}
	md := string(Markdown(d))
	for i, part := range strings.Split(md, "\n## ")[1:] {
		of := []string{"Reservation of", "Reserva de"}[i]
		for _, want := range []string{
			"[^1][^2]\n", "[^3]\n",
			"[^1]: " + of + " CR: One.\n",
			"[^2]: " + of + " SV: Two.\n",
			"[^3]: " + of + " NI: Subject to national legislation.\n",
		} {
			if !strings.Contains(part, want) {
				t.Errorf("part %q lacks %q", part[:10], want)
			}
		}
	}
}

func TestMarkdownUnknownLanguage(t *testing.T) {
	d := sampleDocument()
	d.Languages = []string{"fr"}
	md := string(Markdown(d))
	if !strings.Contains(md, "\n## fr\n") || !strings.Contains(md, "**1.1** _(translation pending)_") {
		t.Errorf("unknown language part:\n%s", md)
	}
}

// User text must not be able to create headings, links, HTML, emphasis or
// lists, nor end the clause paragraph.
func TestMarkdownEscaping(t *testing.T) {
	d := sampleDocument()
	d.Languages = []string{"en"}
	d.Title = both("# T [x](y)")
	d.Sections = []Section{{Title: both("<b>S</b>"), Clauses: []Clause{{
		ID: "c", Number: "1*", Status: "agreed",
		Text: map[string]string{"en": "Intro *em* _u_ `code` <script>x</script> [link](http://e.test) a\\b &amp; |t| ~~s~~\n" +
			"# heading\n\n- item\n+ item\n1. one\n2) two\n===\n    indented\n> quote"},
		Reservations: []Reservation{{Country: "N*I", Text: "[^9]: fake\nnote"}},
	}}}}
	got := string(Markdown(d))
	want := `# \# T \[x\](y)

Draft 3 — Draft after Session 3 — 2026-11-27

## English

### \<b\>S\</b\>

**1\*** Intro \*em\* \_u\_ \` + "`code\\`" + ` \<script\>x\</script\> \[link\](http://e.test) a\\b \&amp; \|t\| \~\~s\~\~\
\# heading\
\- item\
\+ item\
1\. one\
2\) two\
\===\
indented\
\> quote[^1]

[^1]: Reservation of N\*I: \[^9\]: fake note
`
	if got != want {
		t.Errorf("escaping mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
