package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	parse := func(t *testing.T, args []string, getenv func(string) string) config {
		t.Helper()
		c, err := parseConfig(args, getenv, io.Discard)
		if err != nil {
			t.Fatalf("parseConfig(%q): %v", args, err)
		}
		return c
	}

	t.Run("defaults", func(t *testing.T) {
		c := parse(t, nil, env())
		if c.Addr != ":8080" || c.DatabaseURL != "consenso.db" || c.Demo || c.WebhookAllowPriv ||
			c.AccessTTL != 15*time.Minute || c.BodyLimit != 1<<20 || c.StreamsPerUser != 5 || c.HashSlots != 0 || c.DBConns != 20 {
			t.Fatalf("defaults: %+v", c)
		}
	})
	t.Run("environment_sets_values", func(t *testing.T) {
		c := parse(t, nil, env("CONSENSO_ADDR", ":9000", "CONSENSO_DEMO", "true", "CONSENSO_WEBHOOK_ALLOW_PRIVATE", "1",
			"CONSENSO_ACCESS_TOKEN_TTL", "5m", "CONSENSO_CORS_ORIGINS", " https://a.example, https://b.example ", "CONSENSO_HASH_SLOTS", "3"))
		if c.Addr != ":9000" || !c.Demo || !c.WebhookAllowPriv || c.AccessTTL != 5*time.Minute || c.HashSlots != 3 ||
			strings.Join(c.CORSOrigins, "|") != "https://a.example|https://b.example" {
			t.Fatalf("from environment: %+v", c)
		}
	})
	t.Run("flags_override_environment", func(t *testing.T) {
		c := parse(t, []string{"-addr", ":9001", "-demo=false", "--access-token-ttl=1m"},
			env("CONSENSO_ADDR", ":9000", "CONSENSO_DEMO", "true", "CONSENSO_ACCESS_TOKEN_TTL", "5m"))
		if c.Addr != ":9001" || c.Demo || c.AccessTTL != time.Minute {
			t.Fatalf("flags over environment: %+v", c)
		}
	})
	t.Run("switches_work_with_or_without_a_value", func(t *testing.T) {
		for _, args := range [][]string{
			{"-demo", "-webhook-allow-private"},
			{"--demo", "--webhook-allow-private"},
			{"-demo=true", "-webhook-allow-private=true"},
			{"-demo", "-webhook-allow-private", "-addr", ":1"}, // a switch does not swallow the next flag
		} {
			if c := parse(t, args, env()); !c.Demo || !c.WebhookAllowPriv {
				t.Fatalf("%q: demo=%v webhook-allow-private=%v", args, c.Demo, c.WebhookAllowPriv)
			}
		}
		if c := parse(t, []string{"-demo=false"}, env("CONSENSO_DEMO", "true")); c.Demo {
			t.Fatal("-demo=false did not override CONSENSO_DEMO=true")
		}
	})
	t.Run("help_is_flag_ErrHelp", func(t *testing.T) {
		for _, h := range []string{"-h", "-help", "--help"} {
			if _, err := parseConfig([]string{h}, env(), io.Discard); !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("%s: err = %v, want flag.ErrHelp", h, err)
			}
		}
	})
	t.Run("bad_values_name_the_setting", func(t *testing.T) {
		for _, c := range []struct {
			args   []string
			getenv func(string) string
			want   string
		}{
			{nil, env("CONSENSO_DEMO", "maybe"), "CONSENSO_DEMO"},
			{[]string{"-webhook-allow-private=perhaps"}, env(), "webhook-allow-private"},
			{nil, env("CONSENSO_ACCESS_TOKEN_TTL", "soon"), "CONSENSO_ACCESS_TOKEN_TTL"},
			{[]string{"-body-limit", "12"}, env(), "CONSENSO_BODY_LIMIT"},
			{[]string{"-streams-per-user", "0"}, env(), "CONSENSO_STREAMS_PER_USER"},
			{[]string{"-hash-slots", "0"}, env(), "CONSENSO_HASH_SLOTS"},
			{nil, env("CONSENSO_DB_CONNS", "none"), "CONSENSO_DB_CONNS"},
			{[]string{"-no-such-flag"}, env(), "no-such-flag"},
			{[]string{"demo"}, env(), `unexpected argument "demo"`},
		} {
			_, err := parseConfig(c.args, c.getenv, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: err = %v, want one naming %s", c.args, err, c.want)
			}
		}
	})
}
