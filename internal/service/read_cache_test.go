package service_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// TestClauseReadsFollowOtherReplicas: two services on one database stand
// for two replicas. Replica A keeps what it read of a clause, of the clause
// list and of the comment counts; every change made through replica B — new
// wording, a comment, a status,
// a clause moved, a section inserted before (renumbering) — shows in A's
// next read exactly as a replica that keeps nothing reads it.
func TestClauseReadsFollowOtherReplicas(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t)
	replica := w.service
	a, b := replica(), replica()
	n := negotiate(t, a)
	fp, g, s1 := n.facilitator, n.guideline, n.section
	c1, c2 := n.clause(t, a, "States shall inform."), n.clause(t, a, "States shall train.")

	same := func(step string) {
		t.Helper()
		fresh := replica() // keeps nothing yet
		for _, id := range []string{c1.ID, c2.ID} {
			got, err := a.Clause(ctx, fp, id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.Clause(ctx, fp, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s: replica A's clause differs from a fresh read (-fresh +A)\n%s", step, diff)
			}
		}
		for _, page := range []service.Page{{}, {Limit: 1}} {
			got, gotNext, err := a.ClausesWhere(ctx, fp, g.ID, service.ClauseQuery{}, page)
			if err != nil {
				t.Fatal(err)
			}
			want, wantNext, err := fresh.ClausesWhere(ctx, fp, g.ID, service.ClauseQuery{}, page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" || gotNext != wantNext {
				t.Fatalf("%s: replica A's clause list differs from a fresh read (-fresh +A)\n%s", step, diff)
			}
			gotC, gotNext, err := a.CommentCounts(ctx, fp, g.ID, page)
			if err != nil {
				t.Fatal(err)
			}
			wantC, wantNext, err := fresh.CommentCounts(ctx, fp, g.ID, page)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantC, gotC); diff != "" || gotNext != wantNext {
				t.Fatalf("%s: replica A's comment counts differ from a fresh read (-fresh +A)\n%s", step, diff)
			}
		}
	}
	same("created")
	same("read twice") // from what A keeps

	if _, err := b.UpdateText(ctx, fp, c1.ID, service.AnyRevision, service.TextChange{Text: drafting.Text{"en": "States shall promptly inform."}}); err != nil {
		t.Fatal(err)
	}
	same("wording changed on B")
	if _, err := b.CreateComment(ctx, fp, c1.ID, drafting.CommentInput{Body: "The chair notes.", Kind: drafting.CommentKind("general")}, service.Idempotency{}); err != nil {
		t.Fatal(err)
	}
	same("commented on B")
	if _, err := b.OpenClause(ctx, fp, c2.ID, service.AnyRevision); err != nil {
		t.Fatal(err)
	}
	same("opened on B")
	if _, err := b.MoveClause(ctx, fp, c2.ID, s1.ID, 1); err != nil {
		t.Fatal(err)
	}
	same("moved on B")
	if _, err := b.CreateSection(ctx, fp, g.ID, drafting.Text{"en": "Preamble"}, 1); err != nil {
		t.Fatal(err)
	}
	same("section inserted before on B")
	got, err := a.Clause(ctx, fp, c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != "2.2" || got.Text["en"] != "States shall promptly inform." {
		t.Fatalf("clause read on A = number %s, text %q", got.Number, got.Text["en"])
	}
}
