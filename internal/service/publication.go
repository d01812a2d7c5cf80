package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// ApprovedContent is the adopted text as integrations receive it; its
// canonical JSON (keys sorted, no insignificant space, no HTML escaping) is
// what the content hash covers.
type ApprovedContent struct {
	GuidelineID  string             `json:"guideline_id"`
	Title        drafting.Text      `json:"title"`
	Slug         string             `json:"slug"`
	Version      int                `json:"version"`
	Draft        int                `json:"draft"`
	AdoptedAt    time.Time          `json:"adopted_at"`
	Languages    []string           `json:"languages"`
	Participants []string           `json:"participants"`
	Sections     []ApprovedSection  `json:"sections"`
	Reservations []ApprovedFootnote `json:"reservations"`
	// Plan is the implementation plan adopted with the text, its annex;
	// absent when the guideline has none (so versions adopted before
	// plans existed keep the bytes their hash covers).
	Plan []ApprovedPlanSection `json:"plan,omitempty"`
}

// ApprovedPlanSection is a section of the adopted implementation plan.
type ApprovedPlanSection struct {
	ID      string           `json:"id"`
	Title   drafting.Text    `json:"title"`
	Actions []ApprovedAction `json:"actions"`
}

// ApprovedAction is an action of the adopted plan with its details.
type ApprovedAction struct {
	ID            string            `json:"id"`
	Number        string            `json:"number"`
	Version       int               `json:"version"`
	Text          map[string]string `json:"text"`
	Responsible   []string          `json:"responsible"`
	Timeframe     string            `json:"timeframe"`
	Indicators    drafting.Text     `json:"indicators"`
	Verification  drafting.Text     `json:"means_of_verification"`
	Clauses       []string          `json:"clauses"`
	ClauseNumbers []string          `json:"clause_numbers"`
}

// ApprovedSection is a section of the adopted text.
type ApprovedSection struct {
	ID      string           `json:"id"`
	Title   drafting.Text    `json:"title"`
	Clauses []ApprovedClause `json:"clauses"`
}

// ApprovedClause is a clause of the adopted text.
type ApprovedClause struct {
	ID      string            `json:"id"`
	Number  string            `json:"number"`
	Version int               `json:"version"`
	Text    map[string]string `json:"text"`
}

// ApprovedFootnote is a reservation, a footnote of the adopted text.
type ApprovedFootnote struct {
	Country      string `json:"country"`
	ClauseID     string `json:"clause_id"`
	ClauseNumber string `json:"clause_number"`
	Text         string `json:"text"`
}

// Canonical encodes v as canonical JSON: object keys sorted, compact, no
// HTML escaping. `jq -cjS .` produces the same bytes.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ContentHash is "sha256:<hex>" of canonical JSON bytes.
func ContentHash(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Adopt makes draft n the guideline's next approved version. The guideline
// becomes adopted when the draft holds every clause the guideline has now;
// an adopted draft of part of the text leaves it drafting. In the
// adopting transaction, every clause of the draft must be agreed at exactly
// the draft's version and hold a current position that is not an objection
// from every participant of this moment (checkAdoption); otherwise 409
// draft.not_agreed lists the blocking clauses. A draft is adopted once.
func (s *Service) Adopt(ctx context.Context, p auth.Principal, gid string, n int) (drafting.Approved, error) {
	if err := requireFacilitator(p); err != nil {
		return drafting.Approved{}, err
	}
	var out drafting.Approved
	err := s.write(ctx, p.ID, func(u *unit) error {
		if err := u.ClaimGuideline(gid, u.now); err != nil {
			return err
		}
		// Read under the claim, so the revision is the one UpdateGuideline
		// below expects even when another change committed just before.
		g, err := u.Guideline(gid)
		if err != nil {
			return err
		}
		d, err := u.Draft(gid, n, true)
		if err != nil {
			return err
		}
		if a, err := u.ApprovedByDraft(gid, n); err == nil {
			e := drafting.Errorf(drafting.KindConflict, "draft.already_adopted", "draft %d was already adopted as approved version %d", n, a.Version)
			e.Data = map[string]any{"version": a.Version}
			return e
		} else if !drafting.IsKind(err, drafting.KindNotFound) {
			return err
		}
		if err := s.checkAdoption(u, g, d); err != nil {
			return err
		}
		res, err := u.DraftReservations(gid, n)
		if err != nil {
			return err
		}
		version, err := u.NextApprovedVersion(gid)
		if err != nil {
			return err
		}
		actions, err := draftActions(u.Tx, d)
		if err != nil {
			return err
		}
		content := approvedContent(g, d, res, version, u.now)
		addPlan(&content, d, actions)
		canon, err := Canonical(content)
		if err != nil {
			return err
		}
		out = drafting.Approved{GuidelineID: gid, Version: version, DraftNumber: n, Content: canon,
			ContentHash: ContentHash(canon), AdoptedBy: p.ID, AdoptedAt: u.now}
		if err := u.InsertApproved(out); err != nil {
			return err
		}
		// The guideline is adopted once a draft holding all of its text is;
		// a draft missing clauses (one chapter adopted first) is an
		// approved version of part of the text.
		complete, err := draftHoldsEveryClause(u, gid, d)
		if err != nil {
			return err
		}
		if complete && g.Status != drafting.GuidelineAdopted {
			g.Status = drafting.GuidelineAdopted
			g.Revision++
			g.UpdatedAt = u.now
			if err := u.UpdateGuideline(g); err != nil {
				return err
			}
		}
		return u.emit(drafting.EventGuidelineAdopted, gid, gid, map[string]any{
			"version": version, "draft": n, "content_hash": out.ContentHash, "adopted_at": u.now, "complete": complete})
	})
	if err == nil {
		s.approved.forgetLatest(gid) // this replica serves the new version at once
	}
	return out, err
}

// draftHoldsEveryClause reports whether every clause the guideline has at
// this moment is in draft d.
func draftHoldsEveryClause(u *unit, gid string, d drafting.Draft) (bool, error) {
	clauses, err := u.ClauseStates(gid)
	if err != nil {
		return false, err
	}
	in := make(map[string]bool, len(d.Clauses))
	for _, dc := range d.Clauses {
		in[dc.ClauseID] = true
	}
	for _, c := range clauses {
		if !in[c.ID] {
			return false, nil
		}
	}
	return true, nil
}

func approvedContent(g drafting.Guideline, d drafting.Draft, res []drafting.Reservation, version int, now time.Time) ApprovedContent {
	c := ApprovedContent{GuidelineID: g.ID, Title: g.Title, Slug: g.Slug, Version: version, Draft: d.Number, AdoptedAt: now,
		Languages: g.Languages, Participants: g.Participants, Sections: []ApprovedSection{}, Reservations: []ApprovedFootnote{}}
	numbers := map[string]string{}
	lastSection := ""
	for _, dc := range d.Clauses {
		if len(c.Sections) == 0 || dc.SectionID != lastSection {
			c.Sections = append(c.Sections, ApprovedSection{ID: dc.SectionID, Title: dc.SectionTitle, Clauses: []ApprovedClause{}})
			lastSection = dc.SectionID
		}
		sec := &c.Sections[len(c.Sections)-1]
		sec.Clauses = append(sec.Clauses, ApprovedClause{ID: dc.ClauseID, Number: dc.Number, Version: dc.Version, Text: dc.Text})
		numbers[dc.ClauseID] = dc.Number
	}
	for _, r := range res {
		c.Reservations = append(c.Reservations, ApprovedFootnote{Country: r.Country, ClauseID: r.ClauseID, ClauseNumber: numbers[r.ClauseID], Text: r.Text})
	}
	sort.SliceStable(c.Reservations, func(i, j int) bool {
		a, b := c.Reservations[i], c.Reservations[j]
		if a.ClauseNumber != b.ClauseNumber {
			return a.ClauseNumber < b.ClauseNumber
		}
		return a.Country < b.Country
	})
	return c
}

// decodeApproved reads stored approved content. Versions adopted before
// titles were per language hold one string per title (their bytes are what
// their hash covers, so they are kept as they are); such a title is read as
// the title in the version's first language.
func decodeApproved(b []byte) (ApprovedContent, error) {
	var c ApprovedContent
	err := json.Unmarshal(b, &c)
	var typeErr *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &typeErr) {
		return c, err
	}
	var legacy struct {
		ApprovedContent
		Title    string `json:"title"`
		Sections []struct {
			ApprovedSection
			Title string `json:"title"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(b, &legacy); err != nil {
		return c, err
	}
	c = legacy.ApprovedContent
	lang := ""
	if len(c.Languages) > 0 {
		lang = c.Languages[0]
	}
	c.Title = drafting.Text{lang: legacy.Title}
	c.Sections = make([]ApprovedSection, len(legacy.Sections))
	for i, s := range legacy.Sections {
		c.Sections[i] = s.ApprovedSection
		c.Sections[i].Title = drafting.Text{lang: s.Title}
	}
	return c, nil
}

// ApprovedDocument turns stored approved content into a render.Document.
func ApprovedDocument(a drafting.Approved) (ApprovedContent, render.Document, error) {
	c, err := decodeApproved(a.Content)
	if err != nil {
		return c, render.Document{}, fmt.Errorf("approved %s v%d: %w", a.GuidelineID, a.Version, err)
	}
	byClause := map[string][]render.Reservation{}
	for _, r := range c.Reservations {
		byClause[r.ClauseID] = append(byClause[r.ClauseID], render.Reservation{Country: r.Country, Text: r.Text})
	}
	doc := render.Document{GuidelineID: c.GuidelineID, Title: c.Title, Slug: c.Slug, Languages: c.Languages, Kind: "approved",
		Number: c.Version, Date: c.AdoptedAt, ContentHash: a.ContentHash}
	for i, sec := range c.Sections {
		id := sec.ID
		if id == "" { // adopted before sections carried their id
			id = fmt.Sprintf("s%d", i+1)
		}
		rs := render.Section{ID: id, Title: sec.Title}
		for _, cl := range sec.Clauses {
			rs.Clauses = append(rs.Clauses, render.Clause{ID: cl.ID, Number: cl.Number, Status: string(drafting.StatusAgreed),
				Version: cl.Version, Text: cl.Text, Reservations: byClause[cl.ID]})
		}
		doc.Sections = append(doc.Sections, rs)
	}
	doc.Annex = approvedAnnex(c)
	return c, doc, nil
}

// ApprovedVersion reads approved version v of a guideline (0: the latest).
// Everyone signed in may, integrations included.
func (s *Service) ApprovedVersion(ctx context.Context, p auth.Principal, gid string, v int) (drafting.Approved, error) {
	var a drafting.Approved
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if v == 0 {
			a, err = tx.LatestApproved(gid)
		} else {
			a, err = tx.ApprovedVersion(gid, v)
		}
		if err != nil && drafting.IsKind(err, drafting.KindNotFound) {
			if _, gerr := visibleGuideline(tx, p, gid); gerr != nil {
				return gerr
			}
			return drafting.Errorf(drafting.KindNotFound, "approved.not_found", "this guideline has no such approved version")
		}
		return err
	})
	return a, err
}

// visibleGuideline reads a guideline the caller may know of: integrations
// know only guidelines with an approved version; to them the others do not
// exist (404, as for an unknown id).
func visibleGuideline(tx *store.Tx, p auth.Principal, gid string) (drafting.Guideline, error) {
	g, err := tx.Guideline(gid)
	if err != nil || !p.IsIntegration() {
		return g, err
	}
	if _, err := tx.LatestApproved(gid); err != nil {
		if drafting.IsKind(err, drafting.KindNotFound) {
			return g, drafting.NotFound("guideline")
		}
		return g, err
	}
	return g, nil
}
