package unfurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of the fetcher.
const (
	DefaultMaxBytes     = 512 << 10
	DefaultTimeout      = 5 * time.Second
	DefaultMaxRedirects = 3
	DefaultUserAgent    = "BackchannelBot/1.0 (link previews; +https://github.com/backchannel-chat/backchannel)"
)

// Errors of Fetch: a refused address or URL is ErrRefused (never worth a
// retry), a page that is not HTML is ErrNotHTML.
var (
	ErrRefused = errors.New("unfurl: refused")
	ErrNotHTML = errors.New("unfurl: not an HTML page")
)

// Resolver looks a host name up (net.Resolver.LookupNetIP).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config shapes a Fetcher; zero values take the defaults.
type Config struct {
	MaxBytes     int64
	Timeout      time.Duration
	MaxRedirects int
	UserAgent    string
	Resolver     Resolver // net.DefaultResolver
	// AllowLoopbackPorts lets the fetcher reach loopback addresses
	// (127.0.0.0/8, ::1) on these ports, and only these: the local stack
	// (scripts/dev) and tests set it so a page served on this machine can
	// be previewed. Nothing in a Lambda's environment sets it
	// (internal/app reads no variable for it); empty in production.
	AllowLoopbackPorts []int
}

// Fetcher fetches pages for previews. Safe for concurrent use.
type Fetcher struct {
	cfg    Config
	client *http.Client
}

// Page is a fetched page: its final URL (after redirects), content type
// and the start of its body (at most MaxBytes).
type Page struct {
	URL         *url.URL
	ContentType string
	Body        []byte
	Truncated   bool
}

// New returns a fetcher.
func New(cfg Config) *Fetcher {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	f := &Fetcher{cfg: cfg}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	tr := &http.Transport{
		Proxy: nil, // never HTTP(S)_PROXY from the environment: the proxy would dial, unchecked
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			ip, err := f.resolve(ctx, addr)
			if err != nil {
				return nil, err
			}
			_, port, _ := net.SplitHostPort(addr)
			return dialer.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), port))
		},
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	f.client = &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		Jar:       nil, // no cookies
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrRefused, cfg.MaxRedirects)
			}
			return f.checkURL(req.URL)
		},
	}
	return f
}

// CheckURL says whether u may be fetched at all (scheme, port, no user
// info); the address is checked when it is dialed.
func (f *Fetcher) CheckURL(u *url.URL) error { return f.checkURL(u) }

func (f *Fetcher) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q (only http and https)", ErrRefused, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: user info in the URL", ErrRefused)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrRefused)
	}
	port, err := portOf(u)
	if err != nil {
		return err
	}
	if port != 80 && port != 443 && !slices.Contains(f.cfg.AllowLoopbackPorts, port) {
		return fmt.Errorf("%w: port %d (only 80 and 443)", ErrRefused, port)
	}
	return nil
}

func portOf(u *url.URL) (int, error) {
	p := u.Port()
	if p == "" {
		if u.Scheme == "https" {
			return 443, nil
		}
		return 80, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("%w: bad port %q", ErrRefused, p)
	}
	return n, nil
}

// resolve looks host up and returns the address to dial: every address
// the name has must be allowed (a name with one private address among
// public ones is refused whole), and the checked address is the one
// dialed.
func (f *Fetcher) resolve(ctx context.Context, hostport string) (netip.Addr, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	port, _ := strconv.Atoi(portStr)
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		addrs, err = f.cfg.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("unfurl: resolve %s: %w", host, err)
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("unfurl: %s has no address", host)
	}
	for _, ip := range addrs {
		if err := f.checkAddr(ip, port); err != nil {
			return netip.Addr{}, fmt.Errorf("%s: %w", host, err)
		}
	}
	return addrs[0].Unmap(), nil
}

// checkAddr refuses what Refused refuses, but loopback on an allowed
// port (local stacks and tests only), and any other port than 80 and 443
// elsewhere.
func (f *Fetcher) checkAddr(ip netip.Addr, port int) error {
	ip = ip.Unmap()
	if ip.IsLoopback() && slices.Contains(f.cfg.AllowLoopbackPorts, port) {
		return nil
	}
	if why, bad := Refused(ip); bad {
		return fmt.Errorf("%w: address %s (%s)", ErrRefused, ip, why)
	}
	if port != 80 && port != 443 {
		return fmt.Errorf("%w: port %d (only 80 and 443)", ErrRefused, port)
	}
	return nil
}

// Fetch gets rawURL's HTML: GET with the fetcher's User-Agent, following
// at most MaxRedirects checked redirects, reading at most MaxBytes of the
// body, all within Timeout. A page that is not HTML is ErrNotHTML; a
// status other than 2xx an error.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if err := f.checkURL(u); err != nil {
		return Page{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	req.Header.Set("Accept-Language", "en;q=0.9,*;q=0.5")
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return Page{}, err
		}
		return Page{}, fmt.Errorf("unfurl: fetch %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Page{}, fmt.Errorf("unfurl: fetch %s: status %d", u.Redacted(), resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "text/html" && mt != "application/xhtml+xml" {
		return Page{}, fmt.Errorf("%w: %q", ErrNotHTML, ct)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil && len(body) == 0 {
		return Page{}, fmt.Errorf("unfurl: read %s: %w", u.Redacted(), err)
	}
	page := Page{URL: resp.Request.URL, ContentType: strings.ToLower(mt), Body: body}
	if int64(len(body)) > f.cfg.MaxBytes {
		page.Body, page.Truncated = body[:f.cfg.MaxBytes], true
	}
	return page, nil
}
