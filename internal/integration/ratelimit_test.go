package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestRateLimitIsPerUser: a user past the limit is refused with
// rate_limited while others carry on, and keepalive is never limited.
func TestRateLimitIsPerUser(t *testing.T) {
	const perWindow = 5
	// Windows are aligned to the Unix epoch, so a window boundary between
	// two sends would let an extra one through (an hour-long window did, in
	// a run that crossed 03:00). A 200-year window's next boundary is in
	// 2170.
	tr := newTrio(t, func(c *service.Config) { c.RatePerWindow, c.RateWindow = perWindow, 200*365*24*time.Hour })

	for i := range perWindow {
		tr.a.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, fmt.Sprintf("rl-%d", i), "spam"), protocol.EventAck)
	}
	tr.a.callError(protocol.ActionSendMessage, message(chat.GeneralRoomID, "rl-over", "one more"), string(chat.RateLimited))
	// Counted per user, across connections.
	a2 := tr.s.connect(tr.ann)
	a2.callError(protocol.ActionSendMessage, message(chat.GeneralRoomID, "rl-other-tab", "from tab 2"), string(chat.RateLimited))
	// Others are unaffected.
	tr.b.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "b-1", "I can still talk"), protocol.EventAck)
	// Keepalive, state and read receipts are not limited, so the limited
	// client keeps its connection and can catch up.
	tr.a.call(protocol.ActionPing, nil, protocol.EventPong)
	tr.a.call(protocol.ActionGetState, nil, protocol.EventState)
	// Reads have a budget of their own: resuming still works.
	tr.a.call(protocol.ActionResume, map[string]any{"rooms": map[string]int64{chat.GeneralRoomID: 0}}, protocol.EventMissed)
	// The refused send was not stored.
	h := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, room(chat.GeneralRoomID), protocol.EventHistory))
	if len(h.Messages) != perWindow+1 {
		t.Errorf("history has %d messages, want %d", len(h.Messages), perWindow+1)
	}
}
