package render

import "testing"

// BenchmarkRender measures a full-size guideline: 300 bilingual clauses of
// about 60 words per language in 6 sections. The akn case renders both
// language expressions, so all three cases produce the same content.
func BenchmarkRender(b *testing.B) {
	d := largeDocument()
	b.Run("markdown", func(b *testing.B) {
		for b.Loop() {
			Markdown(d)
		}
	})
	b.Run("html", func(b *testing.B) {
		for b.Loop() {
			HTML(d)
		}
	})
	b.Run("akn", func(b *testing.B) {
		for b.Loop() {
			for _, lang := range d.Languages {
				if _, err := AkomaNtoso(d, lang); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
