package unfurl

import (
	"net/netip"
	"testing"
)

// TestRefused is the SSRF refusal table: every address the fetcher must
// never dial, and public ones it may.
func TestRefused(t *testing.T) {
	cases := []struct {
		ip      string
		refused bool
		why     string
	}{
		{"169.254.169.254", true, "cloud metadata"},
		{"fd00:ec2::254", true, "cloud metadata"},
		{"10.0.0.1", true, "private"},
		{"10.255.255.255", true, "private"},
		{"172.16.0.1", true, "private"},
		{"172.31.255.254", true, "private"},
		{"192.168.1.1", true, "private"},
		{"127.0.0.1", true, "loopback"},
		{"127.1.2.3", true, "loopback"},
		{"::1", true, "loopback"},
		{"169.254.1.1", true, "link-local"},
		{"fe80::1", true, "link-local"},
		{"fe80::1%eth0", true, "link-local"},
		{"0.0.0.0", true, "this network"},
		{"0.1.2.3", true, "this network"},
		{"::", true, "unspecified"},
		{"100.64.0.1", true, "carrier-grade NAT"},
		{"100.127.255.255", true, "carrier-grade NAT"},
		{"224.0.0.1", true, "multicast"},
		{"239.255.255.250", true, "multicast"},
		{"ff02::1", true, "multicast"},
		{"255.255.255.255", true, "broadcast"},
		{"240.0.0.1", true, "reserved"},
		{"192.0.2.1", true, "documentation"},
		{"198.51.100.7", true, "documentation"},
		{"203.0.113.9", true, "documentation"},
		{"2001:db8::1", true, "documentation"},
		{"198.18.0.1", true, "benchmarking"},
		{"192.0.0.8", true, "IETF protocol assignments"},
		{"fc00::1", true, "unique local (private)"},
		{"fd12:3456::1", true, "unique local (private)"},
		{"fec0::1", true, "site-local"},
		// IPv4 hidden in IPv6 forms.
		{"::ffff:127.0.0.1", true, "loopback"},
		{"::ffff:169.254.169.254", true, "cloud metadata"},
		{"::ffff:10.0.0.1", true, "private"},
		{"64:ff9b::a00:1", true, "NAT64"},
		{"2002:a00:1::1", true, "6to4"},
		{"100::1", true, "discard"},
		// Public addresses.
		{"93.184.216.34", false, ""},
		{"8.8.8.8", false, ""},
		{"100.128.0.1", false, ""},
		{"172.32.0.1", false, ""},
		{"169.255.0.1", false, ""},
		{"2606:2800:220:1:248:1893:25c8:1946", false, ""},
		{"::ffff:8.8.8.8", false, ""},
	}
	for _, c := range cases {
		t.Run(c.ip, func(t *testing.T) {
			why, refused := Refused(netip.MustParseAddr(c.ip))
			if refused != c.refused || why != c.why {
				t.Errorf("Refused(%s) = %q, %v; want %q, %v", c.ip, why, refused, c.why, c.refused)
			}
		})
	}
	if _, refused := Refused(netip.Addr{}); !refused {
		t.Error("the zero address is allowed")
	}
}
