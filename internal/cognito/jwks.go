package cognito

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// maxJWKSBytes bounds what we read from the key endpoint; a real JWKS is a
// couple of KB.
const maxJWKSBytes = 1 << 20

// jwksCache holds a user pool's signing keys by kid.
//
// Rules, and why:
//   - Keys are reused for ttl: Cognito rotates rarely, and a fetch per token
//     would add a round trip to every $connect.
//   - A kid we do not know triggers a refetch (the pool may have rotated), but
//     no fetch starts within minRefetch of the previous one, so a flood of
//     tokens with made-up kids costs the key endpoint one request per interval.
//     The same spacing applies after a failed fetch.
//   - One fetch at a time: concurrent callers wait on the fetch in flight.
//     The fetch is detached from the caller that started it (its own timeout),
//     so one caller giving up does not fail the others; each caller still
//     stops waiting when its own context ends.
//   - If a refresh fails, keys from the last good fetch keep working for a
//     bounded time (maxStale after the endpoint last confirmed them): an
//     outage of the key endpoint should not log everyone out, but neither
//     should a key the pool has withdrawn stay trusted forever because we
//     could not see the withdrawal. Past maxStale the keys are dropped.
type jwksCache struct {
	url          string
	client       *http.Client
	ttl          time.Duration
	maxStale     time.Duration
	minRefetch   time.Duration
	fetchTimeout time.Duration
	now          func() time.Time

	mu          sync.Mutex
	keys        map[string]*rsa.PublicKey
	fetchedAt   time.Time // last successful fetch; zero before the first
	attemptedAt time.Time // start of the last fetch, successful or not
	lastErr     error     // outcome of the last fetch
	inflight    *fetchCall

	// joined, if set (tests only), is called when a caller waits on a fetch
	// another caller started.
	joined func()
}

// fetchCall is one fetch that several callers may wait on.
type fetchCall struct {
	done chan struct{}
	err  error
}

// key returns the public key for kid, fetching the JWKS when the cache is
// stale or does not know kid and the refetch interval allows it.
func (c *jwksCache) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	c.dropUnconfirmedLocked()
	key, known := c.keys[kid]
	fresh := !c.fetchedAt.IsZero() && c.now().Sub(c.fetchedAt) < c.ttl
	if known && fresh {
		c.mu.Unlock()
		return key, nil
	}
	call := c.inflight
	switch {
	case call != nil:
		if c.joined != nil {
			c.joined()
		}
	case c.mayFetchLocked():
		call = c.startFetchLocked(ctx)
	default:
		lastErr := c.lastErr
		c.mu.Unlock()
		return settle(key, known, lastErr)
	}
	c.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, chat.Wrap(ctx.Err(), "signing keys unavailable")
	}
	c.mu.Lock()
	c.dropUnconfirmedLocked()
	key, known = c.keys[kid]
	c.mu.Unlock()
	return settle(key, known, call.err)
}

// dropUnconfirmedLocked forgets the keys once the endpoint has not
// confirmed them for maxStale (every fetch since failed).
func (c *jwksCache) dropUnconfirmedLocked() {
	if c.keys != nil && c.maxStale > 0 && c.now().Sub(c.fetchedAt) >= c.maxStale {
		c.keys = nil
	}
}

// settle decides the answer once no (further) fetch will happen.
func settle(key *rsa.PublicKey, known bool, fetchErr error) (*rsa.PublicKey, error) {
	switch {
	case known:
		return key, nil // possibly stale (at most maxStale): better than refusing everyone while the endpoint is down
	case fetchErr != nil:
		return nil, chat.Wrap(fetchErr, "signing keys unavailable")
	default:
		return nil, chat.Errorf(chat.Forbidden, "unknown signing key")
	}
}

func (c *jwksCache) mayFetchLocked() bool {
	return c.attemptedAt.IsZero() || c.now().Sub(c.attemptedAt) >= c.minRefetch
}

func (c *jwksCache) startFetchLocked(ctx context.Context) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	c.inflight = call
	c.attemptedAt = c.now()
	fetchCtx := context.WithoutCancel(ctx)
	go func() {
		keys, err := c.fetch(fetchCtx)
		c.mu.Lock()
		if err == nil {
			c.keys = keys
			c.fetchedAt = c.now()
		}
		c.lastErr = err
		c.inflight = nil
		call.err = err
		c.mu.Unlock()
		close(call.done)
	}()
	return call
}

func (c *jwksCache) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, c.fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("build JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", c.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read JWKS %s: %w", c.url, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("JWKS %s is larger than %d bytes", c.url, maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", c.url, err)
	}
	return keys, nil
}
