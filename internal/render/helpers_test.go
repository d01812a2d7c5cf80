package render

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// vocabulary mixes both negotiating languages, accents and punctuation so
// generated texts exercise the same tokenizer paths as real clauses.
var vocabulary = strings.Fields(`the States shall ensure that victims of trafficking in persons
receive prompt consular protection and assistance, including information on their rights,
access to interpreters; legal aid: medical care. Los Estados garantizarán que las víctimas
de trata de personas reciban protección consular oportuna y asistencia, incluida la información
sobre sus derechos, acceso a intérpretes; asistencia jurídica: atención médica. niñas niños
adolescentes migrantes repatriación voluntaria segura digna (a) (b) 3.2 l'État don't`)

// randomText returns about n characters of clause-like text.
func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

// randomWords returns n words of clause-like text.
func randomWords(r *rand.Rand, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	return strings.Join(words, " ")
}

// editText changes roughly one word in every `every`, the way a revised
// clause differs from its previous version.
func editText(r *rand.Rand, s string, every int) string {
	words := strings.Split(s, " ")
	for i := range words {
		switch r.IntN(every) {
		case 0:
			words[i] = vocabulary[r.IntN(len(vocabulary))]
		case 1:
			words[i] += " " + vocabulary[r.IntN(len(vocabulary))]
		case 2:
			words[i] = ""
		}
	}
	return strings.Join(words, " ")
}

// sampleDocument is a small bilingual draft: an agreed clause, a contested
// clause with a reservation and a pending Spanish translation.
func sampleDocument() Document {
	return Document{
		GuidelineID: "g-1",
		Title: map[string]string{"en": "Regional Guidelines on Consular Protection",
			"es": "Directrices Regionales de Protección Consular"},
		Slug:      "consular-protection",
		Languages: []string{"en", "es"},
		Kind:      "draft",
		Number:    3,
		Label:     "Draft after Session 3",
		Date:      time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC),
		Sections: []Section{
			{ID: "s-1", Title: map[string]string{"en": "Scope", "es": "Ámbito"}, Clauses: []Clause{{
				ID: "c-1", Number: "1.1", Status: "agreed", Version: 2,
				Text: map[string]string{
					"en": "These guidelines apply to victims of trafficking in persons.",
					"es": "Estas directrices se aplican a las víctimas de trata de personas.",
				},
			}}},
			{ID: "s-2", Title: map[string]string{"en": "Consular protection", "es": "Protección consular"}, Clauses: []Clause{
				{
					ID: "c-2", Number: "2.1", Status: "contested", Version: 4,
					Text: map[string]string{
						"en": "Consulates shall promptly inform the victim of the available protection.",
						"es": "Los consulados informarán sin demora a la víctima sobre la protección disponible.",
					},
					Reservations: []Reservation{{Country: "NI", Text: "Subject to national legislation."}},
				},
				{
					ID: "c-3", Number: "2.2", Status: "agreed", Version: 1,
					Text: map[string]string{"en": "Assistance shall be free of charge."},
				},
			}},
		},
	}
}

// largeDocument is the benchmark load: 6 sections, 300 bilingual clauses of
// about 60 words per language, a third of them bracketed, some reserved.
func largeDocument() Document {
	r := rand.New(rand.NewPCG(1, 2))
	d := sampleDocument()
	d.Sections = nil
	statuses := []string{"agreed", "agreed", "open", "contested", "consensus", "silence"}
	for s := 0; s < 6; s++ {
		sec := Section{ID: fmt.Sprintf("s-%d", s+1), Title: both(fmt.Sprintf("Section %d", s+1))}
		for c := 0; c < 50; c++ {
			cl := Clause{
				ID:     fmt.Sprintf("c-%d-%d", s+1, c+1),
				Number: fmt.Sprintf("%d.%d", s+1, c+1),
				Status: statuses[r.IntN(len(statuses))],
				Text: map[string]string{
					"en": randomWords(r, 60),
					"es": randomWords(r, 60),
				},
			}
			if c%7 == 0 {
				cl.Reservations = []Reservation{{Country: "GT", Text: randomWords(r, 12)}}
			}
			sec.Clauses = append(sec.Clauses, cl)
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// both is a title saying s in English and in Spanish.
func both(s string) map[string]string { return map[string]string{"en": s, "es": s} }
