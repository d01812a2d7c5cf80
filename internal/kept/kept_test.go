package kept

import "testing"

// TestCache: an older answer never replaces a newer one under the same
// key, and a full cache starts afresh.
func TestCache(t *testing.T) {
	c := New[string](2)
	c.Put("a", 5, "five")
	c.Put("a", 4, "four")
	if e, ok := c.Get("a"); !ok || e.Revision != 5 || e.Value != "five" {
		t.Fatalf("a = %+v, %v; want revision 5 kept over 4", e, ok)
	}
	c.Put("a", 6, "six")
	if e, _ := c.Get("a"); e.Value != "six" {
		t.Fatalf("a = %+v, want revision 6", e)
	}
	c.Put("b", 1, "one")
	c.Put("c", 1, "one")
	if _, ok := c.Get("a"); ok {
		t.Fatal("a full cache kept its old entries")
	}
	if e, ok := c.Get("c"); !ok || e.Value != "one" {
		t.Fatalf("c = %+v, %v after starting afresh", e, ok)
	}
}
