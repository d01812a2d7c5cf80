package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/clocktest"
	"github.com/rcm-iom/consenso/internal/demo"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
	"github.com/rcm-iom/consenso/internal/store/storetest"
)

func TestLoad(t *testing.T) {
	clk := clocktest.New()
	st := storetest.MustOpen(t, clk.Now)
	tokens, _ := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"), time.Minute, clk.Now)
	svc := service.New(service.Config{Store: st, Tokens: tokens, Now: clk.Now, Argon2: auth.FastArgon2})
	ctx := context.Background()
	admin, _, created, err := svc.BootstrapAdmin(ctx, "admin@example.org", "a long enough password")
	if err != nil || !created {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := demo.Load(ctx, svc, auth.Principal{ID: admin.ID, Role: admin.Role}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "facilitator@demo.consenso.local") {
		t.Fatalf("accounts not printed:\n%s", out.String())
	}
	p := auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}
	gs, _, err := svc.Guidelines(ctx, p, service.Page{Limit: 10})
	if err != nil || len(gs) != 1 {
		t.Fatalf("guidelines = %v, %v", gs, err)
	}
	if _, err := svc.ApprovedVersion(ctx, p, gs[0].ID, 1); err != nil {
		t.Fatalf("approved version 1: %v", err)
	}
	cs, err := svc.Clauses(ctx, p, gs[0].ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	count := map[drafting.Status]int{}
	for _, c := range cs {
		count[c.Status]++
	}
	// 25 clauses of the text and 10 actions of the plan (3 adopted with
	// chapter I, 3 more agreed, 1 contested).
	if len(cs) != 35 || count[drafting.StatusAgreed] != 11 || count[drafting.StatusSilence] != 1 || count[drafting.StatusContested] != 2 || count[drafting.StatusConsensus] != 2 {
		t.Fatalf("%d clauses, statuses %v", len(cs), count)
	}
	gid := gs[0].ID
	ins, _, err := svc.Inputs(ctx, p, gid, service.InputQuery{}, service.Page{Limit: 200})
	if err != nil || len(ins) != 16 {
		t.Fatalf("%d inputs, %v", len(ins), err)
	}
	open, _, err := svc.Inputs(ctx, p, gid, service.InputQuery{Kind: drafting.InputChallenge, Unaddressed: true}, service.Page{Limit: 200})
	if err != nil || len(open) != 1 || open[0].Country != "BZ" {
		t.Fatalf("unaddressed challenges = %v, %v", open, err)
	}
	acts, _, err := svc.Actions(ctx, p, gid, service.Page{Limit: 200})
	if err != nil || len(acts) != 10 {
		t.Fatalf("%d actions, %v", len(acts), err)
	}
	prog, err := svc.Progress(ctx, p, gid, service.Page{})
	if err != nil || len(prog.Rows) != 3 || prog.Rows[0].Reports["CR"] == nil || prog.Rows[0].Reports["CR"].Status != drafting.ProgressDone {
		t.Fatalf("progress = %+v, %v", prog, err)
	}

	// One of each piece of diplomatic practice.
	m, err := svc.ConsensusMatrix(ctx, p, gs[0].ID, service.MatrixQuery{}, service.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var adRef, alternatives int
	for _, row := range m.Clauses {
		adRef += len(row.AdReferendum)
		alternatives += len(row.Alternatives)
	}
	if adRef != 1 || alternatives != 2 {
		t.Fatalf("ad referendum agreements %d, alternatives %d", adRef, alternatives)
	}
	var pending int
	for _, c := range cs {
		pending += len(c.AlignmentPending)
	}
	if pending != 1 {
		t.Fatalf("languages pending alignment: %d", pending)
	}
	changed, _, err := svc.Comments(ctx, p, service.CommentQuery{GuidelineID: gs[0].ID, Anchor: "changed"}, service.Page{Limit: 50})
	if err != nil || len(changed) != 1 {
		t.Fatalf("comments whose anchor changed: %d, %v", len(changed), err)
	}
	dd, err := svc.Draft(ctx, p, gs[0].ID, 3, drafting.ViewAccepted)
	if err != nil {
		t.Fatal(err)
	}
	amended := 0
	for _, sec := range dd.Document.Sections {
		for _, c := range sec.Clauses {
			if c.Amended {
				amended++
			}
		}
	}
	if amended != 2 || dd.Draft.Label != "Draft before Session 3" {
		t.Fatalf("draft %q read as if accepted: %d clauses amended", dd.Draft.Label, amended)
	}
}
