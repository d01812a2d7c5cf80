package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client calls the API of the server under measure.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, workers int) *client {
	return &client{base: base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers + 2}}}
}

// call sends one request and decodes a JSON answer into out (when not nil);
// any status but want is an error.
func (c *client) call(ctx context.Context, method, path, token string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader([]byte(mustJSON(body)))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (c *client) login(ctx context.Context, email string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.call(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": seedPassword}, 200, &out)
	return out.AccessToken, err
}

// commentPage is the page size of the comment lists measured: small enough
// that the small archive's hot clauses (about 60 comments) still have a
// full page reached through a cursor.
const commentPage = 20

// target is one endpoint to measure: a GET of path with token, after
// Before (untimed, when set) each time.
type target struct {
	Name  string
	Path  string
	Token string
	// Before runs before every request of the target, untimed: a write,
	// so that the read measured is the first after a change (made
	// afresh, not kept).
	Before func(context.Context) error
	// Workers, when set, replaces the load's number of concurrent
	// clients: 1 measures a write-then-read alone, without the other
	// clients' writes competing for the two cores.
	Workers int
}

// prepared is what the measurement of one archive needs, found through the
// API itself.
type prepared struct {
	Targets []target
	Notes   []string
}

// prepare signs in, adopts a small guideline through the API (the approved
// pull needs an approved version, and the large guideline is not agreed),
// registers an integration, and follows cursors to the deep pages.
func prepare(ctx context.Context, c *client, p *plan, lastEvent int64, deep int) (prepared, error) {
	var out prepared
	fac, err := c.login(ctx, p.Users[p.Facilitator].Email)
	if err != nil {
		return out, err
	}
	admin, err := c.login(ctx, p.Users[p.Admin].Email)
	if err != nil {
		return out, err
	}
	head, err := c.login(ctx, "head.bz@scale.test")
	if err != nil {
		return out, err
	}
	adopted, err := adoptSmall(ctx, c, fac, head)
	if err != nil {
		return out, fmt.Errorf("adopt a small guideline: %w", err)
	}
	var integration struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := c.call(ctx, "POST", "/api/v1/integrations", admin, map[string]string{"name": "scale benchmark"}, 201, &integration); err != nil {
		return out, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.call(ctx, "POST", "/api/v1/auth/token", "", map[string]string{"grant_type": "client_credentials",
		"client_id": integration.ClientID, "client_secret": integration.ClientSecret}, 200, &tok); err != nil {
		return out, err
	}

	g := p.GuidelineID
	hot := p.Clauses[p.Hot[0]].ID
	first := fmt.Sprintf("/api/v1/clauses/%s/comments?limit=%d", hot, commentPage)
	clausePage, clauseDepth, err := followCursor(ctx, c, fac, first, commentPage, deep)
	if err != nil {
		return out, err
	}
	guidelinePage, guidelineDepth, err := followCursor(ctx, c, fac, fmt.Sprintf("/api/v1/guidelines/%s/comments?limit=%d", g, commentPage), commentPage, deep)
	if err != nil {
		return out, err
	}
	// The guideline's log starts after the accounts' events; page from its middle.
	after := int64(len(p.Users)) + (lastEvent-int64(len(p.Users)))/2
	out.Notes = append(out.Notes,
		fmt.Sprintf("comment pages of %d; deep pages: page %d of a hot clause's comments, page %d of the guideline's", commentPage, clauseDepth, guidelineDepth),
		fmt.Sprintf("events page: 50 events after id %d of %d", after, lastEvent))
	// Belize comments on the hot clause: the guideline's revision moves,
	// so the kept pages are made afresh by the next read.
	comment := func(ctx context.Context) error {
		return c.call(ctx, "POST", "/api/v1/clauses/"+hot+"/comments", head,
			map[string]string{"kind": "general", "body": "Belize asks for the word \"promptly\" to be kept."}, 201, nil)
	}
	out.Targets = []target{
		{"a clause's comments, first page", first, fac, nil, 0},
		{"a clause's comments, deep page (cursor)", clausePage, fac, nil, 0},
		{"a guideline's comments, deep page (cursor)", guidelinePage, fac, nil, 0},
		// The archive has no incorporated amendment: the filter reads as
		// far as a page may (1,000 comments) and answers none, with a
		// cursor to go on.
		{"a guideline's comments, a filter nothing matches", fmt.Sprintf("/api/v1/guidelines/%s/comments?kind=amendment&status=incorporated&limit=%d", g, commentPage), fac, nil, 0},
		{"consensus matrix", "/api/v1/guidelines/" + g + "/consensus", fac, nil, 0},
		{"clause list", "/api/v1/guidelines/" + g + "/clauses", fac, nil, 0},
		{"clause list, first read after a comment", "/api/v1/guidelines/" + g + "/clauses", fac, comment, 0},
		{"clause list, first read after a comment (one client)", "/api/v1/guidelines/" + g + "/clauses", fac, comment, 1},
		{"comment counts", "/api/v1/guidelines/" + g + "/comments/counts", fac, nil, 0},
		{"comment counts, first read after a comment", "/api/v1/guidelines/" + g + "/comments/counts", fac, comment, 0},
		{"comment counts, first read after a comment (one client)", "/api/v1/guidelines/" + g + "/comments/counts", fac, comment, 1},
		{"events page", fmt.Sprintf("/api/v1/guidelines/%s/events?after=%d&limit=50", g, after), fac, nil, 0},
		{"approved pull (integration)", "/api/v1/guidelines/" + adopted + "/approved", tok.AccessToken, nil, 0},
		{"read one clause", "/api/v1/clauses/" + hot, fac, nil, 0},
	}
	return out, nil
}

// followCursor pages from first towards page `deep` and returns the path
// and number of the deepest full page reached through a cursor, so that a
// small archive's deep page holds as many rows as a large one's (its last
// page may be short). first must end with its own query string.
func followCursor(ctx context.Context, c *client, token, first string, limit, deep int) (string, int, error) {
	path, page := first, 1
	bestPath, best := first, 1
	for {
		var list struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := c.call(ctx, "GET", path, token, nil, 200, &list); err != nil {
			return "", 0, err
		}
		if len(list.Items) == limit || best == 1 {
			bestPath, best = path, page
		}
		if list.NextCursor == "" || page == deep {
			return bestPath, best, nil
		}
		path, page = first+"&cursor="+url.QueryEscape(list.NextCursor), page+1
	}
}

// adoptSmall negotiates a ten-clause guideline with Belize as its only
// participant to adoption, through the API, and returns its id.
func adoptSmall(ctx context.Context, c *client, fac, head string) (string, error) {
	var g, sec struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, "POST", "/api/v1/guidelines", fac, map[string]any{"title": title("Adopted annex"), "languages": languages,
		"participants": []string{"BZ"}}, 201, &g); err != nil {
		return "", err
	}
	if err := c.call(ctx, "POST", "/api/v1/guidelines/"+g.ID+"/sections", fac, map[string]any{"title": title("Annex")}, 201, &sec); err != nil {
		return "", err
	}
	for i := 1; i <= 10; i++ {
		var cl struct {
			ID string `json:"id"`
		}
		c0 := clause{Number: fmt.Sprintf("A.%d", i)}
		if err := c.call(ctx, "POST", "/api/v1/guidelines/"+g.ID+"/clauses", fac, map[string]any{"section_id": sec.ID,
			"text": versionText(c0, 1)}, 201, &cl); err != nil {
			return "", err
		}
		if err := c.call(ctx, "POST", "/api/v1/clauses/"+cl.ID+"/open", fac, nil, 200, nil); err != nil {
			return "", err
		}
		if err := c.call(ctx, "PUT", "/api/v1/clauses/"+cl.ID+"/positions/BZ", head, map[string]any{"stance": "agree",
			"clause_version": 1}, 200, nil); err != nil {
			return "", err
		}
		if err := c.call(ctx, "POST", "/api/v1/clauses/"+cl.ID+"/lock", fac, nil, 200, nil); err != nil {
			return "", err
		}
	}
	if err := c.call(ctx, "POST", "/api/v1/guidelines/"+g.ID+"/drafts", fac, map[string]any{"label": "Annex as agreed"}, 201, nil); err != nil {
		return "", err
	}
	if err := c.call(ctx, "POST", "/api/v1/guidelines/"+g.ID+"/drafts/1/adopt", fac, nil, 201, nil); err != nil {
		return "", err
	}
	return g.ID, nil
}

// load is how hard one endpoint is driven: Requests requests by Workers
// concurrent workers, each request given Timeout, the whole run Budget.
type load struct {
	Requests int
	Workers  int
	Timeout  time.Duration
	Budget   time.Duration
	Warmup   int
}

// result is one endpoint's latencies on one archive.
type result struct {
	Done     int // requests answered in time
	TimedOut int
	Bytes    int // size of an answer's body (decompressed)
	P50, P99 time.Duration
	Err      string
}

// timedOut marks a latency that exceeded the request timeout.
const timedOut = time.Duration(math.MaxInt64)

// measure drives one endpoint and returns its p50 and p99. A request that
// does not answer within the timeout counts as "> timeout", not as an error.
func measure(ctx context.Context, c *client, t target, l load, now func() time.Time) result {
	var res result
	get := func() (time.Duration, int, error) {
		rctx, cancel := context.WithTimeout(ctx, l.Timeout)
		defer cancel()
		if t.Before != nil {
			if err := t.Before(rctx); err != nil {
				return 0, 0, err
			}
		}
		req, err := http.NewRequestWithContext(rctx, "GET", c.base+t.Path, nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+t.Token)
		start := now()
		r, err := c.http.Do(req)
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if err == nil && r.StatusCode != 200 {
				err = fmt.Errorf("status %s", r.Status)
			}
			if err == nil {
				return now().Sub(start), int(n), nil
			}
		}
		if errors.Is(rctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return timedOut, 0, nil
		}
		return 0, 0, err
	}
	for range l.Warmup {
		d, n, err := get()
		if err != nil {
			res.Err = err.Error()
			return res
		}
		if d == timedOut {
			break // no use warming what does not answer
		}
		res.Bytes = n
	}
	deadline := now().Add(l.Budget)
	var (
		next int64
		mu   sync.Mutex
		lats []time.Duration
		wg   sync.WaitGroup
		fail error
	)
	workers := l.Workers
	if t.Workers > 0 {
		workers = t.Workers
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for atomic.AddInt64(&next, 1) <= int64(l.Requests) && now().Before(deadline) {
				d, n, err := get()
				mu.Lock()
				if err != nil && fail == nil {
					fail = err
				}
				if err == nil {
					lats = append(lats, d)
					if d != timedOut && res.Bytes == 0 {
						res.Bytes = n
					}
				}
				stop := fail != nil
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}
	wg.Wait()
	if fail != nil {
		res.Err = fail.Error()
		return res
	}
	slices.Sort(lats)
	for _, d := range lats {
		if d == timedOut {
			res.TimedOut++
		} else {
			res.Done++
		}
	}
	res.P50, res.P99 = percentile(lats, 0.50), percentile(lats, 0.99)
	return res
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return timedOut
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
