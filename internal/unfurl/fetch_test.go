package unfurl

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// local serves h on loopback and returns its URL and a fetcher allowed to
// reach that port only (the local-stack option).
func local(t *testing.T, h http.HandlerFunc, cfg Config) (*httptest.Server, *Fetcher) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.AllowLoopbackPorts = append(cfg.AllowLoopbackPorts, portOfServer(t, srv))
	return srv, New(cfg)
}

func portOfServer(t *testing.T, srv *httptest.Server) int {
	u, _ := url.Parse(srv.URL)
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const page = `<html><head><title>Hello</title><meta property="og:description" content="World"></head></html>`

func TestFetchAllowedLoopbackPort(t *testing.T) {
	var ua, cookie atomic.Value
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		cookie.Store(r.Header.Get("Cookie"))
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "1"})
			http.Redirect(w, r, "/page", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}, Config{})
	p, err := f.Fetch(context.Background(), srv.URL+"/set")
	if err != nil {
		t.Fatal(err)
	}
	if got := Parse(p.URL, p.Body); got.Title != "Hello" || got.Description != "World" {
		t.Errorf("preview = %+v", got)
	}
	if p.URL.Path != "/page" {
		t.Errorf("final URL = %s, want the redirect's", p.URL)
	}
	if ua.Load() != DefaultUserAgent {
		t.Errorf("User-Agent = %q", ua.Load())
	}
	if c := cookie.Load(); c != "" {
		t.Errorf("the redirect carried a cookie: %q", c)
	}
}

func TestFetchRefusesLoopbackWithoutTheOption(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("reached") }))
	defer srv.Close()
	f := New(Config{})
	if _, err := f.Fetch(context.Background(), srv.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("Fetch = %v, want ErrRefused", err)
	}
	// Port 80 on loopback: the address is refused (nothing listens, nothing is dialed).
	if _, err := f.Fetch(context.Background(), "http://127.0.0.1/"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Fetch(127.0.0.1:80) = %v, want refused as loopback", err)
	}
}

func TestFetchRefusesRedirectToPrivate(t *testing.T) {
	for _, target := range []string{
		"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fd00:ec2::254]/",
		"http://127.0.0.1:9/", "file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/",
		"http://private.test/", "http://mixed.test/",
	} {
		t.Run(target, func(t *testing.T) {
			srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			}, Config{Resolver: fakeResolver{
				"private.test": {netip.MustParseAddr("192.168.0.10")},
				"mixed.test":   {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.1.1.1")},
			}})
			_, err := f.Fetch(context.Background(), srv.URL)
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Fetch = %v, want ErrRefused", err)
			}
		})
	}
}

func TestFetchRedirectLimit(t *testing.T) {
	var hits atomic.Int32
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/again", http.StatusFound)
	}, Config{})
	if _, err := f.Fetch(context.Background(), srv.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("Fetch = %v, want refused after %d redirects", err, DefaultMaxRedirects)
	}
	if n := hits.Load(); n != DefaultMaxRedirects+1 {
		t.Errorf("%d requests, want %d", n, DefaultMaxRedirects+1)
	}
}

func TestFetchRefusesPortsAndNames(t *testing.T) {
	f := New(Config{Resolver: fakeResolver{
		"metadata.test": {netip.MustParseAddr("169.254.169.254")},
		"public.test":   {netip.MustParseAddr("93.184.216.34")},
		"2130706433":    {netip.MustParseAddr("127.0.0.1")}, // a resolver that reads decimal IPv4
	}})
	for _, raw := range []string{
		"http://metadata.test/", "https://metadata.test/", "http://public.test:8080/", "http://public.test:22/",
		"http://0.0.0.0/", "http://[::]/", "http://100.64.1.1/", "http://224.0.0.1/", "http://2130706433/",
		"ftp://public.test/", "http:///nohost",
	} {
		if _, err := f.Fetch(context.Background(), raw); !errors.Is(err, ErrRefused) {
			t.Errorf("Fetch(%s) = %v, want ErrRefused", raw, err)
		}
	}
}

func TestFetchSizeCap(t *testing.T) {
	var written atomic.Int64
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><head><title>Big</title></head><body>"))
		chunk := []byte(strings.Repeat("x", 32<<10))
		for range 200 { // 6.4 MB offered
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}, Config{MaxBytes: 64 << 10})
	p, err := f.Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Body) != 64<<10 || !p.Truncated {
		t.Errorf("body %d bytes, truncated %v; want %d, true", len(p.Body), p.Truncated, 64<<10)
	}
	if got := Parse(p.URL, p.Body); got.Title != "Big" {
		t.Errorf("title = %q", got.Title)
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, Config{Timeout: 200 * time.Millisecond})
	defer close(release)
	start := time.Now()
	_, err := f.Fetch(context.Background(), srv.URL)
	if err == nil || errors.Is(err, ErrRefused) {
		t.Fatalf("Fetch = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the fetch took %v despite its 200 ms limit", d)
	}
}

func TestFetchNotHTML(t *testing.T) {
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte(page))
	}, Config{})
	if _, err := f.Fetch(context.Background(), srv.URL); !errors.Is(err, ErrNotHTML) {
		t.Fatalf("Fetch = %v, want ErrNotHTML", err)
	}
}

func TestFetchStatus(t *testing.T) {
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) }, Config{})
	if _, err := f.Fetch(context.Background(), srv.URL); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Fetch = %v, want status 404", err)
	}
}

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// memCache is a Cache in memory.
type memCache map[string][]byte

func (m memCache) ReadPrefix(_ context.Context, key string, n int64) ([]byte, error) {
	b, ok := m[key]
	if !ok {
		return nil, chat.Errorf(chat.NotFound, "no %s", key)
	}
	return b[:min(int64(len(b)), n)], nil
}

func (m memCache) Put(_ context.Context, key, _ string, body []byte) error {
	m[key] = body
	return nil
}

func TestUnfurlerCaches(t *testing.T) {
	var hits atomic.Int32
	srv, f := local(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/bin" {
			w.Header().Set("Content-Type", "image/png")
		}
		_, _ = w.Write([]byte(page))
	}, Config{})
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cache := memCache{}
	u := &Unfurler{Fetcher: f, Cache: cache, Now: func() time.Time { return now }}
	for range 2 {
		p, err := u.Preview(context.Background(), srv.URL+"/a")
		if err != nil || p.Title != "Hello" || p.URL != srv.URL+"/a" {
			t.Fatalf("Preview = %+v, %v", p, err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d fetches, want 1 (the second from the cache)", hits.Load())
	}
	if _, ok := cache[CacheKey(srv.URL+"/a")]; !ok || !strings.HasPrefix(CacheKey("x"), CachePrefix) {
		t.Error("not cached under the hashed key")
	}
	now = now.Add(FreshFor + time.Minute)
	if _, err := u.Preview(context.Background(), srv.URL+"/a"); err != nil || hits.Load() != 2 {
		t.Errorf("a stale entry was not fetched again: %v, %d fetches", err, hits.Load())
	}
	// No preview is cached too, for a shorter while.
	for range 2 {
		if _, err := u.Preview(context.Background(), srv.URL+"/bin"); !errors.Is(err, ErrNoPreview) {
			t.Fatalf("Preview(/bin) = %v, want ErrNoPreview", err)
		}
	}
	if hits.Load() != 3 {
		t.Errorf("%d fetches, want 3", hits.Load())
	}
}
