package service

import "github.com/rcm-iom/consenso/internal/drafting"

// followAnchors carries the anchor of every quoting comment of a clause
// (not orphaned) from version from (text before) to version to (text
// after), in u (drafting.Anchor.Follow). An anchor kept from before anchors
// had a language (migration 00016) is first found in the version it
// describes. It returns how many anchors ended in each state.
func followAnchors(u *unit, clauseID string, languages []string, from int, before drafting.Text, to int, after drafting.Text) (map[string]int, error) {
	counts := map[string]int{}
	cs, err := u.AnchoredComments(clauseID)
	if err != nil {
		return nil, err
	}
	texts := map[int]drafting.Text{from: before}
	textOf := func(n int) (drafting.Text, error) {
		if t, ok := texts[n]; ok {
			return t, nil
		}
		v, err := u.Version(clauseID, n)
		if err != nil {
			return nil, err
		}
		texts[n] = v.Text
		return v.Text, nil
	}
	for _, c := range cs {
		a := *c.Anchor
		old, err := textOf(a.Version)
		if err != nil {
			return nil, err
		}
		if a.Lang == "" {
			found, ok := drafting.NewAnchor(a.Excerpt, a.Version, languages, old)
			if !ok {
				found = drafting.Anchor{State: drafting.AnchorOrphaned, Version: a.Version, Excerpt: a.Excerpt}
			}
			a = found
		}
		next := a.Follow(old, after, to)
		if err := u.SetAnchor(c.ID, next); err != nil {
			return nil, err
		}
		counts[string(next.State)]++
	}
	return counts, nil
}
