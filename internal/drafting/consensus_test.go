package drafting

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	all8 = []string{"BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"}
	t0   = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
)

// pos builds positions "BZ:agree" on version v.
func pos(v int, specs ...string) []Position {
	out := make([]Position, len(specs))
	for i, s := range specs {
		country, stance, _ := strings.Cut(s, ":")
		out[i] = Position{Country: country, Stance: Stance(stance), ClauseVersion: v}
	}
	return out
}

// everyone returns positions of all eight countries with one stance on v,
// except the overrides.
func everyone(v int, stance Stance, overrides ...string) []Position {
	set := map[string]string{}
	for _, c := range all8 {
		set[c] = string(stance)
	}
	for _, o := range overrides {
		c, s, _ := strings.Cut(o, ":")
		set[c] = s
	}
	var specs []string
	for _, c := range all8 {
		specs = append(specs, c+":"+set[c])
	}
	return pos(v, specs...)
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return err.(*Error).Code
}

func TestDerive(t *testing.T) {
	tests := []struct {
		name         string
		participants []string
		positions    []Position
		want         Status
	}{
		{"no positions", all8, nil, StatusOpen},
		{"some agree", all8, pos(2, "BZ:agree", "CR:agree"), StatusOpen},
		{"all agree", all8, everyone(2, StanceAgree), StatusConsensus},
		{"reservation joins consensus", all8, everyone(2, StanceAgree, "MX:agree_with_reservation"), StatusConsensus},
		{"abstention does not block", all8, everyone(2, StanceAgree, "NI:abstain", "PA:abstain"), StatusConsensus},
		{"all abstain is still consensus", all8, everyone(2, StanceAbstain), StatusConsensus},
		{"one objection blocks", all8, everyone(2, StanceAgree, "GT:object"), StatusContested},
		{"objection before all are in", all8, pos(2, "GT:object"), StatusContested},
		{"stale positions do not count", all8, everyone(1, StanceAgree), StatusOpen},
		{"stale objection does not block", all8, append(everyone(2, StanceAgree)[1:], pos(1, "BZ:object")...), StatusOpen},
		{"non-participant objection ignored", []string{"BZ", "CR"}, pos(2, "BZ:agree", "CR:agree", "MX:object"), StatusConsensus},
		{"non-participant agreement does not complete", []string{"BZ", "CR"}, pos(2, "BZ:agree", "MX:agree"), StatusOpen},
		{"no participants", nil, nil, StatusOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Derive(tt.participants, 2, tt.positions); got != tt.want {
				t.Fatalf("Derive = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPositionInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     PositionInput
		fields []string // invalid fields, none when valid
	}{
		{"agree", PositionInput{Stance: StanceAgree, ClauseVersion: 1}, nil},
		{"abstain with reason", PositionInput{Stance: StanceAbstain, ClauseVersion: 1, Reason: "national law differs"}, nil},
		{"reservation", PositionInput{Stance: StanceAgreeReservation, ClauseVersion: 3, Reservation: "subject to ratification"}, nil},
		{"object with reason", PositionInput{Stance: StanceObject, ClauseVersion: 1, Reason: "conflicts with our constitution"}, nil},
		{"reservation missing", PositionInput{Stance: StanceAgreeReservation, ClauseVersion: 1, Reservation: "  "}, []string{"reservation"}},
		{"reason missing", PositionInput{Stance: StanceObject, ClauseVersion: 1}, []string{"reason"}},
		{"reservation on agree", PositionInput{Stance: StanceAgree, ClauseVersion: 1, Reservation: "x"}, []string{"reservation"}},
		{"reason on agree", PositionInput{Stance: StanceAgree, ClauseVersion: 1, Reason: "x"}, []string{"reason"}},
		{"reservation on object", PositionInput{Stance: StanceObject, ClauseVersion: 1, Reason: "r", Reservation: "x"}, []string{"reservation"}},
		{"unknown stance", PositionInput{Stance: "veto", ClauseVersion: 1}, []string{"stance"}},
		{"version missing", PositionInput{Stance: StanceAgree}, []string{"clause_version"}},
		{"reason too long", PositionInput{Stance: StanceObject, ClauseVersion: 1, Reason: strings.Repeat("x", MaxNoteLen+1)}, []string{"reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Validate()
			var got []string
			if err != nil {
				e := err.(*Error)
				if e.Kind != KindInvalid || e.Code != "position.invalid" {
					t.Fatalf("error = %v", e)
				}
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			}
			if !reflect.DeepEqual(got, tt.fields) {
				t.Fatalf("invalid fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		from Status
		want Status
		err  string
	}{
		{StatusDraft, StatusOpen, ""},
		{StatusOpen, StatusOpen, "clause.not_draft"},
		{StatusContested, StatusContested, "clause.not_draft"},
		{StatusConsensus, StatusConsensus, "clause.not_draft"},
		{StatusSilence, StatusSilence, "clause.not_draft"},
		{StatusAgreed, StatusAgreed, "clause.not_draft"},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			c := Clause{Status: tt.from, Version: 1}
			err := c.Open(all8, nil)
			if code(err) != tt.err || c.Status != tt.want {
				t.Fatalf("Open from %s: status %s, err %v; want %s, %q", tt.from, c.Status, err, tt.want, tt.err)
			}
			if err != nil && ErrorKind(err) != KindConflict {
				t.Fatalf("kind = %s, want conflict", ErrorKind(err))
			}
		})
	}
}

func TestCheckPosition(t *testing.T) {
	tests := []struct {
		status  Status
		version int
		err     string
	}{
		{StatusDraft, 2, "clause.not_open"},
		{StatusOpen, 2, ""},
		{StatusOpen, 1, "position.version_stale"},
		{StatusOpen, 3, "position.version_stale"},
		{StatusContested, 2, ""},
		{StatusConsensus, 2, ""},
		{StatusSilence, 2, ""},
		{StatusSilence, 1, "position.version_stale"},
		{StatusAgreed, 2, "clause.agreed"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			c := Clause{Status: tt.status, Version: 2}
			err := c.CheckPosition(PositionInput{Stance: StanceAgree, ClauseVersion: tt.version}, t0)
			if code(err) != tt.err {
				t.Fatalf("CheckPosition(v%d) on %s = %v, want %q", tt.version, tt.status, err, tt.err)
			}
			if tt.err == "position.version_stale" && err.(*Error).Data["current_version"] != 2 {
				t.Fatalf("data = %v, want the current version", err.(*Error).Data)
			}
		})
	}
}

func TestApplyPosition(t *testing.T) {
	deadline := t0.Add(48 * time.Hour)
	tests := []struct {
		name         string
		from         Status
		p            string
		others       []Position
		want         Status
		wantDeadline bool
	}{
		{"first agreement stays open", StatusOpen, "BZ:agree", nil, StatusOpen, false},
		{"last agreement gives consensus", StatusOpen, "SV:agree", everyone(2, StanceAgree)[:7], StatusConsensus, false},
		{"objection contests", StatusConsensus, "GT:object", everyone(2, StanceAgree, "GT:agree"), StatusContested, false},
		{"withdrawn objection restores consensus", StatusContested, "GT:agree", everyone(2, StanceAgree), StatusConsensus, false},
		{"objection breaks silence", StatusSilence, "GT:object", everyone(2, StanceAgree)[:3], StatusContested, false},
		{"agreement keeps silence", StatusSilence, "BZ:agree", nil, StatusSilence, true},
		{"reservation keeps silence", StatusSilence, "BZ:agree_with_reservation", nil, StatusSilence, true},
		{"non-participant objection keeps silence", StatusSilence, "XX:object", nil, StatusSilence, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Clause{Status: tt.from, Version: 2}
			if tt.from == StatusSilence {
				c.SilenceDeadline = &deadline
			}
			p := pos(2, tt.p)[0]
			var all []Position
			for _, o := range tt.others {
				if o.Country != p.Country {
					all = append(all, o)
				}
			}
			all = append(all, p)
			c.ApplyPosition(all8, p, all, t0)
			if c.Status != tt.want || (c.SilenceDeadline != nil) != tt.wantDeadline {
				t.Fatalf("status %s deadline %v, want %s (deadline kept: %v)", c.Status, c.SilenceDeadline, tt.want, tt.wantDeadline)
			}
		})
	}
}

func TestStartSilence(t *testing.T) {
	future, past := t0.Add(72*time.Hour), t0.Add(-time.Minute)
	tests := []struct {
		from     Status
		deadline time.Time
		err      string
		kind     Kind
	}{
		{StatusOpen, future, "", ""},
		{StatusConsensus, future, "", ""},
		{StatusOpen, past, "silence.deadline_past", KindInvalid},
		{StatusOpen, t0, "silence.deadline_past", KindInvalid},
		{StatusOpen, t0.Add(time.Hour), "silence.deadline_too_soon", KindInvalid},
		{StatusOpen, t0.Add(DefaultMinSilence - time.Second), "silence.deadline_too_soon", KindInvalid},
		{StatusConsensus, t0.Add(DefaultMinSilence), "", ""},
		{StatusContested, future, "clause.contested", KindConflict},
		{StatusDraft, future, "clause.silence_not_allowed", KindConflict},
		{StatusSilence, future, "clause.silence_not_allowed", KindConflict},
		{StatusAgreed, future, "clause.silence_not_allowed", KindConflict},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+tt.deadline.Format(time.Kitchen), func(t *testing.T) {
			c := Clause{Status: tt.from, Version: 1}
			err := c.StartSilence(tt.deadline, t0, DefaultMinSilence)
			if code(err) != tt.err {
				t.Fatalf("StartSilence from %s = %v, want %q", tt.from, err, tt.err)
			}
			if err != nil {
				if ErrorKind(err) != tt.kind || c.Status != tt.from {
					t.Fatalf("kind %s status %s; want %s and unchanged", ErrorKind(err), c.Status, tt.kind)
				}
				return
			}
			if c.Status != StatusSilence || c.SilenceDeadline == nil || !c.SilenceDeadline.Equal(tt.deadline) {
				t.Fatalf("status %s deadline %v", c.Status, c.SilenceDeadline)
			}
		})
	}
}

func TestEndSilence(t *testing.T) {
	deadline := t0.Add(24 * time.Hour)
	tests := []struct {
		name       string
		status     Status
		now        time.Time
		positions  []Position
		wantSilent []string
		want       Status
		err        string
	}{
		{"before the deadline", StatusSilence, deadline.Add(-time.Second), nil, nil, StatusSilence, "clause.silence_not_due"},
		{"at the deadline nobody spoke", StatusSilence, deadline, nil, all8, StatusAgreed, ""},
		{"after the deadline some spoke", StatusSilence, deadline.Add(time.Hour),
			pos(2, "BZ:agree", "CR:agree_with_reservation", "GT:abstain"), []string{"HN", "MX", "NI", "PA", "SV"}, StatusAgreed, ""},
		{"stale positions are silent", StatusSilence, deadline, append(pos(1, "BZ:agree"), pos(2, "CR:agree")...),
			[]string{"BZ", "GT", "HN", "MX", "NI", "PA", "SV"}, StatusAgreed, ""},
		{"everyone spoke", StatusSilence, deadline, everyone(2, StanceAgree), nil, StatusAgreed, ""},
		{"not in silence", StatusContested, deadline, nil, nil, StatusContested, "clause.silence_not_due"},
		// Unreachable through the service (an objection breaks the
		// procedure, and so does a change of participants), and refused
		// all the same: an agreed clause never stands against an objection.
		{"a participant objects all the same", StatusSilence, deadline, pos(2, "BZ:agree", "GT:object"), nil, StatusContested, ""},
		{"a non-participant's objection does not count", StatusSilence, deadline, append(everyone(2, StanceAgree), pos(2, "AR:object")...), nil, StatusAgreed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Clause{Status: tt.status, Version: 2}
			if tt.status == StatusSilence {
				d := deadline
				c.SilenceDeadline = &d
			}
			silent, err := c.EndSilence(all8, tt.positions, tt.now)
			if code(err) != tt.err {
				t.Fatalf("EndSilence = %v, want %q", err, tt.err)
			}
			if err != nil {
				if c.Status != tt.status {
					t.Fatalf("status changed to %s on error", c.Status)
				}
				return
			}
			if c.Status != tt.want || c.SilenceDeadline != nil || !reflect.DeepEqual(silent, tt.wantSilent) {
				t.Fatalf("status %s deadline %v silent %v; want %s, no deadline, %v", c.Status, c.SilenceDeadline, silent, tt.want, tt.wantSilent)
			}
		})
	}
}

func TestLock(t *testing.T) {
	for _, from := range []Status{StatusDraft, StatusOpen, StatusContested, StatusConsensus, StatusSilence, StatusAgreed} {
		t.Run(string(from), func(t *testing.T) {
			c := Clause{Status: from, Version: 1}
			err := c.Lock(all8, everyone(1, StanceAgree), t0)
			if from == StatusConsensus {
				if err != nil || c.Status != StatusAgreed {
					t.Fatalf("Lock from consensus: %v, %s", err, c.Status)
				}
				return
			}
			if code(err) != "clause.not_consensus" || ErrorKind(err) != KindConflict || c.Status != from {
				t.Fatalf("Lock from %s = %v, status %s; want 409 clause.not_consensus", from, err, c.Status)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	deadline := t0.Add(time.Hour)
	tests := []struct {
		name      string
		from      Status
		reason    string
		positions []Position
		want      Status
		err       string
	}{
		{"agreed with all positions current", StatusAgreed, "new evidence from Panama", everyone(1, StanceAgree), StatusConsensus, ""},
		{"agreed after a silence with few positions", StatusAgreed, "Belize asked", pos(1, "BZ:agree"), StatusOpen, ""},
		{"silence", StatusSilence, "translation error", nil, StatusOpen, ""},
		{"reason required", StatusAgreed, "  ", nil, StatusAgreed, "clause.reopen_reason_required"},
		{"open", StatusOpen, "why", nil, StatusOpen, "clause.not_agreed"},
		{"consensus", StatusConsensus, "why", nil, StatusConsensus, "clause.not_agreed"},
		{"draft", StatusDraft, "why", nil, StatusDraft, "clause.not_agreed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Clause{Status: tt.from, Version: 1}
			if tt.from == StatusSilence {
				c.SilenceDeadline = &deadline
			}
			err := c.Reopen(tt.reason, all8, tt.positions, t0)
			if code(err) != tt.err || c.Status != tt.want {
				t.Fatalf("Reopen = %v, status %s; want %q, %s", err, c.Status, tt.err, tt.want)
			}
			if err == nil && c.SilenceDeadline != nil {
				t.Fatal("deadline kept after reopening")
			}
		})
	}
}

func TestApplyNewVersion(t *testing.T) {
	deadline := t0.Add(time.Hour)
	tests := []struct {
		from Status
		want Status
		err  string
	}{
		{StatusDraft, StatusDraft, ""},
		{StatusOpen, StatusOpen, ""},
		{StatusContested, StatusOpen, ""},
		{StatusConsensus, StatusOpen, ""},
		{StatusSilence, StatusOpen, ""},
		{StatusAgreed, StatusAgreed, "clause.agreed"},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			c := Clause{Status: tt.from, Version: 3}
			if tt.from == StatusSilence {
				c.SilenceDeadline = &deadline
			}
			err := c.ApplyNewVersion(t0)
			if code(err) != tt.err || c.Status != tt.want {
				t.Fatalf("ApplyNewVersion from %s = %v, %s; want %q, %s", tt.from, err, c.Status, tt.err, tt.want)
			}
			wantVersion := 4
			if err != nil {
				wantVersion = 3
			}
			if c.Version != wantVersion {
				t.Fatalf("version = %d, want %d", c.Version, wantVersion)
			}
			// Every earlier position is stale now: the status derived from
			// them is open, whatever they were.
			if err == nil && tt.from != StatusDraft && Derive(all8, c.Version, everyone(3, StanceAgree)) != StatusOpen {
				t.Fatal("positions on the previous version still count")
			}
			if err == nil && c.SilenceDeadline != nil {
				t.Fatal("silence deadline kept after a text change")
			}
		})
	}
}

// A stored consensus that the current consensus body no longer supports
// (a participant added since) cannot be locked.
func TestLockRederives(t *testing.T) {
	c := Clause{Status: StatusConsensus, Version: 1}
	err := c.Lock(append([]string{"AR"}, all8...), everyone(1, StanceAgree), t0)
	if code(err) != "clause.not_consensus" || c.Status != StatusConsensus {
		t.Fatalf("Lock with a new participant pending = %v, status %s", err, c.Status)
	}
}

// An objection that arrives after the silence deadline cannot break it, even
// before the sweep has concluded the procedure.
func TestCheckPositionAfterSilenceDeadline(t *testing.T) {
	deadline := t0.Add(time.Hour)
	c := Clause{Status: StatusSilence, Version: 1, SilenceDeadline: &deadline}
	if err := c.CheckPosition(PositionInput{Stance: StanceObject, ClauseVersion: 1, Reason: "late"}, deadline.Add(-time.Second)); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
	if err := c.CheckPosition(PositionInput{Stance: StanceObject, ClauseVersion: 1, Reason: "late"}, deadline); code(err) != "clause.silence_ended" {
		t.Fatalf("at the deadline: %v, want clause.silence_ended", err)
	}
}
