package wsapi

import (
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PingsPerMinute is how many keepalives one user may send a minute, over
// all their connections, to one function instance. The web client pings
// every 5 minutes per connection; ten connections at that pace are two a
// minute, so 30 leaves room for reconnects and stops only a flood.
const PingsPerMinute = 30

// pingLimiter counts pings per user in the instance's memory: a fixed
// one-minute window, keyed by the user the authorizer vouched for at
// $connect (API Gateway passes its context on every frame), else by the
// connection.
//
// Why not the DynamoDB limiter the other actions use: ping is the one
// action that reads no item (it needs no stored connection) and writes
// none; counting it there would add a conditional write per ping (1 WCU,
// the most frequent action) to refuse a request whose Lambda invocation
// has been paid already. In memory it costs nothing; the price is that
// the limit holds per instance, so N warm instances let a user through N
// times the limit (still bounded by the function's concurrency). The
// stage's route throttles bound the total before anything is invoked.
type pingLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Time
	counts map[string]int
}

func newPingLimiter() *pingLimiter {
	return &pingLimiter{now: time.Now, counts: map[string]int{}}
}

// allow counts one ping of the caller and says whether it is within the
// limit. The map holds only the current minute's callers: it is dropped
// when the next window starts, so memory stays bounded.
func (l *pingLimiter) allow(authCtx any, connectionID string) error {
	key := "conn:" + connectionID
	if m, ok := authCtx.(map[string]any); ok {
		if id, err := authorizer.IdentityFromContext(m); err == nil && id.UserID != "" {
			key = "user:" + id.UserID
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.now().Truncate(time.Minute); !w.Equal(l.window) {
		l.window, l.counts = w, map[string]int{}
	}
	l.counts[key]++
	if l.counts[key] > PingsPerMinute {
		return chat.Errorf(chat.RateLimited, "too many pings: limit is %d per minute, retry shortly", PingsPerMinute)
	}
	return nil
}
