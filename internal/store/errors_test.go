package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// The store translates what the database says: a missing row is the
// domain's not-found (KindNotFound, "<what>.not_found"), a unique violation
// is IsDuplicate, a foreign-key violation IsForeignKey, and every other
// constraint failure is still an error — on both databases.

func TestNotFound(t *testing.T) {
	s, clk := openStore(t)
	w := mustWorld(t, s, clk.Now())
	missing := newID()
	cases := []struct {
		name string
		code string
		read func(tx *store.Tx) error
	}{
		{"clause", "clause.not_found", func(tx *store.Tx) error { _, err := tx.Clause(missing); return err }},
		{"version", "version.not_found", func(tx *store.Tx) error { _, err := tx.Version(w.Clause.ID, 2); return err }},
		{"comment", "comment.not_found", func(tx *store.Tx) error { _, err := tx.Comment(missing); return err }},
		{"guideline", "guideline.not_found", func(tx *store.Tx) error { _, err := tx.Guideline(missing); return err }},
		{"section", "section.not_found", func(tx *store.Tx) error { _, err := tx.Section(missing); return err }},
		{"draft", "draft.not_found", func(tx *store.Tx) error { _, err := tx.Draft(w.Guideline.ID, 1, true); return err }},
		{"latest_approved", "approved_version.not_found", func(tx *store.Tx) error { _, err := tx.LatestApproved(w.Guideline.ID); return err }},
		{"approved_version", "approved_version.not_found", func(tx *store.Tx) error { _, err := tx.ApprovedVersion(w.Guideline.ID, 1); return err }},
		{"approved_by_draft", "approved_version.not_found", func(tx *store.Tx) error { _, err := tx.ApprovedByDraft(w.Guideline.ID, 1); return err }},
		{"user", "user.not_found", func(tx *store.Tx) error { _, err := tx.User(missing); return err }},
		{"user_by_email", "user.not_found", func(tx *store.Tx) error { _, err := tx.UserByEmail("nobody@example.org"); return err }},
		{"country", "country.not_found", func(tx *store.Tx) error { _, err := tx.Country("ZZ"); return err }},
		{"country_code_is_case_sensitive", "country.not_found", func(tx *store.Tx) error { _, err := tx.Country("cr"); return err }},
		{"refresh_token", "refresh_token.not_found", func(tx *store.Tx) error { _, err := tx.RefreshTokenByHash(missing); return err }},
		{"integration", "integration.not_found", func(tx *store.Tx) error { _, err := tx.Integration(missing); return err }},
		{"integration_by_client_id", "integration.not_found", func(tx *store.Tx) error { _, err := tx.IntegrationByClientID(missing); return err }},
		{"webhook", "webhook.not_found", func(tx *store.Tx) error { _, err := tx.Webhook(missing); return err }},
		{"delivery", "delivery.not_found", func(tx *store.Tx) error { _, err := tx.DeliveryJob(missing); return err }},
		{"idempotency_key", "idempotency_key.not_found", func(tx *store.Tx) error { _, err := tx.IdempotencyKey(missing, "k"); return err }},
		{"stream_ticket", "ticket.not_found", func(tx *store.Tx) error {
			_, err := tx.UseStreamTicket(missing, w.Guideline.ID, clk.Now(), time.Minute)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.name == "stream_ticket" {
				err = tryWrite(s, tc.read)
			} else {
				_, err = tryRead(s, func(tx *store.Tx) (struct{}, error) { return struct{}{}, tc.read(tx) })
			}
			wantKind(t, err, drafting.KindNotFound, tc.code)
		})
	}
}

// violation is how a failed statement must be classified.
type violation int

const (
	duplicate  violation = iota // store.IsDuplicate
	foreignKey                  // store.IsForeignKey
	other                       // an error, but neither of the above (CHECK, NOT NULL)
)

func (v violation) String() string {
	return [...]string{"a duplicate", "a foreign-key violation", "another constraint error"}[v]
}

func classify(err error) violation {
	switch {
	case store.IsDuplicate(err):
		return duplicate
	case store.IsForeignKey(err):
		return foreignKey
	}
	return other
}

func TestConstraintErrors(t *testing.T) {
	s, clk := openStore(t)
	now := clk.Now()
	w := mustWorld(t, s, now)
	missing := newID()
	user := func(role drafting.Role, country string) drafting.User {
		id := newID()
		return drafting.User{ID: id, Email: id + "@example.org", Name: "n", PasswordHash: "h", Role: role, Country: country,
			Active: true, Revision: 1, CreatedAt: now, UpdatedAt: now}
	}
	comment := func() drafting.Comment {
		return drafting.Comment{ID: newID(), GuidelineID: w.Guideline.ID, ClauseID: w.Clause.ID, ClauseVersion: 1,
			AuthorID: w.Delegate.ID, Country: "CR", Kind: drafting.KindGeneral, Body: "b", Status: drafting.CommentOpen,
			Revision: 1, CreatedAt: now, UpdatedAt: now}
	}
	cases := []struct {
		name string
		op   func(tx *store.Tx) error
		want violation
	}{
		// Unique keys.
		{"user_email_taken", func(tx *store.Tx) error {
			u := user(drafting.RoleObserver, "")
			u.Email = w.Delegate.Email
			return tx.CreateUser(u)
		}, duplicate},
		{"user_id_taken", func(tx *store.Tx) error {
			u := user(drafting.RoleObserver, "")
			u.ID = w.Delegate.ID
			return tx.CreateUser(u)
		}, duplicate},
		{"guideline_slug_taken", func(tx *store.Tx) error {
			g := w.Guideline
			g.ID = newID()
			return tx.CreateGuideline(g)
		}, duplicate},
		{"participant_listed_twice", func(tx *store.Tx) error {
			g := w.Guideline
			g.ID, g.Slug, g.Participants = newID(), "s-"+newID(), []string{"CR", "CR"}
			return tx.CreateGuideline(g)
		}, duplicate},
		{"clause_version_taken", func(tx *store.Tx) error {
			return tx.InsertVersion(drafting.Version{ClauseID: w.Clause.ID, Number: 1, Text: drafting.Text{"en": "x"}, AuthorID: w.Facilitator.ID, CreatedAt: now})
		}, duplicate},
		{"country_code_taken", func(tx *store.Tx) error {
			return tx.CreateCountry(drafting.Country{Code: "CR", Name: "Again", Language: "es", CreatedAt: now})
		}, duplicate},
		{"draft_number_taken", func(tx *store.Tx) error {
			d := drafting.Draft{GuidelineID: w.Guideline.ID, Number: 1, Label: "a", CreatedBy: w.Facilitator.ID, CreatedAt: now}
			if err := tx.CreateDraft(d); err != nil {
				return err
			}
			return tx.CreateDraft(d)
		}, duplicate},
		{"refresh_token_hash_taken", func(tx *store.Tx) error {
			rt := store.RefreshToken{ID: newID(), FamilyID: "f", UserID: w.Delegate.ID, TokenHash: "same-" + missing, CreatedAt: now, ExpiresAt: now}
			if err := tx.CreateRefreshToken(rt); err != nil {
				return err
			}
			rt.ID = newID()
			return tx.CreateRefreshToken(rt)
		}, duplicate},
		{"integration_client_id_taken", func(tx *store.Tx) error {
			i := drafting.Integration{ID: newID(), Name: "a", ClientID: "client-" + missing, SecretHash: "h", Active: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateIntegration(i); err != nil {
				return err
			}
			i.ID = newID()
			return tx.CreateIntegration(i)
		}, duplicate},
		{"stream_ticket_hash_taken", func(tx *store.Tx) error {
			tk := store.StreamTicket{Hash: "t-" + missing, Principal: w.Delegate.ID, GuidelineID: w.Guideline.ID, ExpiresAt: now}
			if err := tx.CreateStreamTicket(tk); err != nil {
				return err
			}
			return tx.CreateStreamTicket(tk)
		}, duplicate},

		// Foreign keys.
		{"user_of_unknown_country", func(tx *store.Tx) error { return tx.CreateUser(user(drafting.RoleDelegate, "ZZ")) }, foreignKey},
		{"guideline_by_unknown_user", func(tx *store.Tx) error {
			g := w.Guideline
			g.ID, g.Slug, g.CreatedBy, g.Participants = newID(), "s-"+newID(), missing, nil
			return tx.CreateGuideline(g)
		}, foreignKey},
		{"participant_of_unknown_country", func(tx *store.Tx) error {
			g := w.Guideline
			g.ID, g.Slug, g.Participants = newID(), "s-"+newID(), []string{"ZZ"}
			return tx.CreateGuideline(g)
		}, foreignKey},
		{"section_of_unknown_guideline", func(tx *store.Tx) error {
			return tx.InsertSection(drafting.Section{ID: newID(), GuidelineID: missing, Title: drafting.Text{"en": "t"}, Position: 1, CreatedAt: now})
		}, foreignKey},
		{"clause_in_unknown_section", func(tx *store.Tx) error {
			c := w.Clause
			c.ID, c.SectionID = newID(), missing
			return tx.InsertClause(c)
		}, foreignKey},
		{"version_of_unknown_clause", func(tx *store.Tx) error {
			return tx.InsertVersion(drafting.Version{ClauseID: missing, Number: 1, Text: drafting.Text{"en": "x"}, AuthorID: w.Facilitator.ID, CreatedAt: now})
		}, foreignKey},
		{"version_by_unknown_author", func(tx *store.Tx) error {
			return tx.InsertVersion(drafting.Version{ClauseID: w.Clause.ID, Number: 9, Text: drafting.Text{"en": "x"}, AuthorID: missing, CreatedAt: now})
		}, foreignKey},
		{"comment_on_unknown_clause", func(tx *store.Tx) error { c := comment(); c.ClauseID = missing; return tx.InsertComment(c) }, foreignKey},
		{"comment_on_unknown_version", func(tx *store.Tx) error { c := comment(); c.ClauseVersion = 9; return tx.InsertComment(c) }, foreignKey},
		{"comment_by_unknown_author", func(tx *store.Tx) error { c := comment(); c.AuthorID = missing; return tx.InsertComment(c) }, foreignKey},
		{"reply_to_unknown_comment", func(tx *store.Tx) error { c := comment(); c.ParentID = missing; return tx.InsertComment(c) }, foreignKey},
		{"position_of_unknown_country", func(tx *store.Tx) error {
			return tx.InsertPositions(w.Clause.ID, []drafting.Position{{ID: newID(), Country: "ZZ", ClauseVersion: 1,
				Stance: drafting.StanceAgree, RecordedBy: w.Facilitator.ID, CreatedAt: now}})
		}, foreignKey},
		{"approved_without_draft", func(tx *store.Tx) error {
			return tx.InsertApproved(drafting.Approved{GuidelineID: w.Guideline.ID, Version: 1, DraftNumber: 7, Content: []byte("{}"),
				ContentHash: "h", AdoptedBy: w.Facilitator.ID, AdoptedAt: now})
		}, foreignKey},
		{"refresh_token_of_unknown_user", func(tx *store.Tx) error {
			return tx.CreateRefreshToken(store.RefreshToken{ID: newID(), FamilyID: "f", UserID: missing, TokenHash: newID(), CreatedAt: now, ExpiresAt: now})
		}, foreignKey},
		{"stream_ticket_of_unknown_guideline", func(tx *store.Tx) error {
			return tx.CreateStreamTicket(store.StreamTicket{Hash: newID(), Principal: w.Delegate.ID, GuidelineID: missing, ExpiresAt: now})
		}, foreignKey},

		// CHECK constraints.
		{"delegate_without_country", func(tx *store.Tx) error { return tx.CreateUser(user(drafting.RoleDelegate, "")) }, other},
		{"head_of_delegation_not_a_delegate", func(tx *store.Tx) error {
			u := user(drafting.RoleObserver, "")
			u.HeadOfDelegation = true
			return tx.CreateUser(u)
		}, other},
		{"unknown_role", func(tx *store.Tx) error { return tx.CreateUser(user(drafting.RoleIntegration, "")) }, other},
		{"country_of_unknown_language", func(tx *store.Tx) error {
			return tx.CreateCountry(drafting.Country{Code: "QQ", Name: "Q", Language: "fr", CreatedAt: now})
		}, other},
		{"country_code_of_three_letters", func(tx *store.Tx) error {
			return tx.CreateCountry(drafting.Country{Code: "QQQ", Name: "Q", Language: "en", CreatedAt: now})
		}, other},
		{"silence_without_deadline", func(tx *store.Tx) error {
			c := w.Clause
			c.Status = drafting.StatusSilence
			return tx.SaveClause(c)
		}, other},
		{"deadline_outside_silence", func(tx *store.Tx) error {
			c := w.Clause
			deadline := now.Add(time.Hour)
			c.SilenceDeadline = &deadline
			return tx.SaveClause(c)
		}, other},
		{"unknown_comment_kind", func(tx *store.Tx) error { c := comment(); c.Kind = "rant"; return tx.InsertComment(c) }, other},
		{"unknown_stance", func(tx *store.Tx) error {
			return tx.InsertPositions(w.Clause.ID, []drafting.Position{{ID: newID(), Country: "CR", ClauseVersion: 1,
				Stance: "maybe", RecordedBy: w.Facilitator.ID, CreatedAt: now}})
		}, other},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tryWrite(s, tc.op)
			if err == nil {
				t.Fatalf("no error, want %v", tc.want)
			}
			if got := classify(err); got != tc.want {
				t.Fatalf("err = %v: %v, want %v", err, got, tc.want)
			}
			if tc.want == other && !strings.Contains(strings.ToLower(err.Error()), "check") {
				t.Fatalf("err = %v, want a CHECK violation", err)
			}
			if errors.Is(err, store.ErrConflict) || drafting.IsKind(err, drafting.KindNotFound) {
				t.Fatalf("err = %v, taken for a conflict or a missing row", err)
			}
		})
	}

	// NOT NULL columns the store always fills, written bare on the plain
	// handle (inside Write, a second SQLite writer would wait for the lock).
	for _, tc := range []struct {
		name, sql string
		args      []any
	}{
		{"null_country_name", "INSERT INTO countries (code, name, language, created_at) VALUES ('QQ', NULL, 'en', ?)", []any{now}},
		{"null_event_type", "INSERT INTO events (id, type, subject_id, data, created_at) VALUES (999999, NULL, 'x', '{}', ?)", []any{now}},
		{"null_comment_body", "INSERT INTO comments (id, guideline_id, clause_id, clause_version, author_id, kind, body, status, created_at, updated_at) " +
			"VALUES (?, ?, ?, 1, ?, 'general', NULL, 'open', ?, ?)", []any{newID(), w.Guideline.ID, w.Clause.ID, w.Delegate.ID, now, now}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.DB().Exec(tc.sql, tc.args...).Error
			if err == nil || classify(err) != other || !strings.Contains(strings.ToLower(err.Error()), "null") {
				t.Fatalf("err = %v, want a NOT NULL violation", err)
			}
		})
	}

	// Nothing of the failed transactions was kept.
	t.Run("failed_writes_left_nothing", func(t *testing.T) {
		mustRead(t, s, func(tx *store.Tx) error {
			if n, err := tx.CountUsers(); err != nil || n != 2 {
				t.Errorf("CountUsers = %d, %v; want the world's 2", n, err)
			}
			if cs, err := tx.Countries(); err != nil || len(cs) != 8 {
				t.Errorf("%d countries, %v; want the 8 seeded", len(cs), err)
			}
			if gs, err := tx.Guidelines(nil, 100, false); err != nil || len(gs) != 1 {
				t.Errorf("%d guidelines, %v; want the world's 1", len(gs), err)
			}
			if ds, err := tx.Drafts(w.Guideline.ID, 0, 10); err != nil || len(ds) != 0 {
				t.Errorf("drafts = %v, %v; want none", ds, err)
			}
			if cs, err := tx.Comments(store.CommentFilter{GuidelineID: w.Guideline.ID, Limit: 10}); err != nil || len(cs) != 0 {
				t.Errorf("comments = %v, %v; want none", cs, err)
			}
			if ps, err := tx.CurrentPositions(w.Clause.ID); err != nil || len(ps) != 0 {
				t.Errorf("positions = %v, %v; want none", ps, err)
			}
			if c, err := tx.Clause(w.Clause.ID); err != nil || c.Status != drafting.StatusOpen || c.SilenceDeadline != nil {
				t.Errorf("clause = %+v, %v; want it unchanged", c, err)
			}
			return nil
		})
	})

	// A failing statement fails its whole transaction: what came before it
	// in the same Write is rolled back too.
	t.Run("failure_rolls_back_earlier_statements", func(t *testing.T) {
		first := user(drafting.RoleObserver, "")
		err := tryWrite(s, func(tx *store.Tx) error {
			if err := tx.CreateUser(first); err != nil {
				return err
			}
			dup := user(drafting.RoleObserver, "")
			dup.Email = first.Email
			return tx.CreateUser(dup)
		})
		if !store.IsDuplicate(err) {
			t.Fatalf("err = %v, want a duplicate", err)
		}
		_, err = tryRead(s, func(tx *store.Tx) (drafting.User, error) { return tx.User(first.ID) })
		wantKind(t, err, drafting.KindNotFound, "user.not_found")
	})
}
