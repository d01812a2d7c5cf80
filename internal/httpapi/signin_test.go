package httpapi_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/service"
)

// loginFrom signs in from a client address of its own.
func (e *env) loginFrom(addr, email, password string) *resp {
	e.t.Helper()
	return e.doFrom(addr+":40000", req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"email": email, "password": password}})
}

// TestSigninLimits: wrong passwords count per (account, client address) and
// per address (issue 10, item 7).
func TestSigninLimits(t *testing.T) {
	const attacker, owner = "203.0.113.66", "198.51.100.20"
	t.Run("failures_elsewhere_never_lock_the_owner_out", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		head := e.mustUser(admin, drafting.RoleDelegate, "BZ", true)
		for i := range 5 {
			e.loginFrom(attacker, head.Email, "guess number "+strconv.Itoa(i)).wantProblem(401, "auth.invalid_credentials")
		}
		r := e.loginFrom(attacker, head.Email, head.Password).wantProblem(429, "auth.rate_limited")
		if n, err := strconv.Atoi(r.Header().Get("Retry-After")); err != nil || n < 1 {
			t.Fatalf("Retry-After = %q", r.Header().Get("Retry-After"))
		}
		// The head of delegation, from their own address, signs in at once,
		// however many times the attacker keeps trying.
		for range 3 {
			e.loginFrom(attacker, head.Email, "yet another guess").wantProblem(429, "auth.rate_limited")
			e.loginFrom(owner, head.Email, head.Password).want(200)
		}
	})
	t.Run("owner_typos_do_not_lock_the_owner_out_for_long", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		d := e.mustUser(admin, drafting.RoleDelegate, "CR", false)
		for range 4 {
			e.loginFrom(owner, d.Email, "a typo in the passphrase").wantProblem(401, "auth.invalid_credentials")
		}
		e.loginFrom(owner, d.Email, d.Password).want(200) // forgets this address's failures on d
		for range 5 {
			e.loginFrom(owner, d.Email, "a typo in the passphrase").wantProblem(401, "auth.invalid_credentials")
		}
		e.loginFrom(owner, d.Email, d.Password).wantProblem(429, "auth.rate_limited")
	})
	t.Run("parallel_guesses_cannot_slip_past_the_limit", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		d := e.mustUser(admin, drafting.RoleDelegate, "GT", false)
		const n = 16
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codes[i] = e.loginFrom(attacker, d.Email, "parallel guess "+strconv.Itoa(i)).Code
			})
		}
		wg.Wait()
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		// The clock stands still: exactly the burst of five is checked.
		if count[401] != 5 || count[429] != n-5 {
			t.Fatalf("answers %v, want 5×401 and %d×429", count, n-5)
		}
		e.loginFrom(owner, d.Email, d.Password).want(200)
	})
	t.Run("one_address_trying_many_accounts_is_stopped", func(t *testing.T) {
		e := newEnv(t)
		admin := e.mustAdmin()
		var users []account
		for range 20 {
			users = append(users, e.mustUser(admin, drafting.RoleObserver, "", false))
		}
		for _, u := range users {
			e.loginFrom(attacker, u.Email, "one guess each").wantProblem(401, "auth.invalid_credentials")
		}
		e.loginFrom(attacker, users[0].Email, users[0].Password).wantProblem(429, "auth.rate_limited")
		e.loginFrom(owner, users[0].Email, users[0].Password).want(200)
	})
}

// hashHold lets a test hold the server's only password-hashing slot.
type hashHold struct {
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func newHashHold() *hashHold {
	return &hashHold{entered: make(chan struct{}), release: make(chan struct{})}
}

// hook runs inside every hash; when armed, it reports and waits.
func (h *hashHold) hook() {
	if h.armed.CompareAndSwap(true, false) {
		close(h.entered)
		<-h.release
	}
}

// oneHashSlot configures a single hashing slot, a short wait for it, and
// the hold's hook.
func oneHashSlot(h *hashHold) func(*service.Config) {
	return func(c *service.Config) {
		c.HashSlots = 1
		c.HashWait = 1 // a nanosecond: the slot is held, so waiting longer changes nothing
		c.OnHash = h.hook
	}
}

// TestHashingBound: password hashes run a few at a time; a request finding
// every slot taken is told to come back (issue 10, item 8).
func TestHashingBound(t *testing.T) {
	hold := newHashHold()
	e := newEnv(t, oneHashSlot(hold))
	admin := e.mustAdmin()
	d := e.mustUser(admin, drafting.RoleDelegate, "HN", false)
	usersBefore := len(e.do(req{method: "GET", path: "/api/v1/users", token: admin.Token}).want(200).JSON()["items"].([]any))

	// A sign-in takes the only slot and stays inside the hash.
	hold.armed.Store(true)
	first := make(chan int)
	go func() { first <- e.loginFrom("198.51.100.1", d.Email, d.Password).Code }()
	<-hold.entered

	busy := func(r *resp) {
		t.Helper()
		r.wantProblem(503, "auth.busy")
		if r.Header().Get("Retry-After") != "1" {
			t.Fatalf("Retry-After = %q, want 1", r.Header().Get("Retry-After"))
		}
	}
	t.Run("sign_in_is_503_with_retry_after", func(t *testing.T) {
		for range 8 { // more than the limit allows failures: busy answers are not failures
			busy(e.loginFrom("198.51.100.2", d.Email, "a wrong password"))
		}
		busy(e.loginFrom("198.51.100.3", d.Email, d.Password))
	})
	t.Run("creating_a_user_is_503_and_creates_nothing", func(t *testing.T) {
		busy(e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token,
			body: map[string]any{"email": "late@example.org", "name": "Late", "password": "a long enough password", "role": "observer"}}))
		if n := len(e.do(req{method: "GET", path: "/api/v1/users", token: admin.Token}).want(200).JSON()["items"].([]any)); n != usersBefore {
			t.Fatalf("%d users, want %d", n, usersBefore)
		}
	})
	t.Run("changing_a_password_is_503_and_changes_nothing", func(t *testing.T) {
		before := e.do(req{method: "GET", path: "/api/v1/users/" + d.ID, token: admin.Token}).want(200).Body.String()
		busy(e.do(req{method: "PATCH", path: "/api/v1/users/" + d.ID, token: admin.Token,
			body: map[string]any{"password": "another long passphrase"}}))
		if after := e.do(req{method: "GET", path: "/api/v1/users/" + d.ID, token: admin.Token}).want(200).Body.String(); after != before {
			t.Fatalf("account changed:\n%s\n%s", before, after)
		}
	})
	t.Run("the_held_sign_in_completes", func(t *testing.T) {
		close(hold.release)
		if code := <-first; code != 200 {
			t.Fatalf("held sign-in answered %d", code)
		}
	})
	t.Run("busy_answers_counted_as_no_failure", func(t *testing.T) {
		// Eight busy answers to wrong passwords from .2 left its slots alone.
		for range 5 {
			e.loginFrom("198.51.100.2", d.Email, "a wrong password").wantProblem(401, "auth.invalid_credentials")
		}
		e.loginFrom("198.51.100.3", d.Email, d.Password).want(200)
		e.login(d.Email, d.Password).want(200) // the old password still works
	})
}

// TestAccountSafety: passwords that are only spaces are refused, and the last
// active admin cannot step down (issue 10, item 10).
func TestAccountSafety(t *testing.T) {
	e := newEnv(t)
	admin := e.mustAdmin()
	users := func() string {
		return e.do(req{method: "GET", path: "/api/v1/users", token: admin.Token}).want(200).Body.String()
	}
	blanks := []string{"            ", "\t\t\t\t\t\t\t\t\t\t\t\t", "\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000", " \n \n \n \n \n \n "}

	t.Run("whitespace_password_refused_on_create", func(t *testing.T) {
		before := users()
		for _, pw := range blanks {
			r := e.do(req{method: "POST", path: "/api/v1/users", token: admin.Token,
				body: map[string]any{"email": "blank@example.org", "name": "Blank", "password": pw, "role": "observer"}}).
				wantProblem(422, "user.invalid")
			checkFieldErrors(t, r, "password")
		}
		if after := users(); after != before {
			t.Fatal("a refused creation changed the accounts")
		}
	})
	t.Run("whitespace_password_refused_on_change", func(t *testing.T) {
		u := e.mustUser(admin, drafting.RoleObserver, "", false)
		path := "/api/v1/users/" + u.ID
		before := e.do(req{method: "GET", path: path, token: admin.Token}).want(200).Body.String()
		for _, pw := range blanks {
			r := e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"password": pw}}).
				wantProblem(422, "user.invalid")
			checkFieldErrors(t, r, "password")
		}
		if after := e.do(req{method: "GET", path: path, token: admin.Token}).want(200).Body.String(); after != before {
			t.Fatalf("a refused change changed the account:\n%s\n%s", before, after)
		}
		e.login(u.Email, u.Password).want(200)
		e.refresh(u.Refresh).want(200) // sign-ins were not ended
	})
	t.Run("whitespace_password_refused_for_the_first_admin", func(t *testing.T) {
		fresh := newEnv(t)
		_, _, created, err := fresh.svc.BootstrapAdmin(context.Background(), "first@example.org", blanks[0])
		if !drafting.IsKind(err, drafting.KindInvalid) || created {
			t.Fatalf("BootstrapAdmin with a blank password: created=%v err=%v", created, err)
		}
		fresh.login("first@example.org", blanks[0]).wantProblem(401, "auth.invalid_credentials")
		if _, _, created, err := fresh.svc.BootstrapAdmin(context.Background(), "first@example.org", "a proper admin passphrase"); err != nil || !created {
			t.Fatalf("the database is not empty after the refusal: created=%v err=%v", created, err)
		}
	})
	t.Run("last_admin_cannot_demote_or_disable_themselves", func(t *testing.T) {
		path := "/api/v1/users/" + admin.ID
		before := e.do(req{method: "GET", path: path, token: admin.Token}).want(200).Body.String()
		for _, body := range []map[string]any{
			{"active": false},
			{"role": "facilitator"},
			{"role": "observer", "active": false},
			{"role": "delegate", "country": "BZ", "head_of_delegation": true},
		} {
			e.do(req{method: "PATCH", path: path, token: admin.Token, body: body}).wantProblem(409, "user.last_admin")
		}
		if after := e.do(req{method: "GET", path: path, token: admin.Token}).want(200).Body.String(); after != before {
			t.Fatalf("a refused change changed the admin:\n%s\n%s", before, after)
		}
		// Other changes to the last admin are fine.
		e.do(req{method: "PATCH", path: path, token: admin.Token, body: map[string]any{"name": "Chair"}}).want(200)
		e.me(admin.Token).want(200)
	})
	t.Run("an_admin_may_step_down_while_another_remains", func(t *testing.T) {
		second := e.mustUser(admin, drafting.RoleAdmin, "", false)
		e.do(req{method: "PATCH", path: "/api/v1/users/" + admin.ID, token: admin.Token, body: map[string]any{"role": "facilitator"}}).want(200)
		// Now the second is the last one.
		e.do(req{method: "PATCH", path: "/api/v1/users/" + second.ID, token: second.Token, body: map[string]any{"active": false}}).
			wantProblem(409, "user.last_admin")
		e.do(req{method: "PATCH", path: "/api/v1/users/" + admin.ID, token: second.Token, body: map[string]any{"role": "admin"}}).want(200)
	})
	t.Run("two_admins_stepping_down_at_once_leave_one", func(t *testing.T) {
		f := newEnv(t)
		a := f.mustAdmin()
		b := f.mustUser(a, drafting.RoleAdmin, "", false)
		for round := range 3 {
			codes := make([]int, 2)
			var wg sync.WaitGroup
			for i, who := range []account{a, b} {
				wg.Go(func() {
					codes[i] = f.do(req{method: "PATCH", path: "/api/v1/users/" + who.ID, token: who.Token,
						body: map[string]any{"role": "facilitator"}}).Code
				})
			}
			wg.Wait()
			if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
				t.Fatalf("round %d: answers %v, want one 200 and one 409", round, codes)
			}
			// Put the one who stepped down back, for the next round.
			stayed, left := a, b
			if codes[0] == 200 {
				stayed, left = b, a
			}
			f.do(req{method: "PATCH", path: "/api/v1/users/" + left.ID, token: stayed.Token, body: map[string]any{"role": "admin"}}).want(200)
		}
	})
}
