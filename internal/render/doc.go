// Package render turns a frozen guideline text into the formats the
// negotiation needs: Markdown for e-mail and chat, a standalone HTML page for
// printing and offline reading, and Akoma Ntoso XML for legal archives. It also
// computes the word-level diffs delegations read when a clause changes.
//
// Every renderer is a pure function of its Document so the same draft always
// yields byte-identical output; hashes, caches and "nothing changed" checks
// further up depend on that.
package render
