package store

import (
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
)

type commentRow struct {
	ID             string `gorm:"primaryKey"`
	GuidelineID    string
	ClauseID       string
	ClauseVersion  int
	AuthorID       string
	CountryCode    *string
	Observer       bool
	Kind           string
	Body           string
	ProposedText   *string
	Quote          *string
	ParentID       *string
	Status         string
	ResolutionNote string
	ResolvedBy     *string
	ResolvedAt     *time.Time
	Revision       int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (commentRow) TableName() string { return "comments" }

func (r commentRow) domain() (drafting.Comment, error) {
	c := drafting.Comment{ID: r.ID, GuidelineID: r.GuidelineID, ClauseID: r.ClauseID, ClauseVersion: r.ClauseVersion,
		AuthorID: r.AuthorID, Country: deref(r.CountryCode), Observer: r.Observer, Kind: drafting.CommentKind(r.Kind), Body: r.Body,
		Quote: deref(r.Quote), ParentID: deref(r.ParentID), Status: drafting.CommentStatus(r.Status),
		ResolutionNote: r.ResolutionNote, ResolvedBy: deref(r.ResolvedBy), ResolvedAt: r.ResolvedAt,
		Revision: r.Revision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.ProposedText != nil {
		if err := jsonUnmarshal(*r.ProposedText, &c.ProposedText); err != nil {
			return c, err
		}
	}
	return c, nil
}

// InsertComment stores a new comment.
func (tx *Tx) InsertComment(c drafting.Comment) error {
	var proposed *string
	if len(c.ProposedText) > 0 {
		s := mustJSON(c.ProposedText)
		proposed = &s
	}
	return tx.db.Create(&commentRow{ID: c.ID, GuidelineID: c.GuidelineID, ClauseID: c.ClauseID, ClauseVersion: c.ClauseVersion,
		AuthorID: c.AuthorID, CountryCode: ptr(c.Country), Observer: c.Observer, Kind: string(c.Kind), Body: c.Body, ProposedText: proposed,
		Quote: ptr(c.Quote), ParentID: ptr(c.ParentID), Status: string(c.Status), Revision: c.Revision,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}).Error
}

// Comment reads one comment.
func (tx *Tx) Comment(id string) (drafting.Comment, error) {
	var r commentRow
	if err := tx.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return drafting.Comment{}, notFound(err, "comment")
	}
	return r.domain()
}

// SaveComment writes body, status and resolution of c if its revision is
// still c.Revision-1 (the caller increments it); false when it changed.
func (tx *Tx) SaveComment(c drafting.Comment) (bool, error) {
	res := tx.db.Model(&commentRow{}).Where("id = ? AND revision = ?", c.ID, c.Revision-1).Updates(map[string]any{
		"body": c.Body, "status": string(c.Status), "resolution_note": c.ResolutionNote, "resolved_by": ptr(c.ResolvedBy),
		"resolved_at": c.ResolvedAt, "revision": c.Revision, "updated_at": c.UpdatedAt,
	})
	return res.RowsAffected == 1, res.Error
}

// CommentCursor is the keyset position in a comment list.
type CommentCursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"i"`
}

// CommentFilter selects comments of one clause or one guideline.
type CommentFilter struct {
	GuidelineID string
	ClauseID    string
	Country     string // "observer" selects observers' comments
	Status      string
	Kind        string
	Version     int
	// ParentID keeps the replies to one comment; AuthorID the comments of
	// one account.
	ParentID string
	AuthorID string
	// RepliesToCountry keeps replies to a comment written for that
	// country, RepliesToAuthor replies to a comment by that account;
	// NotAuthor leaves out one account's comments.
	RepliesToCountry string
	RepliesToAuthor  string
	NotAuthor        string
	After            *CommentCursor
	Limit            int
}

// Comments lists comments oldest first.
func (tx *Tx) Comments(f CommentFilter) ([]drafting.Comment, error) {
	q := tx.db.Model(&commentRow{}).Order("created_at, id").Limit(f.Limit)
	if f.ClauseID != "" {
		q = q.Where("clause_id = ?", f.ClauseID)
	}
	if f.GuidelineID != "" {
		q = q.Where("guideline_id = ?", f.GuidelineID)
	}
	switch f.Country {
	case "":
	case "observer":
		q = q.Where("observer = ?", true)
	default:
		q = q.Where("country_code = ?", f.Country)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Version > 0 {
		q = q.Where("clause_version = ?", f.Version)
	}
	if f.ParentID != "" {
		q = q.Where("parent_id = ?", f.ParentID)
	}
	if f.AuthorID != "" {
		q = q.Where("author_id = ?", f.AuthorID)
	}
	if f.RepliesToCountry != "" {
		q = q.Where("EXISTS (SELECT 1 FROM comments pc WHERE pc.id = comments.parent_id AND pc.country_code = ?)", f.RepliesToCountry)
	}
	if f.RepliesToAuthor != "" {
		q = q.Where("EXISTS (SELECT 1 FROM comments pc WHERE pc.id = comments.parent_id AND pc.author_id = ?)", f.RepliesToAuthor)
	}
	if f.NotAuthor != "" {
		q = q.Where("author_id <> ?", f.NotAuthor)
	}
	if f.After != nil {
		q = q.Where(keysetAfter(""), f.After.CreatedAt, f.After.ID)
	}
	var rows []commentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]drafting.Comment, 0, len(rows))
	for _, r := range rows {
		c, err := r.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CommentCount is how many comments one country (nil: observers, marked
// Observer, or facilitators) has on one clause, by status.
type CommentCount struct {
	ClauseID string
	Country  *string
	Observer bool
	Status   string
	N        int
}

// CommentCounts counts a guideline's comments per clause, country and
// status in one statement.
func (tx *Tx) CommentCounts(gid string) ([]CommentCount, error) {
	var out []CommentCount
	err := tx.db.Model(&commentRow{}).Select("clause_id, country_code AS country, observer, status, COUNT(*) AS n").
		Where("guideline_id = ?", gid).Group("clause_id, country_code, observer, status").
		Order("clause_id, country_code, observer, status").Scan(&out).Error
	return out, err
}

// OpenCommentIDs returns which of ids are open comments on the clause.
func (tx *Tx) OpenCommentIDs(clauseID string, ids []string) (map[string]bool, error) {
	var found []string
	if len(ids) == 0 {
		return map[string]bool{}, nil
	}
	if err := tx.db.Model(&commentRow{}).Where("clause_id = ? AND status = ? AND id IN ?", clauseID, "open", ids).
		Pluck("id", &found).Error; err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(found))
	for _, id := range found {
		set[id] = true
	}
	return set, nil
}

// IncorporateComments marks open comments incorporated by a new version, in
// one statement; it returns how many changed.
func (tx *Tx) IncorporateComments(ids []string, by, note string, now time.Time) (int64, error) {
	res := tx.db.Model(&commentRow{}).Where("id IN ? AND status = ?", ids, "open").Updates(map[string]any{
		"status": "incorporated", "resolution_note": note, "resolved_by": by, "resolved_at": now,
		"revision": gormExpr("revision + 1"), "updated_at": now,
	})
	return res.RowsAffected, res.Error
}
