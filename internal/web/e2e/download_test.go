package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// download clicks the button sel, which saves a file, and returns the
// file's content once the browser reports the download complete.
func (e *env) download(ctx context.Context, dir, sel string) []byte {
	e.t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(sctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		e.t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(sctx, browser.DownloadProgress) // subscribed before the click
	e.do(ctx, click(sel))
	for ev, err := range progress {
		if err != nil {
			e.t.Fatalf("%s: no completed download: %v\n%s", sel, err, pageState(ctx))
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				e.t.Fatalf("%s: %v", sel, err)
			}
			return b
		case browser.DownloadProgressStateCanceled:
			e.t.Fatalf("%s: download canceled", sel)
		}
	}
	e.t.Fatalf("%s: no download", sel)
	return nil
}

// TestDownloadApproved: every format of the approved text downloads from
// the drafts screen, with the guideline's text in it.
func TestDownloadApproved(t *testing.T) {
	e := newEnv(t)
	f := e.page()
	e.signIn(f, facilitatorEmail, "en")
	e.route(f, "/guidelines/"+e.srv.Guideline+"/drafts")
	e.do(f, visible(`[data-testid="approved"]`))
	dir := t.TempDir()
	for _, c := range []struct{ button, want string }{
		{"download-json", `"en"`},
		{"download-markdown", "Regional Guidelines for the Consular Protection"},
		{"download-html", "<html"},
		{"download-akn-en", "akomaNtoso"},
		{"download-akn-es", "Lineamientos Regionales"},
	} {
		b := e.download(f, dir, `[data-testid="approved"] [data-testid="`+c.button+`"]`)
		if !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d bytes without %q: %.300s", c.button, len(b), c.want, b)
		}
	}
}
