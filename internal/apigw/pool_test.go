package apigw

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

// With the SDK's default pool (10 idle connections per host) a burst of 64
// concurrent posts keeps only 10 connections afterwards, so every message
// re-dials about 54 (in AWS: 54 TCP + TLS handshakes per broadcast). The
// tuned pool keeps them all.
func TestConnectionsAreReusedAcrossBursts(t *testing.T) {
	const burst = 64
	// The server holds every request until the whole burst has arrived, so
	// a burst really has `burst` requests (and connections) open at once.
	var (
		mu      sync.Mutex
		arrived int
		release = make(chan struct{})
	)
	hold := func(_, _ string) apigwtest.Reply {
		mu.Lock()
		arrived++
		wait := release
		if arrived%burst == 0 {
			close(release)
			release = make(chan struct{})
		}
		mu.Unlock()
		select {
		case <-wait:
		case <-time.After(10 * time.Second): // safety net so a bug cannot hang the suite
		}
		return apigwtest.OK
	}
	srv := apigwtest.NewServer(apigwtest.Options{Respond: hold})
	t.Cleanup(srv.Close)

	var dials atomic.Int64
	dialer := &net.Dialer{}
	cfg := testConfig()
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		}
	})
	p := NewPoster(NewClient(cfg, srv.URL))

	send := func() {
		var wg sync.WaitGroup
		for range burst {
			wg.Go(func() {
				if err := p.Post(context.Background(), "c", []byte("x")); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	send()
	first := dials.Load()
	if first != burst {
		t.Fatalf("burst 1 dialed %d connections, want %d", first, burst)
	}
	send()
	send()
	// A few re-dials are tolerated: a connection may not be back in the
	// pool at the instant the next burst starts.
	if again := dials.Load() - first; again > burst/8 {
		t.Errorf("bursts 2 and 3 dialed %d new connections (burst 1: %d), want them reused", again, first)
	}
}
