package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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
	AnchorState    *string
	AnchorVersion  *int
	AnchorLang     string
	AnchorStart    int
	AnchorExcerpt  *string
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
	if r.AnchorState != nil {
		c.Anchor = &drafting.Anchor{State: drafting.AnchorState(*r.AnchorState), Lang: r.AnchorLang, Start: r.AnchorStart,
			Excerpt: deref(r.AnchorExcerpt)}
		if r.AnchorVersion != nil {
			c.Anchor.Version = *r.AnchorVersion
		}
	}
	if r.ProposedText != nil {
		if err := jsonUnmarshal(*r.ProposedText, &c.ProposedText); err != nil {
			return c, err
		}
	}
	return c, nil
}

// InsertComment stores a new comment.
func (tx *Tx) InsertComment(c drafting.Comment) error {
	ok, err := tx.insertComment(c, nil)
	if err == nil && !ok {
		err = fmt.Errorf("comment %s: the insert wrote no row", c.ID)
	}
	return err
}

// CommentGuard is what a comment was checked against, read before its
// transaction: its clause's current version and its guideline's revision
// (which moves with the guideline's participants, title and status). A
// guideline's languages never change, nor does a clause version's text.
type CommentGuard struct {
	ClauseVersion     int
	GuidelineRevision int
}

// InsertCommentIf inserts a comment, as InsertComment does, if its clause
// is still at the guard's version and its guideline at the guard's
// revision, in one statement; it reports whether it did. When it did not,
// nothing was written and the transaction can go on: the caller reads the
// clause and guideline afresh.
func (tx *Tx) InsertCommentIf(c drafting.Comment, g CommentGuard) (bool, error) {
	return tx.insertComment(c, &g)
}

// commentColumns are the columns insertComment writes, in the order of
// commentRow's fields and of values() (TestCommentColumns).
const commentColumns = `id, guideline_id, clause_id, clause_version, author_id, country_code, observer, kind, body,
proposed_text, quote, parent_id, status, resolution_note, resolved_by, resolved_at, revision,
anchor_state, anchor_version, anchor_lang, anchor_start, anchor_excerpt, created_at, updated_at`

func (r commentRow) values() []any {
	return []any{r.ID, r.GuidelineID, r.ClauseID, r.ClauseVersion, r.AuthorID, r.CountryCode, r.Observer, r.Kind, r.Body,
		r.ProposedText, r.Quote, r.ParentID, r.Status, r.ResolutionNote, r.ResolvedBy, r.ResolvedAt, r.Revision,
		r.AnchorState, r.AnchorVersion, r.AnchorLang, r.AnchorStart, r.AnchorExcerpt, r.CreatedAt, r.UpdatedAt}
}

var (
	commentPlaceholders = strings.TrimSuffix(strings.Repeat("?, ", strings.Count(commentColumns, ",")+1), ", ")
	insertCommentSQL    = "INSERT INTO comments (" + commentColumns + ") VALUES (" + commentPlaceholders + ")"
	// The guarded insert selects its row where the clause and guideline
	// are as the guard says; its last four arguments are the guard's.
	insertCommentIfSQL = "INSERT INTO comments (" + commentColumns + ") SELECT " + commentPlaceholders + ` WHERE EXISTS (SELECT 1 FROM clauses c
JOIN guidelines g ON g.id = c.guideline_id WHERE c.id = ? AND c.guideline_id = ? AND c.version = ? AND g.revision = ?)`
)

// insertComment writes a new comment and counts it; with a guard, only if
// the guard holds (one statement: the insert selects its row where the
// clause and guideline are as the guard says). A comment is the busiest
// write there is: the statement is written out, not built by reflection.
func (tx *Tx) insertComment(c drafting.Comment, g *CommentGuard) (bool, error) {
	var proposed *string
	if len(c.ProposedText) > 0 {
		s := mustJSON(c.ProposedText)
		proposed = &s
	}
	row := commentRow{ID: c.ID, GuidelineID: c.GuidelineID, ClauseID: c.ClauseID, ClauseVersion: c.ClauseVersion,
		AuthorID: c.AuthorID, CountryCode: ptr(c.Country), Observer: c.Observer, Kind: string(c.Kind), Body: c.Body, ProposedText: proposed,
		Quote: ptr(c.Quote), ParentID: ptr(c.ParentID), Status: string(c.Status), Revision: c.Revision,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if a := c.Anchor; a != nil {
		v := a.Version
		row.AnchorState, row.AnchorVersion, row.AnchorLang, row.AnchorStart, row.AnchorExcerpt = ptr(string(a.State)), &v, a.Lang, a.Start, ptr(a.Excerpt)
	}
	args, sql := row.values(), insertCommentSQL
	if g != nil {
		args, sql = append(args, c.ClauseID, c.GuidelineID, g.ClauseVersion, g.GuidelineRevision), insertCommentIfSQL
	}
	res := tx.db.Exec(sql, args...)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	tx.countComment(c.GuidelineID, c.ClauseID, speaker(c.Country, c.Observer), string(c.Kind), string(c.Status), 1)
	return true, nil
}

// OpenAmendmentBucket is the status of the comment counts that count the
// open amendments (migration 00020): a speaker's open amendments on a
// clause, also counted under "open".
const OpenAmendmentBucket = "open_amendment"

// RecountCommentsSQL fills comment_counts from the comments, as migrations
// 00012 and 00020 do: for a loader that writes comments without the store
// (the scale benchmark's COPY), into an empty comment_counts.
const RecountCommentsSQL = `INSERT INTO comment_counts (guideline_id, clause_id, speaker, status, n)
SELECT guideline_id, clause_id, ` + speakerSQL + `, status, COUNT(*) FROM comments
GROUP BY guideline_id, clause_id, ` + speakerSQL + `, status
UNION ALL
SELECT guideline_id, clause_id, ` + speakerSQL + `, '` + OpenAmendmentBucket + `', COUNT(*) FROM comments
WHERE kind = 'amendment' AND status = 'open'
GROUP BY guideline_id, clause_id, ` + speakerSQL

const speakerSQL = "CASE WHEN country_code IS NOT NULL THEN country_code WHEN observer THEN 'observer' ELSE 'facilitator' END"

// commentCountRow is how many comments one speaker has on one clause in
// one status, kept by every write of comments (migration 00012).
type commentCountRow struct {
	GuidelineID string
	ClauseID    string `gorm:"primaryKey"`
	Speaker     string `gorm:"primaryKey"`
	Status      string `gorm:"primaryKey"`
	N           int
}

func (commentCountRow) TableName() string { return "comment_counts" }

// speaker is who a comment counts for: its country, or the observers, or
// the facilitators.
func speaker(country string, observer bool) string {
	switch {
	case country != "":
		return country
	case observer:
		return "observer"
	}
	return "facilitator"
}

// countComment adds n comments (negative: takes them away) of one speaker
// on one clause, of one kind, in one status, to the counts: under their
// status and, for open amendments, in the open amendments' bucket too.
func (tx *Tx) countComment(gid, clauseID, speaker, kind, status string, n int) {
	tx.countComments(countKey{gid, clauseID, speaker, status}, n)
	if kind == string(drafting.KindAmendment) && status == string(drafting.CommentOpen) {
		tx.countComments(countKey{gid, clauseID, speaker, OpenAmendmentBucket}, n)
	}
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
//
// The comment at that revision is read (and locked) first, so that a change
// of status moves one comment between the counts it belongs to.
func (tx *Tx) SaveComment(c drafting.Comment) (bool, error) {
	var old []commentRow
	if err := tx.db.Model(&commentRow{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Select("guideline_id, clause_id, country_code, observer, kind, status").
		Where("id = ? AND revision = ?", c.ID, c.Revision-1).Find(&old).Error; err != nil {
		return false, err
	}
	if len(old) == 0 {
		return false, nil
	}
	res := tx.db.Model(&commentRow{}).Where("id = ? AND revision = ?", c.ID, c.Revision-1).Updates(map[string]any{
		"body": c.Body, "status": string(c.Status), "resolution_note": c.ResolutionNote, "resolved_by": ptr(c.ResolvedBy),
		"resolved_at": c.ResolvedAt, "revision": c.Revision, "updated_at": c.UpdatedAt,
	})
	if res.Error != nil || res.RowsAffected != 1 {
		return false, res.Error
	}
	// The comment moves from the counts of its old status to its new one.
	o := old[0]
	sp := speaker(deref(o.CountryCode), o.Observer)
	tx.countComment(o.GuidelineID, o.ClauseID, sp, o.Kind, o.Status, -1)
	tx.countComment(o.GuidelineID, o.ClauseID, sp, o.Kind, string(c.Status), 1)
	return true, nil
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
	// Anchor keeps the comments whose quote's anchor is in this state.
	Anchor  string
	Version int
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
	var rows []commentRow
	if err := tx.filtered(tx.listed(f), f).Order("created_at, id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.Comment](rows)
}

// CommentsWithin is Comments for a page whose cost must not depend on how
// rare its filters are: it reads at most scan comments of the list (the
// clause's or the guideline's, oldest first, after f.After) and keeps those
// f's other filters select. The list's index serves the scope and the
// cursor only, so without the bound a rare filter read every comment after
// the cursor. When it read scan comments without filling the page, it
// also returns the last one read: the next page starts after it.
func (tx *Tx) CommentsWithin(f CommentFilter, scan int) ([]drafting.Comment, *CommentCursor, error) {
	if !f.filters() {
		cs, err := tx.Comments(f)
		return cs, nil, err
	}
	bound, err := tx.commentBound(f, scan)
	if err != nil {
		return nil, nil, err
	}
	cs, err := tx.commentsUpTo(f, bound)
	if err != nil || bound == nil || len(cs) >= f.Limit {
		return cs, nil, err
	}
	return cs, bound, nil
}

// commentBound is the scan-th comment of f's list after its cursor, nil
// when the list ends at it or before (nothing would follow the page): one
// seek on the list's index, reading scan entries and one more.
func (tx *Tx) commentBound(f CommentFilter, scan int) (*CommentCursor, error) {
	var rows []commentRow
	if err := tx.listed(f).Select("created_at, id").Order("created_at, id").Offset(scan - 1).Limit(2).
		Find(&rows).Error; err != nil || len(rows) < 2 {
		return nil, err
	}
	return &CommentCursor{CreatedAt: rows[0].CreatedAt, ID: rows[0].ID}, nil
}

// commentsUpTo is the page of f's list after its cursor and up to bound
// (nil: to the end) that f's filters select.
func (tx *Tx) commentsUpTo(f CommentFilter, bound *CommentCursor) ([]drafting.Comment, error) {
	q := tx.filtered(tx.listed(f), f)
	if bound != nil {
		// The range also on created_at alone: PostgreSQL estimates a row
		// comparison as a third of the rows, and with the filter's
		// rarity it preferred reading the whole list and sorting it.
		q = q.Where(keysetUpTo("")+" AND created_at <= ?", bound.CreatedAt, bound.ID, bound.CreatedAt)
		if f.After != nil {
			q = q.Where("created_at >= ?", f.After.CreatedAt)
		}
	}
	var rows []commentRow
	if err := q.Order("created_at, id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.Comment](rows)
}

// filters reports whether f selects more than a clause's or a guideline's
// list after a cursor, which the lists' indexes serve.
func (f CommentFilter) filters() bool {
	g := f
	g.GuidelineID, g.ClauseID, g.After, g.Limit = "", "", nil, 0
	return g != CommentFilter{}
}

// listed is the list f pages: a clause's or a guideline's comments, after
// its cursor.
func (tx *Tx) listed(f CommentFilter) *gorm.DB {
	q := tx.db.Model(&commentRow{})
	if f.ClauseID != "" {
		q = q.Where("clause_id = ?", f.ClauseID)
	}
	if f.GuidelineID != "" {
		q = q.Where("guideline_id = ?", f.GuidelineID)
	}
	if f.After != nil {
		q = q.Where(keysetAfter(""), f.After.CreatedAt, f.After.ID)
	}
	return q
}

// filtered adds f's filters other than the list and the cursor to q.
func (tx *Tx) filtered(q *gorm.DB, f CommentFilter) *gorm.DB {
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
	if f.Anchor != "" {
		q = q.Where("anchor_state = ?", f.Anchor)
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
	return q
}

// CommentCount is how many comments one speaker — a country code,
// "observer" or "facilitator" — has on one clause, by status (statuses
// without comments left out).
type CommentCount struct {
	ClauseID string
	Speaker  string
	ByStatus map[drafting.CommentStatus]int
	// OpenAmendments is how many of the open comments are amendments.
	OpenAmendments int
}

// CommentCounts reads a guideline's comment counts per clause and speaker,
// as the writes of comments keep them: of the given clauses only, when any
// are given (a page of them), in no particular order. One index-only scan
// of comment_counts_page (migration 00017) grouped by clause and speaker,
// a column per status, scanned without reflection: a page of 50 clauses of
// a busy guideline is 1,500 count rows but 500 of these.
func (tx *Tx) CommentCounts(gid string, clauseIDs ...string) ([]CommentCount, error) {
	// A column per status, and the open amendments last.
	cols := make([]string, len(drafting.CommentStatuses)+1)
	args := make([]any, len(cols))
	for i, st := range drafting.CommentStatuses {
		cols[i] = "SUM(CASE WHEN status = ? THEN n ELSE 0 END)"
		args[i] = string(st)
	}
	cols[len(cols)-1], args[len(cols)-1] = "SUM(CASE WHEN status = ? THEN n ELSE 0 END)", OpenAmendmentBucket
	q := tx.db.Model(&commentCountRow{}).Select("clause_id, speaker, "+strings.Join(cols, ", "), args...).
		Where("guideline_id = ? AND n > 0", gid)
	if len(clauseIDs) > 0 {
		q = q.Where("clause_id IN ?", clauseIDs)
	}
	rows, err := q.Group("clause_id, speaker").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CommentCount
	n := make([]int, len(drafting.CommentStatuses))
	dest := make([]any, 2+len(n)+1)
	for rows.Next() {
		var c CommentCount
		dest[0], dest[1] = &c.ClauseID, &c.Speaker
		for i := range n {
			dest[2+i] = &n[i]
		}
		dest[2+len(n)] = &c.OpenAmendments
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c.ByStatus = make(map[drafting.CommentStatus]int, 2)
		for i, st := range drafting.CommentStatuses {
			if n[i] > 0 {
				c.ByStatus[st] = n[i]
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
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
//
// The open ones are read (and locked) first, and their counts move from
// open to incorporated (the transaction adds them up per clause and speaker).
func (tx *Tx) IncorporateComments(ids []string, by, note string, now time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var open []commentRow
	if err := tx.db.Model(&commentRow{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Select("id, guideline_id, clause_id, country_code, observer, kind").
		Where("id IN ? AND status = ?", ids, "open").Order("id").Find(&open).Error; err != nil {
		return 0, err
	}
	if len(open) == 0 {
		return 0, nil
	}
	changed := make([]string, len(open))
	for i, r := range open {
		changed[i] = r.ID
	}
	res := tx.db.Model(&commentRow{}).Where("id IN ? AND status = ?", changed, "open").Updates(map[string]any{
		"status": "incorporated", "resolution_note": note, "resolved_by": by, "resolved_at": now,
		"revision": gormExpr("revision + 1"), "updated_at": now,
	})
	if res.Error != nil {
		return 0, res.Error
	}
	for _, r := range open {
		sp := speaker(deref(r.CountryCode), r.Observer)
		tx.countComment(r.GuidelineID, r.ClauseID, sp, r.Kind, string(drafting.CommentOpen), -1)
		tx.countComment(r.GuidelineID, r.ClauseID, sp, r.Kind, string(drafting.CommentIncorporated), 1)
	}
	return res.RowsAffected, nil
}

// AnchoredComments lists the comments of a clause whose anchor is still
// followed (a quote not orphaned), oldest first.
func (tx *Tx) AnchoredComments(clauseID string) ([]drafting.Comment, error) {
	var rows []commentRow
	if err := tx.db.Where("clause_id = ? AND anchor_state IS NOT NULL AND anchor_state <> ?", clauseID, string(drafting.AnchorOrphaned)).
		Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.Comment](rows)
}

// SetAnchor records where a comment's quote stands now. The comment's
// revision (its ETag) does not change: the anchor follows the clause, not
// anything the author or a facilitator did to the comment.
func (tx *Tx) SetAnchor(commentID string, a drafting.Anchor) error {
	return tx.db.Model(&commentRow{}).Where("id = ?", commentID).Updates(map[string]any{
		"anchor_state": string(a.State), "anchor_version": a.Version, "anchor_lang": a.Lang,
		"anchor_start": a.Start, "anchor_excerpt": a.Excerpt}).Error
}

// OpenAmendments lists the open amendments on the clauses of a guideline,
// oldest first, in one statement.
func (tx *Tx) OpenAmendments(gid string) ([]drafting.Comment, error) {
	var rows []commentRow
	if err := tx.db.Where("guideline_id = ? AND kind = ? AND status = ?", gid, string(drafting.KindAmendment), string(drafting.CommentOpen)).
		Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return domainsOf[drafting.Comment](rows)
}
