package main

import (
	"io"
	"testing"
	"time"
)

// TestMinSilenceSetting: CONSENSO_MIN_SILENCE (24h by default) is the
// shortest silence procedure; the -min-silence flag mirrors it.
func TestMinSilenceSetting(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
		bad  bool
	}{
		{"default", nil, nil, 24 * time.Hour, false},
		{"environment", nil, map[string]string{"CONSENSO_MIN_SILENCE": "72h"}, 72 * time.Hour, false},
		{"flag over environment", []string{"-min-silence", "2s"}, map[string]string{"CONSENSO_MIN_SILENCE": "72h"}, 2 * time.Second, false},
		{"not a duration", nil, map[string]string{"CONSENSO_MIN_SILENCE": "a day"}, 0, true},
		{"zero", []string{"-min-silence=0s"}, nil, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if tt.bad {
				if err == nil {
					t.Fatalf("accepted: %+v", c.MinSilence)
				}
				return
			}
			if err != nil || c.MinSilence != tt.want {
				t.Fatalf("MinSilence = %v, %v; want %v", c.MinSilence, err, tt.want)
			}
		})
	}
}
