package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rcm-iom/consenso/internal/demo"
)

// focused waits until the focused element matches sel.
func focused(sel string) chromedp.Action[chromedp.Void] {
	return waitFor(`document.activeElement && document.activeElement.matches(` + js(sel) + `)`)
}

// press sends keys to whatever has the focus, as a keyboard does.
func press(keys string) chromedp.Action[chromedp.Void] { return chromedp.KeyEvent(keys) }

// TestKeyboardOnly: a person without a mouse signs in with Tab, typing and
// Enter, skips the header to the content, and reaches a clause by Tab and
// Enter.
func TestKeyboardOnly(t *testing.T) {
	e := newEnv(t)
	ctx := e.page()
	e.goTo(ctx, "/")
	e.do(ctx, visible("#email"),
		press(kb.Tab), focused("#lang"),
		press(kb.Tab), focused("#email"), press(headMX),
		press(kb.Tab), focused("#password"), press(demoPassword()),
		press(kb.Enter),
		visible("#overview-title"),
		visible("a.clause-link"),
	)
	// The first Tab reaches the skip link, which moves the focus to the content.
	e.do(ctx, press(kb.Tab), focused("a.skip"), press(kb.Enter), focused("#main"))
	// Tabbing on reaches the first clause's link; Enter opens it.
	e.do(ctx, tabUntil(ctx, "a.clause-link"), press(kb.Enter), visible(`[data-testid="clause-page"]`))
}

// tabUntil presses Tab until the focus is on an element matching sel (at
// most 60 times).
func tabUntil(_ context.Context, sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for range 60 {
			if _, err := press(kb.Tab)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			ok, err := chromedp.Evaluate[bool](`!!(document.activeElement && document.activeElement.matches(`+js(sel)+`))`)(ctx, t)
			if err != nil {
				return chromedp.Void{}, err
			}
			if ok {
				return chromedp.Void{}, nil
			}
		}
		return chromedp.Void{}, errNotReached(sel)
	}
}

type errNotReached string

func (e errNotReached) Error() string { return "Tab never reached " + string(e) }

func demoPassword() string { return demo.Password }
