// Package unfurl builds link previews safely: a fetcher that cannot be
// turned against the network it runs in (server-side request forgery),
// a parser of OpenGraph, Twitter card and plain HTML metadata, and the
// extraction of a message's first links.
//
// The fetcher resolves each name itself and dials only an address it
// checked (Refused), so a name that resolves to a private address, or
// changes its answer between a check and the dial (DNS rebinding), is
// never reached; every redirect is dialed the same way. Only http and
// https on ports 80 and 443; at most MaxRedirects redirects; the body is
// capped (MaxBytes) and the whole fetch timed (Timeout); no cookies, no
// proxy from the environment.
package unfurl

import (
	"net/netip"
)

// refusedPrefix is one refused address block and why.
type refusedPrefix struct {
	prefix netip.Prefix
	why    string
}

// refused lists the blocks the fetcher never dials: everything that is
// not a globally routed unicast address (IANA special-purpose registries
// for IPv4 and IPv6), and the cloud metadata addresses.
var refused = func() []refusedPrefix {
	blocks := []struct{ p, why string }{
		{"169.254.169.254/32", "cloud metadata"},
		{"fd00:ec2::254/128", "cloud metadata"},
		{"0.0.0.0/8", "this network"},
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "carrier-grade NAT"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local"},
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "IETF protocol assignments"},
		{"192.0.2.0/24", "documentation"},
		{"192.88.99.0/24", "6to4 relay anycast"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"224.0.0.0/4", "multicast"},
		{"255.255.255.255/32", "broadcast"},
		{"240.0.0.0/4", "reserved"},
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::ffff:0:0/96", "IPv4-mapped"}, // checked as IPv4 first (Refused unmaps)
		{"64:ff9b::/96", "NAT64"},
		{"64:ff9b:1::/48", "NAT64 local"},
		{"100::/64", "discard"},
		{"2001::/23", "IETF protocol assignments"},
		{"2001:db8::/32", "documentation"},
		{"2002::/16", "6to4"},
		{"fc00::/7", "unique local (private)"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local"},
		{"ff00::/8", "multicast"},
	}
	out := make([]refusedPrefix, len(blocks))
	for i, b := range blocks {
		out[i] = refusedPrefix{netip.MustParsePrefix(b.p), b.why}
	}
	return out
}()

// Refused says whether the fetcher refuses to dial ip and why: private,
// loopback, link-local, metadata, unspecified, multicast, carrier-grade
// NAT, reserved and documentation ranges, and the IPv6 forms that embed
// an IPv4 address (mapped, NAT64, 6to4), which could hide one of those.
// An IPv4-mapped IPv6 address is judged as its IPv4 address.
func Refused(ip netip.Addr) (why string, ok bool) {
	if !ip.IsValid() {
		return "invalid address", true
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	for _, r := range refused {
		if r.prefix.Contains(ip) {
			return r.why, true
		}
	}
	if !ip.IsGlobalUnicast() {
		return "not global unicast", true
	}
	return "", false
}
