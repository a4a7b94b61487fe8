package cognito

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestJWKSFetchedOnceForManyVerifications(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)

	for i := range 20 {
		clock.Advance(time.Minute) // well inside the default one-hour TTL
		if _, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
			t.Fatalf("Verify #%d: %v", i, err)
		}
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
}

func TestJWKSRefetchedAfterTTL(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.CacheTTL = 10 * time.Minute })

	verify := func() {
		t.Helper()
		if _, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	verify()
	clock.Advance(9 * time.Minute)
	verify()
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times before the TTL, want 1", n)
	}
	clock.Advance(2 * time.Minute)
	verify()
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after the TTL, want 2", n)
	}
}

func TestUnknownKidRefetchesAtMostOncePerInterval(t *testing.T) {
	pool, _, rotated := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.MinRefetchInterval = 30 * time.Second })
	ctx := context.Background()

	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	forged := func() {
		t.Helper()
		_, err := v.Verify(ctx, sign(t, pool, "made-up-kid", idClaims(clock.Now())))
		if chat.ErrorCode(err) != chat.Forbidden {
			t.Fatalf("unknown kid: err = %v, want Forbidden", err)
		}
	}
	for range 50 {
		forged()
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times within the interval, want 1", n)
	}

	clock.Advance(31 * time.Second)
	for range 50 {
		forged()
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after one interval, want 2", n)
	}

	// Key rotation: the pool publishes a new key and starts signing with it.
	srv.setKeys(map[string]*rsa.PublicKey{testKid: &pool.PublicKey, "key-2": &rotated.PublicKey})
	clock.Advance(31 * time.Second)
	if _, err := v.Verify(ctx, sign(t, rotated, "key-2", idClaims(clock.Now()))); err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	if n := srv.requests.Load(); n != 3 {
		t.Fatalf("JWKS fetched %d times, want 3", n)
	}
}

func TestJWKSUnavailableIsInternal(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, nil)
	srv.setHandler(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)

	_, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal {
		t.Fatalf("err = %v, want Internal", err)
	}
	if msg := chat.ErrorMessage(err); msg != "internal error" {
		t.Fatalf("client message = %q leaks the cause", msg)
	}
	// Within the interval the failure is remembered instead of retried.
	_, err = v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal {
		t.Fatalf("second err = %v, want Internal", err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
}

func TestStaleKeysServeWhileRefreshFails(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.CacheTTL = 10 * time.Minute })
	ctx := context.Background()

	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	srv.setHandler(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	clock.Advance(11 * time.Minute)
	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify with stale keys during an outage: %v", err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (one failed refresh)", n)
	}
}

// A key the endpoint has not confirmed for MaxStale is no longer trusted,
// however long the outage lasts; once the endpoint answers again it is.
func TestStaleKeysDroppedAfterMaxStale(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.CacheTTL = 10 * time.Minute
		c.MaxStale = time.Hour
	})
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	down := func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}
	srv.setHandler(down)
	clock.Advance(59 * time.Minute)
	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify 59 min after the last confirmation: %v", err)
	}
	clock.Advance(time.Minute)
	_, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal {
		t.Fatalf("Verify 60 min after the last confirmation: err = %v, want Internal (keys no longer trusted)", err)
	}
	// Still refused between fetch attempts (no key comes back from memory).
	_, err = v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal {
		t.Fatalf("second Verify during the outage: err = %v, want Internal", err)
	}
	srv.setHandler(nil)
	clock.Advance(DefaultMinRefetchInterval)
	if _, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now()))); err != nil {
		t.Fatalf("Verify once the endpoint is back: %v", err)
	}
}

func TestMaxStaleShorterThanTTLRefused(t *testing.T) {
	_, err := NewVerifier(VerifierConfig{Issuer: "https://issuer.example/pool", ClientID: "c", CacheTTL: time.Hour, MaxStale: time.Minute})
	if err == nil {
		t.Fatal("NewVerifier accepted MaxStale shorter than CacheTTL")
	}
}

func TestJWKSGarbageIsInternal(t *testing.T) {
	pool, _, _ := testKeys(t)
	for name, body := range map[string]string{
		"not JSON":     "<html>",
		"no keys":      `{"keys":[]}`,
		"only EC keys": `{"keys":[{"kty":"EC","kid":"key-1","crv":"P-256","x":"AA","y":"AA"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newJWKSServer(t, nil)
			srv.setHandler(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
			clock := newFakeClock()
			v := newTestVerifier(t, srv, clock, nil)
			_, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now())))
			if chat.ErrorCode(err) != chat.Internal {
				t.Fatalf("err = %v, want Internal", err)
			}
		})
	}
}

func TestJWKSFetchTimeoutHonoured(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, nil)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	srv.setHandler(func(_ http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.FetchTimeout = 50 * time.Millisecond })

	_, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal {
		t.Fatalf("err = %v, want Internal", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want it caused by the fetch deadline", err)
	}
}

func TestCallerContextEndsWaitOnHungFetch(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, nil)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan struct{}, 1)
	srv.setHandler(func(_ http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil) // default 5 s fetch timeout

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := v.Verify(ctx, sign(t, pool, testKid, idClaims(clock.Now())))
	if chat.ErrorCode(err) != chat.Internal || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Internal caused by the caller's cancellation", err)
	}
}

func TestConcurrentVerificationsShareOneFetch(t *testing.T) {
	const callers = 16
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)
	token := sign(t, pool, testKid, idClaims(clock.Now()))

	// The first fetch blocks until every other caller waits on it; a second
	// fetch would be the bug under test.
	gate := make(chan struct{})
	secondFetch := make(chan struct{}, callers)
	normal := jwksJSON(map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	srv.setHandler(func(w http.ResponseWriter, _ *http.Request) {
		if srv.requests.Load() > 1 {
			secondFetch <- struct{}{}
		}
		<-gate
		_, _ = w.Write(normal)
	})
	var joined atomic.Int64
	allJoined := make(chan struct{})
	v.keys.joined = func() {
		if joined.Add(1) == callers-1 {
			close(allJoined)
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), token)
			errs <- err
		})
	}
	select {
	case <-allJoined:
	case <-secondFetch:
		close(gate)
		wg.Wait()
		t.Fatalf("a second JWKS fetch started while one was in flight (%d requests)", srv.requests.Load())
	}
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times for %d concurrent callers, want 1", n, callers)
	}
}
