package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// config is the server's configuration: environment variables, each mirrored
// by a flag that overrides it.
type config struct {
	Addr              string
	DatabaseURL       string
	JWTSecret         string
	AdminEmail        string
	AdminPassword     string
	WebhookAllowPriv  bool
	CORSOrigins       []string
	TrustedProxies    []string
	BodyLimit         int64
	AccessTTL         time.Duration
	RefreshTTL        time.Duration
	ShutdownTimeout   time.Duration
	LogLevel          string
	LogFormat         string
	SilenceSweepEvery time.Duration
	MinSilence        time.Duration
	Demo              bool
	StreamsPerUser    int
}

type setting struct {
	env, flag, def, usage string
}

var settings = []setting{
	{"CONSENSO_ADDR", "addr", ":8080", "listen address"},
	{"CONSENSO_DATABASE_URL", "database-url", "consenso.db", "embedded SQLite file, or a postgres:// URL to use PostgreSQL"},
	{"CONSENSO_JWT_SECRET", "jwt-secret", "", "HMAC key for access tokens, at least 32 bytes; generated once and kept beside the SQLite file when empty; required with PostgreSQL (prefer the environment variable: flags show in ps)"},
	{"CONSENSO_ADMIN_EMAIL", "admin-email", "", "on an empty database, create this admin"},
	{"CONSENSO_ADMIN_PASSWORD", "admin-password", "", "password of that admin (otherwise a one-time password is generated and printed once)"},
	{"CONSENSO_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private", "false", "allow plain-http webhook targets on loopback and private addresses"},
	{"CONSENSO_CORS_ORIGINS", "cors-origins", "", "comma-separated origins of browser frontends allowed to call the API"},
	{"CONSENSO_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is trusted (none by default)"},
	{"CONSENSO_BODY_LIMIT", "body-limit", "1048576", "maximum request body in bytes"},
	{"CONSENSO_ACCESS_TOKEN_TTL", "access-token-ttl", "15m", "lifetime of access tokens"},
	{"CONSENSO_REFRESH_TOKEN_TTL", "refresh-token-ttl", "720h", "lifetime of refresh tokens"},
	{"CONSENSO_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", "how long in-flight requests may run after SIGTERM"},
	{"CONSENSO_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"CONSENSO_LOG_FORMAT", "log-format", "json", "json or text"},
	{"CONSENSO_SILENCE_SWEEP", "silence-sweep", "1s", "how often silence-procedure deadlines are checked"},
	{"CONSENSO_MIN_SILENCE", "min-silence", "24h", "shortest silence procedure: earlier deadlines are refused, so every capital can be heard"},
	{"CONSENSO_STREAMS_PER_USER", "streams-per-user", "5", "concurrent live event streams allowed per account"},
	{"CONSENSO_DEMO", "demo", "false", "on an empty database, load a demo negotiation and print its accounts"},
}

// parseConfig reads the environment, then the flags.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("consenso", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		vals[s.env] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: consenso [flags]\n\nServes the Consenso API. Every flag mirrors an environment variable.\n\n")
		fs.PrintDefaults()
	}
	// -demo is a boolean switch on the command line.
	for i, a := range args {
		if a == "-demo" || a == "--demo" {
			args[i] = "-demo=true"
		}
		if a == "-webhook-allow-private" || a == "--webhook-allow-private" {
			args[i] = "-webhook-allow-private=true"
		}
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	get := func(env string) string { return strings.TrimSpace(*vals[env]) }
	var c config
	var err error
	c.Addr = get("CONSENSO_ADDR")
	c.DatabaseURL = get("CONSENSO_DATABASE_URL")
	c.JWTSecret = *vals["CONSENSO_JWT_SECRET"]
	c.AdminEmail = get("CONSENSO_ADMIN_EMAIL")
	c.AdminPassword = *vals["CONSENSO_ADMIN_PASSWORD"]
	c.LogLevel = get("CONSENSO_LOG_LEVEL")
	c.LogFormat = get("CONSENSO_LOG_FORMAT")
	c.CORSOrigins = splitList(get("CONSENSO_CORS_ORIGINS"))
	c.TrustedProxies = splitList(get("CONSENSO_TRUSTED_PROXIES"))
	if c.WebhookAllowPriv, err = parseBool("CONSENSO_WEBHOOK_ALLOW_PRIVATE", get("CONSENSO_WEBHOOK_ALLOW_PRIVATE")); err != nil {
		return c, err
	}
	if c.Demo, err = parseBool("CONSENSO_DEMO", get("CONSENSO_DEMO")); err != nil {
		return c, err
	}
	if n, err := strconv.Atoi(get("CONSENSO_STREAMS_PER_USER")); err != nil || n < 1 {
		return c, fmt.Errorf("CONSENSO_STREAMS_PER_USER: want a whole number of 1 or more")
	} else {
		c.StreamsPerUser = n
	}
	if c.BodyLimit, err = strconv.ParseInt(get("CONSENSO_BODY_LIMIT"), 10, 64); err != nil || c.BodyLimit < 1024 {
		return c, fmt.Errorf("CONSENSO_BODY_LIMIT: want a number of bytes of at least 1024")
	}
	for env, dst := range map[string]*time.Duration{
		"CONSENSO_ACCESS_TOKEN_TTL":  &c.AccessTTL,
		"CONSENSO_REFRESH_TOKEN_TTL": &c.RefreshTTL,
		"CONSENSO_SHUTDOWN_TIMEOUT":  &c.ShutdownTimeout,
		"CONSENSO_SILENCE_SWEEP":     &c.SilenceSweepEvery,
		"CONSENSO_MIN_SILENCE":       &c.MinSilence,
	} {
		d, err := time.ParseDuration(get(env))
		if err != nil || d <= 0 {
			return c, fmt.Errorf("%s: want a positive duration such as 15m", env)
		}
		*dst = d
	}
	return c, nil
}

func parseBool(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, v)
	}
	return b, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
