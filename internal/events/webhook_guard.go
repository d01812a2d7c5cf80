package events

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MaxWebhookURL is the longest webhook URL accepted.
const MaxWebhookURL = 2048

// ValidateURL checks a webhook target when it is registered: an absolute
// https URL (http too when allowPrivate) with a host, no user info and no
// fragment, and — when the host is a literal IP address — a public one
// unless allowPrivate. Host names are checked again, after resolution, every
// time a delivery dials (see guardedDialer), so a name that later resolves to
// a private address (DNS rebinding) is still refused.
func ValidateURL(raw string, allowPrivate bool) error {
	if raw == "" {
		return errors.New("required")
	}
	if len(raw) > MaxWebhookURL {
		return fmt.Errorf("must be at most %d characters", MaxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !allowPrivate {
			return errors.New("must use https")
		}
	case "":
		return errors.New("must be an absolute https URL")
	default:
		if allowPrivate {
			return errors.New("must use https or http")
		}
		return errors.New("must use https")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return errors.New("must name a host")
	}
	if u.User != nil {
		return errors.New("must not carry user info; authenticate with the signature")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("has an invalid port")
		}
	}
	host := u.Hostname()
	if strings.Contains(host, "%") {
		return errors.New("must not use an IPv6 zone")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !allowPrivate && !PublicAddr(ip) {
			return fmt.Errorf("%s is not a public address", ip)
		}
		return nil
	}
	lower := strings.ToLower(strings.TrimSuffix(host, "."))
	if !allowPrivate && (lower == "localhost" || strings.HasSuffix(lower, ".localhost")) {
		return errors.New("must not be a loopback host")
	}
	return nil
}

// Address ranges that are not public besides those netip classifies
// (loopback, private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach internal IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, …)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// PublicAddr reports whether ip is a public unicast address: not loopback,
// private (RFC 1918, RFC 4193), link-local, multicast, unspecified, carrier
// NAT, documentation, reserved, or an IPv6 form that embeds an IPv4 address
// the host could route internally.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// errNotPublic is returned by the dialer for a refused address.
var errNotPublic = errors.New("webhook target is not a public address")

// dialControl runs after name resolution, just before each connection is
// made, so it sees the very address that will be dialled.
func dialControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if network != "tcp4" && network != "tcp6" {
			return fmt.Errorf("webhook target: network %s refused", network)
		}
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook target %s: %w", address, err)
		}
		if !PublicAddr(ap.Addr()) {
			return fmt.Errorf("%w: %s", errNotPublic, ap.Addr())
		}
		return nil
	}
}

// newWebhookClient returns the HTTP client deliveries use: every connection
// goes through the address guard, no proxy (a proxy would dial on our
// behalf and bypass the guard), no redirects followed, one time-out for the
// whole exchange.
func newWebhookClient(allowPrivate bool, timeout time.Duration, resolver *net.Resolver) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Resolver: resolver, Control: dialControl(allowPrivate)}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
