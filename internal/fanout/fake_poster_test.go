package fanout

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// fakePoster records posts and answers with behave (nil: success). It
// tracks the most posts ever in flight at once.
type fakePoster struct {
	behave func(ctx context.Context, id string, attempt int) error
	hold   func() // runs while the post counts as in flight

	inFlight, maxInFlight atomic.Int64

	mu    sync.Mutex
	calls map[string]int
	order []string
}

var _ chat.Poster = (*fakePoster)(nil)

func newFakePoster(behave func(ctx context.Context, id string, attempt int) error) *fakePoster {
	return &fakePoster{behave: behave, calls: map[string]int{}}
}

func (p *fakePoster) Post(ctx context.Context, id string, _ []byte) error {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for m := p.maxInFlight.Load(); n > m && !p.maxInFlight.CompareAndSwap(m, n); m = p.maxInFlight.Load() {
	}
	p.mu.Lock()
	p.calls[id]++
	attempt := p.calls[id]
	p.order = append(p.order, id)
	p.mu.Unlock()
	if p.hold != nil {
		p.hold()
	}
	if p.behave == nil {
		return nil
	}
	return p.behave(ctx, id, attempt)
}

func (p *fakePoster) callsFor(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[id]
}

func (p *fakePoster) totalCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.order)
}

// goneRecorder is an OnGone that remembers every call.
type goneRecorder struct {
	mu    sync.Mutex
	calls map[string]int
}

func (g *goneRecorder) onGone(_ context.Context, id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.calls == nil {
		g.calls = map[string]int{}
	}
	g.calls[id]++
}

func (g *goneRecorder) snapshot() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]int{}
	for k, v := range g.calls {
		out[k] = v
	}
	return out
}
