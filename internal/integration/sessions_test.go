package integration

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestTokenExpiryOnLiveConnection: the connection stores the exp of the
// token that opened it (through the real authorizer and gateway); once
// the service's clock passes it, every action on the still-open socket is
// answered session_expired, and a reconnect with a fresh token works.
// (cognito-local's ID tokens last 24 h, so the service's clock is moved
// instead of waiting.)
func TestTokenExpiryOnLiveConnection(t *testing.T) {
	var skew atomic.Int64
	s := newStack(t, func(c *service.Config) {
		generousLimits(c)
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	ada := s.newUser("ada", "Ada")
	c, _ := s.online(ada)
	c.call(protocol.ActionListChannels, nil, protocol.EventChannels)

	skew.Store(int64(24*time.Hour + time.Minute)) // past the ID token's exp
	c.callError(protocol.ActionListChannels, nil, "session_expired")
	c.callError(protocol.ActionSendMessage, map[string]any{"roomId": "general", "clientId": "late-1", "text": "too late"}, "session_expired")
	// Nothing was stored by the refused send.
	skew.Store(0)
	c2, _ := s.online(ada)
	hist := decode[protocol.HistoryEvent](t, c2.call(protocol.ActionHistory, map[string]any{"roomId": "general"}, protocol.EventHistory))
	for _, m := range hist.Messages {
		if m.Text == "too late" {
			t.Fatalf("a send refused with session_expired was stored: %+v", m)
		}
	}
}
