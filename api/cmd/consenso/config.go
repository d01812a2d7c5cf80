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
	HashSlots         int
	DBConns           int
}

// setting is one environment variable and the flag that mirrors it. A
// switch is a boolean flag: given alone (-demo) it means true.
type setting struct {
	env, flag, def, usage string
	isSwitch              bool
}

var settings = []setting{
	{env: "CONSENSO_ADDR", flag: "addr", def: ":8080", usage: "listen address"},
	{env: "CONSENSO_DATABASE_URL", flag: "database-url", def: "consenso.db", usage: "embedded SQLite file, or a postgres:// URL to use PostgreSQL"},
	{env: "CONSENSO_JWT_SECRET", flag: "jwt-secret", usage: "HMAC key for access tokens, at least 32 bytes; generated once and kept beside the SQLite file when empty; required with PostgreSQL (prefer the environment variable: flags show in ps)"},
	{env: "CONSENSO_ADMIN_EMAIL", flag: "admin-email", usage: "on an empty database, create this admin"},
	{env: "CONSENSO_ADMIN_PASSWORD", flag: "admin-password", usage: "password of that admin (otherwise a one-time password is generated and printed once)"},
	{env: "CONSENSO_WEBHOOK_ALLOW_PRIVATE", flag: "webhook-allow-private", def: "false", usage: "allow plain-http webhook targets on loopback and private addresses", isSwitch: true},
	{env: "CONSENSO_CORS_ORIGINS", flag: "cors-origins", usage: "comma-separated origins of browser frontends allowed to call the API"},
	{env: "CONSENSO_TRUSTED_PROXIES", flag: "trusted-proxies", usage: "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is trusted (none by default)"},
	{env: "CONSENSO_BODY_LIMIT", flag: "body-limit", def: "1048576", usage: "maximum request body in bytes"},
	{env: "CONSENSO_ACCESS_TOKEN_TTL", flag: "access-token-ttl", def: "15m", usage: "lifetime of access tokens"},
	{env: "CONSENSO_REFRESH_TOKEN_TTL", flag: "refresh-token-ttl", def: "720h", usage: "lifetime of refresh tokens"},
	{env: "CONSENSO_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "20s", usage: "how long in-flight requests may run after SIGTERM"},
	{env: "CONSENSO_LOG_LEVEL", flag: "log-level", def: "info", usage: "debug, info, warn or error"},
	{env: "CONSENSO_LOG_FORMAT", flag: "log-format", def: "json", usage: "json or text"},
	{env: "CONSENSO_SILENCE_SWEEP", flag: "silence-sweep", def: "1s", usage: "how often silence-procedure deadlines are checked"},
	{env: "CONSENSO_MIN_SILENCE", flag: "min-silence", def: "24h", usage: "shortest silence procedure: earlier deadlines are refused, so every capital can be heard"},
	{env: "CONSENSO_STREAMS_PER_USER", flag: "streams-per-user", def: "5", usage: "concurrent live event streams allowed per account"},
	{env: "CONSENSO_DB_CONNS", flag: "db-conns", def: "20", usage: "PostgreSQL connections for requests (one more publishes events, one more listens): beyond about twice the database server's cores, more only queue there"},
	{env: "CONSENSO_HASH_SLOTS", flag: "hash-slots", usage: "password hashes (argon2id, 64 MiB each) run at once; empty means one per CPU available"},
	{env: "CONSENSO_DEMO", flag: "demo", def: "false", usage: "on an empty database, load a demo negotiation and print its accounts", isSwitch: true},
}

// parseConfig reads the settings: each flag's default is its environment
// variable (or the built-in default), so a flag given on the command line
// overrides the environment. -h returns an error matching flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("consenso", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: consenso [flags]\n\nServes the Consenso API. Every flag mirrors an environment variable.\n\n")
		fs.PrintDefaults()
	}
	values := map[string]*string{}
	switches := map[string]*bool{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", s.usage, s.env)
		if s.isSwitch {
			b, err := parseBool(s.env, def)
			if err != nil {
				return config{}, err
			}
			switches[s.env] = fs.Bool(s.flag, b, usage)
			continue
		}
		values[s.env] = fs.String(s.flag, def, usage)
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (settings are flags or environment variables; see -h)", fs.Arg(0))
	}
	get := func(env string) string { return strings.TrimSpace(*values[env]) }
	c := config{
		Addr:             get("CONSENSO_ADDR"),
		DatabaseURL:      get("CONSENSO_DATABASE_URL"),
		JWTSecret:        *values["CONSENSO_JWT_SECRET"],
		AdminEmail:       get("CONSENSO_ADMIN_EMAIL"),
		AdminPassword:    *values["CONSENSO_ADMIN_PASSWORD"],
		LogLevel:         get("CONSENSO_LOG_LEVEL"),
		LogFormat:        get("CONSENSO_LOG_FORMAT"),
		CORSOrigins:      splitList(get("CONSENSO_CORS_ORIGINS")),
		TrustedProxies:   splitList(get("CONSENSO_TRUSTED_PROXIES")),
		WebhookAllowPriv: *switches["CONSENSO_WEBHOOK_ALLOW_PRIVATE"],
		Demo:             *switches["CONSENSO_DEMO"],
	}
	n, err := strconv.Atoi(get("CONSENSO_STREAMS_PER_USER"))
	if err != nil || n < 1 {
		return c, fmt.Errorf("CONSENSO_STREAMS_PER_USER: want a whole number of 1 or more")
	}
	c.StreamsPerUser = n
	if c.DBConns, err = strconv.Atoi(get("CONSENSO_DB_CONNS")); err != nil || c.DBConns < 1 {
		return c, fmt.Errorf("CONSENSO_DB_CONNS: want a whole number of 1 or more")
	}
	if v := get("CONSENSO_HASH_SLOTS"); v != "" {
		if c.HashSlots, err = strconv.Atoi(v); err != nil || c.HashSlots < 1 {
			return c, fmt.Errorf("CONSENSO_HASH_SLOTS: want a whole number of 1 or more (or nothing, for one per CPU)")
		}
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
	b, err := strconv.ParseBool(strings.TrimSpace(v))
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
