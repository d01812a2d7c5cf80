package render

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func BenchmarkWordDiff20k(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 11))
	base := randomText(r, 20000)
	cases := []struct {
		name string
		a, b string
	}{
		{"edited", base, editText(r, base, 20)},
		{"unrelated", base, randomText(r, 20000)},
		// Nothing in common and just within the work budget: the slowest
		// diff WordDiff will compute at full word granularity.
		{"budget-edge", strings.Repeat(".", 4999), strings.Repeat(",", 4999)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.a) + len(c.b)))
			for b.Loop() {
				WordDiff(c.a, c.b)
			}
		})
	}
}
