package fanout

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// preparingPoster counts per-message preparations and the posts made
// through them.
type preparingPoster struct {
	*fakePoster
	prepared, viaPrepared atomic.Int64
}

func (p *preparingPoster) PreparePost(payload []byte) func(context.Context, string) error {
	p.prepared.Add(1)
	return func(ctx context.Context, id string) error {
		p.viaPrepared.Add(1)
		return p.Post(ctx, id, payload)
	}
}

// A poster that prepares a message (apigw.Poster hashes the payload for
// its signature) is asked once per Send, and every post, retries included,
// goes through the prepared function.
func TestPreparedPosterIsPreparedOncePerSend(t *testing.T) {
	p := &preparingPoster{fakePoster: newFakePoster(func(_ context.Context, id string, attempt int) error {
		if id == "c2" && attempt == 1 {
			return chat.ErrThrottled
		}
		return nil
	})}
	f := New(p, Config{Concurrency: 4, Logger: quietLogger()})
	f.sleep = func(context.Context, time.Duration) bool { return true }
	res := f.Send(context.Background(), []string{"c1", "c2", "c3", "c4", "c5"}, []byte("x"))
	if res.Delivered != 5 {
		t.Fatalf("result %+v", res)
	}
	if n := p.prepared.Load(); n != 1 {
		t.Errorf("prepared %d times, want 1", n)
	}
	if n := p.viaPrepared.Load(); n != 6 {
		t.Errorf("%d posts through the prepared function, want 6 (5 + 1 retry)", n)
	}
	if f.Send(context.Background(), nil, []byte("x")); p.prepared.Load() != 1 {
		t.Error("an empty Send prepared a message")
	}
}
