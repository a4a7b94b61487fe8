package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Charge is what the action dispatcher (wsapi) calls before every action;
// the rate-limit tests that send frames are in internal/wsapi. Here: each
// budget is counted apart, per user, and an unknown budget fails closed.
func TestChargeCountsEachBudgetApart(t *testing.T) {
	h := newHarness(t, func(c *service.Config) {
		c.RatePerWindow, c.ReadsPerWindow, c.RateWindow = 1, 2, 10*time.Second
		c.Files.DownloadsPerWindow = 3
	})
	for _, tc := range []struct {
		budget protocol.Budget
		n      int
		what   string
	}{
		{protocol.BudgetWrite, 1, "too many requests: limit is 1 per 10s"},
		{protocol.BudgetRead, 2, "too many reads: limit is 2 per 10s"},
		{protocol.BudgetDownload, 3, "too many downloads: limit is 3 per 10s"},
	} {
		for i := range tc.n {
			if err := h.svc.Charge(h.ctx, "alice", tc.budget); err != nil {
				t.Fatalf("%v %d: %v", tc.budget, i+1, err)
			}
		}
		err := h.svc.Charge(h.ctx, "alice", tc.budget)
		wantCode(t, err, chat.RateLimited)
		if msg := chat.ErrorMessage(err); !strings.HasPrefix(msg, tc.what) {
			t.Errorf("%v: message %q, want %q", tc.budget, msg, tc.what)
		}
		if err := h.svc.Charge(h.ctx, "bob", tc.budget); err != nil {
			t.Errorf("%v: bob was limited by alice: %v", tc.budget, err)
		}
	}
	for range 100 {
		if err := h.svc.Charge(h.ctx, "alice", protocol.BudgetNone); err != nil {
			t.Fatalf("none: %v", err)
		}
	}
	wantCode(t, h.svc.Charge(h.ctx, "alice", protocol.Budget(0)), chat.Internal)
	h.advance(10 * time.Second)
	if err := h.svc.Charge(h.ctx, "alice", protocol.BudgetWrite); err != nil {
		t.Errorf("next window: %v", err)
	}
}

func TestPingAnswersTheTime(t *testing.T) {
	h := newHarness(t)
	h.store.FailOn("GetConnection", chat.Errorf(chat.Internal, "touched"))
	ev, err := h.svc.Ping(h.ctx)
	if err != nil || ev.Type != protocol.EventPong || ev.Time != h.clock().UnixMilli() {
		t.Fatalf("Ping = %+v, %v", ev, err)
	}
}
