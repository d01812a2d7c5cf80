package e2e_test

import (
	"strconv"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// selectWords selects the first n words of the clause's text in lang, as
// a person dragging over them would, and tells the page (mouseup).
func selectWords(lang string, n int) string {
	return `(() => {
		const p = document.querySelector('[data-testid="text-` + lang + `"]');
		if (!p || !p.firstChild) return false;
		const node = p.firstChild;
		const words = node.textContent.split(" ").slice(0, ` + itoa(n) + `).join(" ");
		const r = document.createRange();
		r.setStart(node, 0);
		r.setEnd(node, words.length);
		const s = getSelection();
		s.removeAllRanges();
		s.addRange(r);
		p.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
		return words;
	})()`
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestAmendmentQuoteResolveHistory: a delegate quotes words of the text and
// proposes an amendment, seen as a diff against the current text; the
// facilitator incorporates it (the comment is marked incorporated), resolves
// another comment with a note, and the version history shows the word diff.
func TestAmendmentQuoteResolveHistory(t *testing.T) {
	e := newEnv(t)
	c := e.clausesIn(drafting.StatusOpen)[0]
	d, f := e.page(), e.page()
	e.signIn(d, delegateCR, "en")
	e.signIn(f, facilitatorEmail, "en")
	e.route(d, "/clauses/"+c.ID)
	e.route(f, "/clauses/"+c.ID)
	e.do(d, visible(`[data-testid="clause-page"]`), visible(liveConnected))
	e.do(f, visible(`[data-testid="clause-page"]`), visible(liveConnected))

	// A plain comment, for the facilitator to resolve.
	plain := "Costa Rica will consult its consular network."
	e.do(d, fill("#comment-body", plain), click(`[data-testid="post-comment"]`), waitFor(commentShown(plain)))

	// Quote the first words, then propose an amendment.
	quote := eval[string](e, d, selectWords("en", 3))
	if quote == "" {
		t.Fatal("no words selected")
	}
	e.do(d, click(`[data-testid="quote-selection"]`), waitFor(`document.querySelector('[data-testid="comment-quote"]').value === `+js(quote)))
	proposedEN := c.Text["en"] + " Consular officers shall record each case."
	proposedES := c.Text["es"] + " Los funcionarios consulares registrarán cada caso."
	amendment := "Costa Rica proposes to require a record of each case."
	e.do(d,
		choose("#comment-kind", "amendment"),
		visible(`[data-testid="amendment-editor"]`),
		fill("#proposed-en", proposedEN),
		fill("#proposed-es", proposedES),
		waitFor(`[...document.querySelectorAll('[data-testid="amendment-preview"] ins')].some(n => n.textContent.includes("record"))`),
		fill("#comment-body", amendment),
	)
	runAxe(d, t, "amendment editor")
	screenshot(d, t, "amendment")
	e.do(d, click(`[data-testid="post-comment"]`), waitFor(commentShown(amendment)))
	e.do(d, waitFor(`[...document.querySelectorAll('[data-testid="comment"]')].some(c => c.querySelector("blockquote.quote")?.textContent.includes(`+js(quote)+`) && c.querySelector(".amendment-diff ins"))`))

	// The facilitator incorporates it: the editor opens with the proposed text.
	e.do(f,
		waitFor(commentShown(amendment)),
		waitFor(inComment(amendment, `[data-testid="incorporate"]`)),
		visible(`[data-testid="text-editor"]`),
		waitFor(`document.querySelector("#edit-en").value === `+js(proposedEN)),
		fill("#edit-note", "Incorporates Costa Rica's amendment"),
		click(`[data-testid="save-text"]`),
		visible(clauseVersion(c.Version+1)),
		waitFor(`[...document.querySelectorAll('[data-testid="comment"].comment-incorporated')].some(c => c.textContent.includes(`+js(amendment)+`))`),
	)
	// The delegate's page follows live.
	e.do(d, visible(clauseVersion(c.Version+1)), waitFor(`document.querySelector('[data-testid="text-en"]').textContent === `+js(proposedEN)))

	// Resolve the plain comment with a note.
	note := "Noted; the network's answer is awaited."
	e.do(f,
		waitFor(inComment(plain, `[data-testid="resolve-comment"]`)),
		fill(`.resolve-form textarea`, note),
		click(`[data-testid="confirm-resolve"]`),
		waitFor(`[...document.querySelectorAll('[data-testid="comment"] .resolution')].some(r => r.textContent.includes(`+js(note)+`))`),
	)
	e.do(d, waitFor(`[...document.querySelectorAll('[data-testid="comment"] .resolution')].some(r => r.textContent.includes(`+js(note)+`))`))

	// The history compares the two versions word by word.
	e.do(f, visible(`[data-testid="version-compare"]`),
		waitFor(`[...document.querySelectorAll('[data-testid="version-compare"] ins')].some(n => n.textContent.includes("record"))`))
	runAxe(f, t, "clause with history")
	screenshot(f, t, "clause-facilitator")
}
