package main

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rcm-iom/consenso/internal/drafting"
)

// shape is the size of a negotiation archive. The small and the large one
// differ only in numbers, so both are built and measured by the same code.
type shape struct {
	Name              string
	Sections          int
	ClausesPerSection int
	Comments          int
	Hot               int     // clauses that draw HotShare of the comments between them
	HotShare          float64 // share of all comments on the hot clauses
	Delegates         int     // per country, besides its head of delegation
}

// The two sizes of issue 13: 3,000 clauses and 1,000,000 comments with five
// hot clauses of 50,000+ each, against the same shape at 1,000 comments.
var (
	smallShape = shape{Name: "small", Sections: 4, ClausesPerSection: 10, Comments: 1_000, Hot: 5, HotShare: 0.3, Delegates: 4}
	largeShape = shape{Name: "large", Sections: 30, ClausesPerSection: 100, Comments: 1_000_000, Hot: 5, HotShare: 0.3, Delegates: 4}
)

func (s shape) clauses() int { return s.Sections * s.ClausesPerSection }

// countries are the eight seeded by the migrations; every one participates.
var countries = []string{"BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"}

var languages = []string{"en", "es"}

// title is t as a title in every language of the archive: titles are
// per-language maps, like clause text.
func title(t string) map[string]string {
	m := make(map[string]string, len(languages))
	for _, l := range languages {
		m[l] = t
	}
	return m
}

// user is one seeded account. Every seeded account has the same password.
type user struct {
	ID      string
	Email   string
	Name    string
	Role    drafting.Role
	Country string
	Head    bool
}

// clause is a clause's final state; its versions and positions are below.
type clause struct {
	ID       string
	Section  int // index into plan.Sections
	Position int // 1-based in its section
	Number   string
	Status   drafting.Status
	Version  int
	Revision int
	Updated  time.Time
}

// version is one clause version, created by a facilitator.
type version struct {
	Clause  int32
	Number  int
	Created time.Time
	// After is the comment after which it was made (-1: at the start).
	After int
}

// Comment statuses and kinds, as small numbers in the plan.
var (
	commentKinds    = []drafting.CommentKind{drafting.KindGeneral, drafting.KindEditorial, drafting.KindSubstantive, drafting.KindAmendment}
	commentStatuses = []drafting.CommentStatus{drafting.CommentOpen, drafting.CommentAddressed, drafting.CommentDeclined, drafting.CommentWithdrawn}
)

// comment is one comment of the plan, kept small: a million of them are held.
// Comment i is created at plan.commentTime(i), in the order of the slice.
type comment struct {
	ID      uuid.UUID
	Parent  int32 // index of the comment replied to, -1: none
	Clause  int32
	Author  int16 // index into plan.Users
	Version int8
	Kind    int8 // index into commentKinds
	Status  int8 // index into commentStatuses
}

// position is one position recorded in the closing session, in order.
type position struct {
	ID      string
	Clause  int32
	Country string
	Author  int16
	Stance  drafting.Stance
	Created time.Time
	// From and To are the clause's status before and after it (equal: no change).
	From, To drafting.Status
}

// lock is a clause in consensus locked by the facilitator after the session.
type lock struct {
	Clause int32
	At     time.Time
}

// plan is the whole archive, decided before a row is written: the rows and
// the event log are both read from it, so they cannot disagree.
type plan struct {
	Shape       shape
	Start       time.Time // first event
	GuidelineID string
	Users       []user
	Admin       int // index of the admin, who made the other accounts
	Facilitator int // index of the facilitator who drafts and resolves
	Sections    []string
	Clauses     []clause
	Hot         []int32 // the hot clauses
	Versions    []version
	Comments    []comment
	Positions   []position
	Locks       []lock

	commentStart time.Time
	commentEvery time.Duration
}

// Timeline: accounts, the guideline, its sections and clauses (opened for
// discussion) at Start, one event every 100 ms; the comments from a day
// later, evenly over 360 days, each resolution a quarter and each new
// version half a comment interval after its comment; the positions a day
// after the last comment, one a second, then the locks.
const (
	setupStep    = 100 * time.Millisecond
	commentSpan  = 360 * 24 * time.Hour
	positionStep = time.Second
)

func (p *plan) commentTime(i int) time.Time {
	return p.commentStart.Add(time.Duration(i) * p.commentEvery)
}

// setupTime is the time of the k-th event of the setup.
func (p *plan) setupTime(k int) time.Time { return p.Start.Add(time.Duration(k) * setupStep) }

// newPlan decides the archive of shape s from seed; it ends before end.
func newPlan(s shape, seed uint64, end time.Time) *plan {
	rng := rand.New(rand.NewPCG(seed, seed^0x5ca1e))
	id := func() uuid.UUID {
		var u uuid.UUID
		for i := 0; i < 16; i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8; j++ {
				u[i+j] = byte(v >> (8 * j))
			}
		}
		u[6] = u[6]&0x0f | 0x40 // version 4, as the service makes them
		u[8] = u[8]&0x3f | 0x80
		return u
	}
	sid := func() string { return id().String() }

	p := &plan{Shape: s, GuidelineID: sid()}
	// The archive ends a day before `end`, so that what the API writes
	// afterwards comes later in time and in the log.
	total := 2*24*time.Hour + commentSpan + time.Duration(s.clauses()*len(countries)+s.clauses())*positionStep
	p.Start = end.Add(-total - 24*time.Hour).UTC().Truncate(time.Second)

	// Accounts: an admin, three facilitators, two observers, and for every
	// country a head of delegation and its delegates.
	p.Users = append(p.Users, user{ID: sid(), Email: "admin@scale.test", Name: "Administrator", Role: drafting.RoleAdmin})
	for i := 1; i <= 3; i++ {
		p.Users = append(p.Users, user{ID: sid(), Email: fmt.Sprintf("facilitator%d@scale.test", i), Name: fmt.Sprintf("Facilitator %d", i), Role: drafting.RoleFacilitator})
	}
	p.Facilitator = 1
	for i := 1; i <= 2; i++ {
		p.Users = append(p.Users, user{ID: sid(), Email: fmt.Sprintf("observer%d@scale.test", i), Name: fmt.Sprintf("Observer %d", i), Role: drafting.RoleObserver})
	}
	for _, c := range countries {
		p.Users = append(p.Users, user{ID: sid(), Email: "head." + strings.ToLower(c) + "@scale.test", Name: "Head of delegation " + c,
			Role: drafting.RoleDelegate, Country: c, Head: true})
		for i := 1; i <= s.Delegates; i++ {
			p.Users = append(p.Users, user{ID: sid(), Email: fmt.Sprintf("delegate%d.%s@scale.test", i, strings.ToLower(c)), Name: fmt.Sprintf("Delegate %d %s", i, c),
				Role: drafting.RoleDelegate, Country: c})
		}
	}
	var delegates, observers, facilitators []int16
	heads := map[string]int16{}
	for i, u := range p.Users {
		switch u.Role {
		case drafting.RoleDelegate:
			delegates = append(delegates, int16(i))
			if u.Head {
				heads[u.Country] = int16(i)
			}
		case drafting.RoleObserver:
			observers = append(observers, int16(i))
		case drafting.RoleFacilitator:
			facilitators = append(facilitators, int16(i))
		}
	}

	// Sections and clauses, every clause opened with its first version.
	setup := len(p.Users) + 1 + s.Sections
	for i := 0; i < s.Sections; i++ {
		p.Sections = append(p.Sections, sid())
	}
	for sec := 0; sec < s.Sections; sec++ {
		for pos := 1; pos <= s.ClausesPerSection; pos++ {
			n := len(p.Clauses)
			created := p.setupTime(setup + 2*n)
			p.Clauses = append(p.Clauses, clause{ID: sid(), Section: sec, Position: pos, Number: fmt.Sprintf("%d.%d", sec+1, pos),
				Status: drafting.StatusOpen, Version: 1, Revision: 2, Updated: p.setupTime(setup + 2*n + 1)})
			p.Versions = append(p.Versions, version{Clause: int32(n), Number: 1, Created: created, After: -1})
		}
	}
	nc := len(p.Clauses)
	for i := 0; i < s.Hot && i < nc; i++ {
		p.Hot = append(p.Hot, int32(i*nc/s.Hot))
	}
	hot := map[int32]bool{}
	for _, h := range p.Hot {
		hot[h] = true
	}
	var cold []int32
	for i := 0; i < nc; i++ {
		if !hot[int32(i)] {
			cold = append(cold, int32(i))
		}
	}

	// Later versions: 40% of the clauses get a second, 20% a third, made
	// at random moments of the comment period.
	p.commentStart = p.setupTime(setup + 2*nc).Add(24 * time.Hour)
	p.commentEvery = commentSpan / time.Duration(max(s.Comments, 1))
	var later []version
	for c := 0; c < nc; c++ {
		extra := 0
		switch r := rng.Float64(); {
		case r < 0.2:
			extra = 2
		case r < 0.6:
			extra = 1
		}
		var at []int
		for range extra {
			at = append(at, rng.IntN(max(s.Comments, 1)))
		}
		if len(at) == 2 && at[0] > at[1] {
			at[0], at[1] = at[1], at[0]
		}
		for k, after := range at {
			later = append(later, version{Clause: int32(c), Number: k + 2, After: after})
		}
	}
	// In comment order (then clause), as they happen.
	sortVersions(later)
	current := make([]int8, nc)
	for i := range current {
		current[i] = 1
	}
	last := make([]int32, nc) // the latest comment on each clause, -1: none
	for i := range last {
		last[i] = -1
	}
	p.Comments = make([]comment, s.Comments)
	next := 0 // next version in `later` to apply
	for i := 0; i < s.Comments; i++ {
		var cl int32
		if len(p.Hot) > 0 && rng.Float64() < s.HotShare {
			cl = p.Hot[rng.IntN(len(p.Hot))]
		} else {
			cl = cold[rng.IntN(len(cold))]
		}
		var author int16
		switch r := rng.Float64(); {
		case r < 0.70:
			author = delegates[rng.IntN(len(delegates))]
		case r < 0.85:
			author = observers[rng.IntN(len(observers))]
		default:
			author = facilitators[rng.IntN(len(facilitators))]
		}
		var kind int8
		switch r := rng.Float64(); {
		case r < 0.40:
			kind = 0
		case r < 0.65:
			kind = 1
		case r < 0.95:
			kind = 2
		default:
			kind = 3
		}
		var status int8
		switch r := rng.Float64(); {
		case r < 0.85:
			status = 0
		case r < 0.93:
			status = 1
		case r < 0.98:
			status = 2
		default:
			status = 3
		}
		parent := int32(-1)
		if last[cl] >= 0 && rng.Float64() < 0.15 {
			parent = last[cl]
		}
		p.Comments[i] = comment{ID: id(), Parent: parent, Clause: cl, Author: author, Version: current[cl], Kind: kind, Status: status}
		last[cl] = int32(i)
		for next < len(later) && later[next].After == i {
			v := later[next]
			v.Created = p.commentTime(i).Add(p.commentEvery / 2)
			p.Versions = append(p.Versions, v)
			current[v.Clause] = int8(v.Number)
			c := &p.Clauses[v.Clause]
			c.Version, c.Revision, c.Updated = v.Number, c.Revision+1, v.Created
			next++
		}
	}
	for ; next < len(later); next++ { // with no comments at all
		v := later[next]
		v.Created = p.commentStart
		p.Versions = append(p.Versions, v)
		c := &p.Clauses[v.Clause]
		c.Version, c.Revision, c.Updated = v.Number, c.Revision+1, v.Created
	}

	// The closing session: every country's head states a position on the
	// current version of each clause (one in ten clauses misses one), with
	// the status derived by the domain's own rule; then half the clauses in
	// consensus are locked.
	at := p.commentTime(s.Comments).Add(24 * time.Hour)
	for ci := range p.Clauses {
		c := &p.Clauses[ci]
		dc := drafting.Clause{Status: c.Status, Version: c.Version}
		var current []drafting.Position
		skip := ""
		if rng.Float64() < 0.1 {
			skip = countries[rng.IntN(len(countries))]
		}
		for _, country := range countries {
			if country == skip {
				continue
			}
			stance := drafting.StanceAgree
			switch r := rng.Float64(); {
			case r < 0.04:
				stance = drafting.StanceObject
			case r < 0.10:
				stance = drafting.StanceAgreeReservation
			case r < 0.14:
				stance = drafting.StanceAbstain
			}
			pos := drafting.Position{Country: country, ClauseVersion: c.Version, Stance: stance}
			current = append(current, pos)
			from := dc.Status
			dc.ApplyPosition(countries, pos, current, at)
			p.Positions = append(p.Positions, position{ID: sid(), Clause: int32(ci), Country: country, Author: heads[country],
				Stance: stance, Created: at, From: from, To: dc.Status})
			c.Status, c.Revision, c.Updated = dc.Status, c.Revision+1, at
			at = at.Add(positionStep)
		}
	}
	for ci := range p.Clauses {
		c := &p.Clauses[ci]
		if c.Status == drafting.StatusConsensus && rng.IntN(2) == 0 {
			p.Locks = append(p.Locks, lock{Clause: int32(ci), At: at})
			c.Status, c.Revision, c.Updated = drafting.StatusAgreed, c.Revision+1, at
			at = at.Add(positionStep)
		}
	}
	return p
}

// sortVersions orders later versions by the comment they follow, then by
// clause and number, so that a clause's versions come in order.
func sortVersions(vs []version) {
	slices.SortFunc(vs, func(a, b version) int {
		return cmp.Or(cmp.Compare(a.After, b.After), cmp.Compare(a.Clause, b.Clause), cmp.Compare(a.Number, b.Number))
	})
}

// clauseText is version n of clause c in one language.
func clauseText(c clause, n int, lang string) string {
	if lang == "es" {
		return fmt.Sprintf("Los Estados velarán por que los funcionarios consulares identifiquen, protejan y asistan sin demora a las víctimas de trata de personas, en un idioma que comprendan y con pleno respeto de sus derechos (cláusula %s, versión %d).", c.Number, n)
	}
	return fmt.Sprintf("States shall ensure that consular officials identify, protect and assist victims of trafficking in persons promptly, in a language they understand and with full respect for their rights (clause %s, version %d).", c.Number, n)
}

// commentBodies are what delegations say, varied by a number.
var commentBodies = []string{
	"We propose to align this wording with the Palermo Protocol and to mention the referral mechanisms explicitly (%d).",
	"Proponemos precisar la coordinación con las autoridades del país de origen y de destino en este párrafo (%d).",
	"Editorial: the second sentence repeats the first; consider merging them for clarity (%d).",
	"Nuestra delegación no puede aceptar el plazo propuesto sin consultar a la capital (%d).",
	"Support the text as drafted; we suggest adding a reference to child victims (%d).",
	"Sugerimos sustituir «sin demora» por «de inmediato», como en las directrices nacionales (%d).",
}
