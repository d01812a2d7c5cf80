package service

import (
	"context"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rcm-iom/consenso/internal/auth"
	"github.com/rcm-iom/consenso/internal/drafting"
	"github.com/rcm-iom/consenso/internal/store"
)

// Countries lists the member countries.
func (s *Service) Countries(ctx context.Context, p auth.Principal) ([]drafting.Country, error) {
	var out []drafting.Country
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Countries()
		return err
	})
	return out, err
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// CreateCountry adds a country (admin).
func (s *Service) CreateCountry(ctx context.Context, p auth.Principal, c drafting.Country) (drafting.Country, error) {
	out, err := s.CreateCountryOnce(ctx, p, c, Idempotency{})
	return out.Value, err
}

// CreateCountryOnce is CreateCountry honouring an Idempotency-Key.
func (s *Service) CreateCountryOnce(ctx context.Context, p auth.Principal, c drafting.Country, idem Idempotency) (Created[drafting.Country], error) {
	return createOnce(ctx, s, p, idem, creation[drafting.Country]{
		scope:  "country",
		create: func(u *unit) (drafting.Country, error) { return s.createCountry(u, p, c) },
		ref:    func(c drafting.Country) string { return c.Code },
		load:   (*store.Tx).Country,
	})
}

func (s *Service) createCountry(u *unit, p auth.Principal, c drafting.Country) (drafting.Country, error) {
	if !p.IsAdmin() {
		return c, forbidden("only admins add countries")
	}
	var t drafting.Texts
	c.Code = strings.TrimSpace(t.Plain("code", c.Code))
	c.Name = t.Text("name", c.Name)
	c.Language = t.Plain("language", c.Language)
	if err := t.Err(); err != nil {
		return c, err
	}
	var errs drafting.Fields
	if !countryCode.MatchString(c.Code) {
		errs.Add("code", "must be an ISO 3166-1 alpha-2 code in capitals, e.g. BZ")
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > drafting.MaxTitleLen {
		errs.Add("name", "required, at most 300 characters")
	}
	if !drafting.ValidLanguage(c.Language) {
		errs.Add("language", "must be en or es")
	}
	if err := errs.Err("country.invalid"); err != nil {
		return c, err
	}
	c.CreatedAt = u.now
	if err := u.CreateCountry(c); err != nil {
		if store.IsDuplicate(err) {
			return c, drafting.Errorf(drafting.KindConflict, "country.exists", "country %s already exists", c.Code)
		}
		return c, err
	}
	return c, u.emit(drafting.EventCountryCreated, "", c.Code, map[string]any{"code": c.Code, "name": c.Name})

}

// NewUser is an admin's request to create an account.
type NewUser struct {
	Email            string
	Name             string
	Password         string
	Role             drafting.Role
	Country          string
	HeadOfDelegation bool
}

// maxEmailLen is the longest e-mail address an account may have.
const maxEmailLen = 254

// NormalizeEmail lower-cases and trims an address so sign-in is case-insensitive.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (s *Service) validateAccount(tx *store.Tx, errs *drafting.Fields, role drafting.Role, country string, head bool) error {
	if !drafting.ValidUserRole(role) {
		errs.Add("role", "must be one of admin, facilitator, delegate, observer")
		return nil
	}
	switch {
	case role == drafting.RoleDelegate && country == "":
		errs.Add("country", "required for a delegate")
	case role != drafting.RoleDelegate && country != "":
		errs.Add("country", "only delegates belong to a country")
	case role != drafting.RoleDelegate && head:
		errs.Add("head_of_delegation", "only a delegate can be head of delegation")
	}
	if country != "" {
		codes, err := tx.CountryCodes()
		if err != nil {
			return err
		}
		if !codes[country] {
			errs.Add("country", "unknown country code "+country)
		}
	}
	return nil
}

// CreateUser creates an account (admin).
func (s *Service) CreateUser(ctx context.Context, p auth.Principal, in NewUser) (drafting.User, error) {
	if !p.IsAdmin() {
		return drafting.User{}, forbidden("only admins manage accounts")
	}
	return s.createUser(ctx, p.ID, in)
}

// CreateUserOnce is CreateUser honouring an Idempotency-Key.
func (s *Service) CreateUserOnce(ctx context.Context, p auth.Principal, in NewUser, idem Idempotency) (Created[drafting.User], error) {
	if !p.IsAdmin() {
		return Created[drafting.User]{}, forbidden("only admins manage accounts")
	}
	in, hash, errs, err := s.prepareUser(ctx, in)
	if err != nil {
		return Created[drafting.User]{}, err
	}
	r, err := createOnce(ctx, s, p, idem, creation[drafting.User]{
		scope:  "user",
		create: func(u *unit) (drafting.User, error) { return s.insertUser(u, in, hash, errs) },
		ref:    func(u drafting.User) string { return u.ID },
		load:   (*store.Tx).User,
	})
	return r, s.explainUserRace(ctx, err, in.Email, in.Country)
}

func (s *Service) createUser(ctx context.Context, actor string, in NewUser) (drafting.User, error) {
	in, hash, errs, err := s.prepareUser(ctx, in)
	if err != nil {
		return drafting.User{}, err
	}
	var user drafting.User
	err = s.write(ctx, actor, func(u *unit) error {
		var err error
		user, err = s.insertUser(u, in, hash, errs)
		return err
	})
	return user, s.explainUserRace(ctx, err, in.Email, in.Country)
}

// prepareUser checks what needs no database and hashes the password outside
// any transaction: argon2id takes a good fraction of a second, and a
// transaction must not hold SQLite's write lock that long.
func (s *Service) prepareUser(ctx context.Context, in NewUser) (NewUser, string, drafting.Fields, error) {
	var t drafting.Texts
	in.Email = NormalizeEmail(t.Plain("email", in.Email))
	in.Name = t.Text("name", in.Name)
	t.Plain("password", in.Password)
	t.Plain("role", string(in.Role))
	in.Country = t.Plain("country", in.Country)
	if err := t.Err(); err != nil {
		return in, "", nil, err
	}
	var errs drafting.Fields
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > maxEmailLen {
		errs.Add("email", "must be a plain e-mail address")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > drafting.MaxTitleLen {
		errs.Add("name", "required, at most 300 characters")
	}
	if msg := passwordProblem(in.Password); msg != "" {
		errs.Add("password", msg)
		return in, "", errs, nil
	}
	hash, err := s.hashPassword(ctx, in.Password)
	return in, hash, errs, err
}

// passwordProblem says what is wrong with a new password, or "" when
// nothing is.
func passwordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < auth.MinPasswordLen || len(pw) > 1024:
		return "must be at least 12 characters (and at most 1024 bytes)"
	case strings.TrimFunc(pw, unicode.IsSpace) == "":
		return "must not be only spaces"
	}
	return ""
}

// insertUser checks the account against the database and stores it.
func (s *Service) insertUser(u *unit, in NewUser, hash string, errs drafting.Fields) (drafting.User, error) {
	if err := s.validateAccount(u.Tx, &errs, in.Role, in.Country, in.HeadOfDelegation); err != nil {
		return drafting.User{}, err
	}
	if err := errs.Err("user.invalid"); err != nil {
		return drafting.User{}, err
	}
	user := drafting.User{ID: s.newID(), Email: in.Email, Name: in.Name, PasswordHash: hash, Role: in.Role,
		Country: in.Country, HeadOfDelegation: in.HeadOfDelegation, Active: true, Revision: 1,
		CreatedAt: u.now, UpdatedAt: u.now}
	if headOf(user) != "" {
		// Two unique indexes could refuse the insert: say which one would.
		if _, err := u.UserByEmail(user.Email); err == nil {
			return user, errEmailTaken
		} else if !drafting.IsKind(err, drafting.KindNotFound) {
			return user, err
		}
		if err := checkOneHead(u, user); err != nil {
			return user, err
		}
	}
	if err := u.CreateUser(user); err != nil {
		switch {
		case store.IsDuplicate(err) && headOf(user) != "":
			// Checked above: another account was created meanwhile
			// (explainUserRace says which, once this transaction is over).
			return user, errUserRace
		case store.IsDuplicate(err):
			return user, errEmailTaken
		}
		return user, err
	}
	if err := s.headEvents(u, drafting.User{}, user, false); err != nil {
		return user, err
	}
	return user, u.emit(drafting.EventUserCreated, "", user.ID, map[string]any{"email": user.Email, "role": user.Role, "country": user.Country})
}

// headOf is the country whose head of delegation u is ("" when none): an
// active delegate marked head.
func headOf(u drafting.User) string {
	if u.Active && u.Role == drafting.RoleDelegate && u.HeadOfDelegation {
		return u.Country
	}
	return ""
}

// checkOneHead refuses (409 user.head_exists) to make user the head of
// delegation of a country that has another: a country has one head, so no
// account an admin creates beside it can speak for the country. The index
// users_one_head holds the same rule against concurrent writes.
func checkOneHead(u *unit, user drafting.User) error {
	code := headOf(user)
	if code == "" {
		return nil
	}
	id, err := u.HeadOf(code)
	if err != nil || id == "" || id == user.ID {
		return err
	}
	return headExists(code, id)
}

func headExists(country, headID string) error {
	e := drafting.Errorf(drafting.KindConflict, "user.head_exists",
		"%s already has a head of delegation: make that account no longer head, or disable it, first", country)
	e.Data = map[string]any{"country": country, "head_id": headID}
	return e
}

// errUserRace is an account write a unique index refused after the checks
// before it passed: another write took the e-mail or the head of
// delegation meanwhile. The refused transaction can read no more (on
// PostgreSQL); explainUserRace reads afresh and says which.
var errEmailTaken = drafting.Errorf(drafting.KindConflict, "user.email_taken", "an account with this e-mail already exists")

var errUserRace = drafting.Errorf(drafting.KindConflict, "user.changed", "another account took this e-mail or this head of delegation meanwhile; try again")

// explainUserRace turns errUserRace into the refusal the checks would have
// given, had they run after the other write: user.email_taken, or
// user.head_exists with the country's head. Any other error is returned
// as it is.
func (s *Service) explainUserRace(ctx context.Context, err error, email, country string) error {
	if !errors.Is(err, errUserRace) {
		return err
	}
	var explained error
	rerr := s.read(ctx, func(tx *store.Tx) error {
		if email != "" {
			if _, err := tx.UserByEmail(email); err == nil {
				explained = errEmailTaken
				return nil
			} else if !drafting.IsKind(err, drafting.KindNotFound) {
				return err
			}
		}
		id, err := tx.HeadOf(country)
		if id != "" {
			explained = headExists(country, id)
		}
		return err
	})
	if rerr != nil || explained == nil {
		return err
	}
	return explained
}

// headEvents records, in the guidelines of each country concerned
// (countryEvent), a change an admin made to who heads its delegation: an
// account appointed head, an account that stopped being head (no longer
// head, disabled, moved to another country or role), or a new password set
// for the head. Each changes who may speak for the country, and the
// delegations see it.
func (s *Service) headEvents(u *unit, before, after drafting.User, passwordSet bool) error {
	was, is := headOf(before), headOf(after)
	if was != "" && was != is {
		if err := s.countryEvent(u, drafting.EventHeadChanged, was, map[string]any{"country": was, "user_id": after.ID, "change": "removed"}); err != nil {
			return err
		}
	}
	switch {
	case is != "" && is != was:
		return s.countryEvent(u, drafting.EventHeadChanged, is, map[string]any{"country": is, "user_id": after.ID, "change": "appointed"})
	case is != "" && passwordSet:
		return s.countryEvent(u, drafting.EventHeadChanged, is, map[string]any{"country": is, "user_id": after.ID, "change": "password_set"})
	}
	return nil
}

// Users lists accounts (admin), by email.
func (s *Service) Users(ctx context.Context, p auth.Principal, page Page) ([]drafting.User, string, error) {
	if !p.IsAdmin() {
		return nil, "", forbidden("only admins manage accounts")
	}
	after, err := page.decodeString()
	if err != nil {
		return nil, "", err
	}
	var users []drafting.User
	err = s.read(ctx, func(tx *store.Tx) error {
		users, err = tx.Users(after, page.Limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	users, next := trimPage(users, page.Limit, func(u drafting.User) any { return u.Email })
	return users, next, nil
}

// User reads one account (admin, or the user themself).
func (s *Service) User(ctx context.Context, p auth.Principal, id string) (drafting.User, error) {
	if !p.IsAdmin() && p.ID != id {
		return drafting.User{}, forbidden("only admins manage accounts")
	}
	var u drafting.User
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.User(id)
		return err
	})
	return u, err
}

// UserPatch is a partial update of an account; nil fields stay as they are.
type UserPatch struct {
	Name             *string
	Password         *string
	Role             *drafting.Role
	Country          *string
	HeadOfDelegation *bool
	Active           *bool
}

// UpdateUser changes an account (admin). Disabling a user revokes their
// refresh tokens; their access tokens stop working at once because every
// request reads the account.
func (s *Service) UpdateUser(ctx context.Context, p auth.Principal, id string, patch UserPatch) (drafting.User, error) {
	if !p.IsAdmin() {
		return drafting.User{}, forbidden("only admins manage accounts")
	}
	var t drafting.Texts
	if patch.Name != nil {
		name := t.Text("name", *patch.Name)
		patch.Name = &name
	}
	if patch.Password != nil {
		t.Plain("password", *patch.Password)
	}
	if patch.Role != nil {
		t.Plain("role", string(*patch.Role))
	}
	if patch.Country != nil {
		t.Plain("country", *patch.Country)
	}
	if err := t.Err(); err != nil {
		return drafting.User{}, err
	}
	// Hash outside the transaction (see prepareUser).
	newHash, passwordMsg := "", ""
	if patch.Password != nil {
		if passwordMsg = passwordProblem(*patch.Password); passwordMsg == "" {
			var err error
			if newHash, err = s.hashPassword(ctx, *patch.Password); err != nil {
				return drafting.User{}, err
			}
		}
	}
	var user drafting.User
	err := s.write(ctx, p.ID, func(u *unit) error {
		var err error
		user, err = u.User(id)
		if err != nil {
			return err
		}
		before := user
		var errs drafting.Fields
		changed := map[string]any{}
		if patch.Name != nil {
			n := *patch.Name
			if n == "" || utf8.RuneCountInString(n) > drafting.MaxTitleLen {
				errs.Add("name", "required, at most 300 characters")
			}
			user.Name = n
			changed["name"] = n
		}
		if patch.Password != nil {
			if passwordMsg != "" {
				errs.Add("password", passwordMsg)
			}
			user.PasswordHash = newHash
			changed["password"] = "changed"
		}
		if patch.Role != nil {
			user.Role = *patch.Role
			changed["role"] = user.Role
		}
		if patch.Country != nil {
			user.Country = strings.TrimSpace(*patch.Country)
			changed["country"] = user.Country
		}
		if patch.HeadOfDelegation != nil {
			user.HeadOfDelegation = *patch.HeadOfDelegation
			changed["head_of_delegation"] = user.HeadOfDelegation
		}
		if patch.Active != nil {
			user.Active = *patch.Active
			changed["active"] = user.Active
		}
		if err := s.validateAccount(u.Tx, &errs, user.Role, user.Country, user.HeadOfDelegation); err != nil {
			return err
		}
		if err := errs.Err("user.invalid"); err != nil {
			return err
		}
		if err := keepAnAdmin(u, before, user); err != nil {
			return err
		}
		if headOf(user) != headOf(before) {
			if err := checkOneHead(u, user); err != nil {
				return err
			}
		}
		user.Revision++
		user.UpdatedAt = u.now
		if err := u.UpdateUser(user); err != nil {
			switch {
			case errors.Is(err, store.ErrConflict):
				return drafting.Errorf(drafting.KindConflict, "user.changed", "the account changed meanwhile; try again")
			case store.IsDuplicate(err): // users_one_head: a head appointed meanwhile
				return errUserRace
			}
			return err
		}
		if !user.Active || patch.Password != nil {
			if err := u.RevokeUserRefreshTokens(user.ID, u.now); err != nil {
				return err
			}
		}
		revoked, err := s.endDesignations(u, before, user, patch.Password != nil)
		if err != nil {
			return err
		}
		if err := s.headEvents(u, before, user, patch.Password != nil); err != nil {
			return err
		}
		for _, r := range revoked {
			if err := s.countryEvent(u, drafting.EventAlternateRevoked, r.country, map[string]any{
				"country": r.country, "user_id": r.userID, "reason": r.reason}); err != nil {
				return err
			}
		}
		return u.emit(drafting.EventUserUpdated, "", user.ID, changed)
	})
	return user, s.explainUserRace(ctx, err, "", user.Country)
}

// keepAnAdmin refuses a change that would leave no active admin: the last
// one cannot demote or disable themselves (nobody else could undo it).
func keepAnAdmin(u *unit, before, after drafting.User) error {
	isAdmin := func(x drafting.User) bool { return x.Active && x.Role == drafting.RoleAdmin }
	if !isAdmin(before) || isAdmin(after) {
		return nil
	}
	ids, err := u.LockActiveAdmins()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id != before.ID {
			return nil
		}
	}
	return drafting.Errorf(drafting.KindConflict, "user.last_admin",
		"this is the last active admin account; make another account admin before demoting or disabling it")
}

// BootstrapAdmin creates the first admin on an empty database. With no email
// it uses admin@consenso.local and, with no password, generates one; the
// generated password is returned so it can be shown once. It does nothing
// (and returns created=false) when any account exists.
func (s *Service) BootstrapAdmin(ctx context.Context, email, password string) (user drafting.User, generated string, created bool, err error) {
	var n int64
	if err = s.read(ctx, func(tx *store.Tx) error {
		n, err = tx.CountUsers()
		return err
	}); err != nil || n > 0 {
		return user, "", false, err
	}
	if email == "" {
		email = "admin@consenso.local"
	}
	if password == "" {
		generated = auth.RandomToken(18)
		password = generated
	}
	user, err = s.createUser(ctx, "", NewUser{Email: email, Name: "Administrator", Password: password, Role: drafting.RoleAdmin})
	if drafting.IsKind(err, drafting.KindConflict) {
		// Another replica starting at the same time created it first.
		return drafting.User{}, "", false, nil
	}
	if err != nil {
		return user, "", false, err
	}
	return user, generated, true, nil
}
