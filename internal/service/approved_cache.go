package service

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/render"
	"github.com/rcm-iom/consenso/internal/store"
)

// Rendering is one representation of an approved version, made once: its
// bytes, media type and strong ETag, and the same bytes compressed once with
// gzip (another representation, with its own ETag).
type Rendering struct {
	Version     int
	Body        []byte
	ContentType string
	ETag        string
	Gzipped     []byte
	GzipETag    string
}

// approvedCache keeps every rendering of an approved version once made:
// approved versions never change. The pointer to a guideline's latest
// version is kept for latestTTL, so an adoption on another replica shows
// within that time (this replica's adoptions forget it at once).
type approvedCache struct {
	mu       sync.RWMutex
	bodies   map[string]Rendering
	bytes    int
	maxBytes int
	latest   map[string]latestVersion
}

type latestVersion struct {
	version int
	at      time.Time
}

const latestTTL = time.Second

func newApprovedCache() *approvedCache {
	return &approvedCache{bodies: map[string]Rendering{}, latest: map[string]latestVersion{}, maxBytes: 64 << 20}
}

func (a *approvedCache) get(key string) (Rendering, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	r, ok := a.bodies[key]
	return r, ok
}

func (a *approvedCache) put(key string, r Rendering) {
	a.mu.Lock()
	defer a.mu.Unlock()
	size := len(r.Body) + len(r.Gzipped)
	if a.bytes+size > a.maxBytes {
		clear(a.bodies) // bounded memory; entries are cheap to rebuild
		a.bytes = 0
	}
	a.bodies[key] = r
	a.bytes += size
}

func (a *approvedCache) latestOf(gid string, now time.Time) (int, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	l, ok := a.latest[gid]
	if !ok || now.Sub(l.at) > latestTTL || now.Before(l.at) {
		return 0, false
	}
	return l.version, true
}

func (a *approvedCache) setLatest(gid string, v int, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.latest[gid] = latestVersion{version: v, at: now}
}

func (a *approvedCache) forgetLatest(gid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.latest, gid)
}

// ApprovedRendering returns approved version v of a guideline (0: the
// latest) in format (json, markdown, html or akn; lang picks Akoma Ntoso's
// language expression). The caller is authorized first; only then is the
// rendering taken from memory, or read, rendered and kept.
func (s *Service) ApprovedRendering(ctx context.Context, p auth.Principal, gid string, v int, format, lang string) (Rendering, error) {
	if err := requireApprovedReader(p); err != nil {
		return Rendering{}, err
	}
	if err := CheckFormat(format); err != nil {
		return Rendering{}, err
	}
	if format != "akn" {
		lang = "" // only Akoma Ntoso has one expression per language
	}
	if v == 0 {
		var err error
		if v, err = s.latestApproved(ctx, gid); err != nil {
			return Rendering{}, err
		}
		if v == 0 {
			// The guideline is unknown, hidden, or has nothing adopted yet:
			// the uncached path says which.
			_, err := s.ApprovedVersion(ctx, p, gid, 0)
			return Rendering{}, err
		}
	}
	key := gid + "/" + strconv.Itoa(v) + "/" + format + "/" + lang
	if r, ok := s.approved.get(key); ok {
		return r, nil
	}
	a, err := s.ApprovedVersion(ctx, p, gid, v)
	if err != nil {
		return Rendering{}, err
	}
	r, err := renderApproved(a, format, lang)
	if err != nil {
		return Rendering{}, err
	}
	s.approved.put(key, r)
	return r, nil
}

// latestApproved is the newest approved version number of a guideline (0:
// none), remembered for latestTTL.
func (s *Service) latestApproved(ctx context.Context, gid string) (int, error) {
	if v, ok := s.approved.latestOf(gid, s.now()); ok {
		return v, nil
	}
	v := 0
	err := s.read(ctx, func(tx *store.Tx) error {
		n, err := tx.NextApprovedVersion(gid)
		v = n - 1
		return err
	})
	if err == nil && v > 0 {
		s.approved.setLatest(gid, v, s.now())
	}
	return v, err
}

func requireApprovedReader(p auth.Principal) error {
	if !p.CanReadApproved() {
		return drafting.Errorf(drafting.KindUnauthenticated, "auth.token_missing", "sign in to read approved text")
	}
	return nil
}

func renderApproved(a drafting.Approved, format, lang string) (Rendering, error) {
	content, doc, err := ApprovedDocument(a)
	if err != nil {
		return Rendering{}, err
	}
	var body []byte
	ct := "application/json"
	if format == "json" {
		withHash := struct {
			ApprovedContent
			ContentHash string `json:"content_hash"`
		}{content, a.ContentHash}
		if body, err = Canonical(withHash); err != nil {
			return Rendering{}, err
		}
	} else if body, ct, err = RenderDocument(format, lang, doc); err != nil {
		return Rendering{}, err
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:16])
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(body); err != nil {
		return Rendering{}, err
	}
	if err := zw.Close(); err != nil {
		return Rendering{}, err
	}
	return Rendering{Version: a.Version, Body: body, ContentType: ct, ETag: `"` + tag + `"`,
		Gzipped: gz.Bytes(), GzipETag: `"` + tag + `-gzip"`}, nil
}

// CheckFormat refuses a rendering format other than json, markdown, html or
// akn.
func CheckFormat(format string) error {
	switch format {
	case "json", "markdown", "html", "akn":
		return nil
	}
	return drafting.Invalid("request.invalid_format", drafting.FieldError{Field: "format", Message: "must be json, markdown, html or akn"})
}

// RenderDocument renders doc as markdown, html or akn (one language
// expression: lang, or the first language) and names its media type.
func RenderDocument(format, lang string, doc render.Document) ([]byte, string, error) {
	switch format {
	case "markdown":
		return render.Markdown(doc), "text/markdown; charset=utf-8", nil
	case "html":
		return render.HTML(doc), "text/html; charset=utf-8", nil
	case "akn":
		if lang == "" && len(doc.Languages) > 0 {
			lang = doc.Languages[0]
		}
		b, err := render.AkomaNtoso(doc, lang)
		if err != nil {
			return nil, "", drafting.Invalid("request.invalid_lang", drafting.FieldError{Field: "lang", Message: "must be one of the guideline's languages"})
		}
		return b, "application/akn+xml; charset=utf-8", nil
	}
	return nil, "", CheckFormat(format)
}
