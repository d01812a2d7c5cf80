package service_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// TestTextRuleHoldsWithoutHTTP calls the use cases directly, as a caller
// that skips the HTTP decoder would: the text rule still refuses a NUL or
// a bidi override in every free text (and in the credentials of sign-in),
// and a forged cursor, with 422 before any query — on PostgreSQL a NUL
// reaching a query is an error, which would be a 500.
func TestTextRuleHoldsWithoutHTTP(t *testing.T) {
	ctx := context.Background()
	svc := openWorld(t).service()
	admin, _, _, err := svc.BootstrapAdmin(ctx, "admin@example.org", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	ap := auth.Principal{ID: admin.ID, Role: drafting.RoleAdmin}
	head, err := svc.CreateUser(ctx, ap, service.NewUser{Email: "head@example.org", Name: "Head BZ", Password: "a long enough password",
		Role: drafting.RoleDelegate, Country: "BZ", HeadOfDelegation: true})
	if err != nil {
		t.Fatal(err)
	}
	hp := auth.Principal{ID: head.ID, Role: drafting.RoleDelegate, Country: "BZ", HeadOfDelegation: true}
	g, err := svc.CreateGuideline(ctx, ap, service.NewGuideline{Title: drafting.Text{"en": "Guidelines"}, Languages: []string{"en"}, Participants: []string{"BZ"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := svc.CreateSection(ctx, ap, g.ID, drafting.Text{"en": "I. Identification"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := svc.CreateClause(ctx, ap, g.ID, service.NewClause{SectionID: sec.ID, Text: drafting.Text{"en": "States shall inform."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenClause(ctx, ap, cl.ID, service.AnyRevision); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"abc\x00def", "we agree\u202e"} {
		calls := map[string]func() error{
			"login_email": func() error { _, err := svc.Login(ctx, bad, "x", "192.0.2.1"); return err },
			"login_password": func() error {
				_, err := svc.Login(ctx, "head@example.org", bad, "192.0.2.1")
				return err
			},
			"client_id": func() error { _, err := svc.ClientToken(ctx, bad, "x", "192.0.2.1"); return err },
			"user_name": func() error {
				_, err := svc.CreateUser(ctx, ap, service.NewUser{Email: "n@example.org", Name: bad, Password: "a long enough password", Role: drafting.RoleObserver})
				return err
			},
			"country_name": func() error {
				_, err := svc.CreateCountry(ctx, ap, drafting.Country{Code: "CA", Name: bad, Language: "en"})
				return err
			},
			"guideline_title": func() error {
				_, err := svc.CreateGuideline(ctx, ap, service.NewGuideline{Title: drafting.Text{"en": bad}, Languages: []string{"en"}, Participants: []string{"BZ"}})
				return err
			},
			"section_title": func() error { _, err := svc.CreateSection(ctx, ap, g.ID, drafting.Text{"en": bad}, 0); return err },
			"clause_text": func() error {
				_, err := svc.CreateClause(ctx, ap, g.ID, service.NewClause{SectionID: sec.ID, Text: drafting.Text{"en": bad}})
				return err
			},
			"version_note": func() error {
				_, err := svc.UpdateText(ctx, ap, cl.ID, service.AnyRevision, service.TextChange{Text: drafting.Text{"en": "New."}, Note: bad})
				return err
			},
			"comment_body": func() error {
				_, err := svc.CreateComment(ctx, hp, cl.ID, drafting.CommentInput{Body: bad}, service.Idempotency{})
				return err
			},
			"comment_quote": func() error {
				_, err := svc.CreateComment(ctx, hp, cl.ID, drafting.CommentInput{Body: "b", Quote: bad}, service.Idempotency{})
				return err
			},
			"reservation": func() error {
				_, err := svc.SetPosition(ctx, hp, cl.ID, "BZ", drafting.PositionInput{Stance: drafting.StanceAgreeReservation, ClauseVersion: 1, Reservation: bad})
				return err
			},
			"draft_label": func() error { _, err := svc.CreateDraft(ctx, ap, g.ID, bad); return err },
			"integration_name": func() error {
				_, _, err := svc.CreateIntegration(ctx, ap, bad)
				return err
			},
		}
		for name, call := range calls {
			var de *drafting.Error
			if err := call(); !errors.As(err, &de) || de.Kind != drafting.KindInvalid || de.Code != drafting.CodeInvalidCharacter {
				t.Errorf("%s with %q: %v, want 422 %s", name, bad, err, drafting.CodeInvalidCharacter)
			}
		}
	}

	forged := base64.RawURLEncoding.EncodeToString([]byte(`"a\u0000"`))
	if _, _, err := svc.Users(ctx, ap, service.Page{Limit: 10, Cursor: forged}); !drafting.IsKind(err, drafting.KindInvalid) {
		t.Errorf("forged users cursor: %v", err)
	}
	huge := base64.RawURLEncoding.EncodeToString([]byte(`99999999999`))
	if _, _, err := svc.Versions(ctx, ap, cl.ID, service.Page{Limit: 10, Cursor: huge}); !drafting.IsKind(err, drafting.KindInvalid) {
		t.Errorf("out-of-range versions cursor: %v", err)
	}
}
