package render

import "testing"

func TestPrivateUseAlphabet(t *testing.T) {
	if privateUseSize != 6400+65534+65534 {
		t.Fatalf("privateUseSize = %d", privateUseSize)
	}
	for _, id := range []int32{0, 6399, 6400, 6400 + 65533, 6400 + 65534, privateUseSize - 1} {
		r := privateUseRune(id)
		if back := privateUseIndex(r); back != id {
			t.Errorf("id %d -> %U -> %d", id, r, back)
		}
		if string(r) == "\uFFFD" {
			t.Errorf("id %d maps to an invalid rune", id)
		}
	}
}
