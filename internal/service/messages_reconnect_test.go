package service_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// connectAfterQuery registers a connection and resumes it right after the
// next fan-out query of the room's connections returns: a client
// reconnecting in the instant between that read and its use, without
// timing.
type connectAfterQuery struct {
	chat.Store
	queried atomic.Bool // a RoomConnections (and what follows it) is done

	mu   sync.Mutex
	then func()
}

func (s *connectAfterQuery) RoomConnections(ctx context.Context, roomID string) ([]chat.RoomConnection, error) {
	defer s.queried.Store(true)
	rcs, err := s.Store.RoomConnections(ctx, roomID)
	s.mu.Lock()
	then := s.then
	s.then = nil
	s.mu.Unlock()
	if then != nil {
		then()
	}
	return rcs, err
}

func (s *connectAfterQuery) AppendMessage(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	// A query started ahead of the write (in another goroutine) gets the
	// chance to run first; a query after the write never comes here, and
	// the loop ends on its bound.
	for i := 0; i < 100_000 && !s.queried.Load(); i++ {
		runtime.Gosched()
	}
	return s.Store.AppendMessage(ctx, m)
}

// A client that reconnects while a message is being sent must get it:
// live, when its connection is registered before the fan-out reads the
// room's connections, or from its resume, which it sends after
// registering. That holds only if the fan-out reads the connections after
// the message is stored; read while the write is in flight, a connection
// registered in between gets neither (the load test lost 16 deliveries so
// in 6,000 messages with forced reconnects; docs/PROTOCOL.md §7).
func TestAConnectionRegisteredDuringASendGetsTheMessage(t *testing.T) {
	gate := &connectAfterQuery{}
	h := newHarness(t, func(c *service.Config) {
		gate.Store = c.Store
		c.Store = gate
	})
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	first := h.send(alice, chat.GeneralRoomID, "before")
	if err := h.svc.Disconnect(h.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	h.fan.Reset()
	gate.queried.Store(false)

	var resumed []chat.Message
	var resumeErr error
	gate.mu.Lock()
	gate.then = func() {
		id := chat.Identity{UserID: "bob", Username: "bob", DisplayName: "Bob"}
		if resumeErr = h.svc.Connect(h.ctx, chat.Connection{ID: "b2", Identity: id}); resumeErr != nil {
			return
		}
		b2, err := h.svc.Connection(h.ctx, "b2")
		if resumeErr = err; err != nil {
			return
		}
		missed, err := h.svc.Resume(h.ctx, b2, protocol.ResumeRequest{Rooms: map[string]int64{chat.GeneralRoomID: first.Seq}})
		if resumeErr = err; err != nil {
			return
		}
		for _, r := range missed.Rooms {
			resumed = append(resumed, r.Messages...)
		}
	}
	gate.mu.Unlock()

	msg := h.send(alice, chat.GeneralRoomID, "while bob reconnects")
	if resumeErr != nil {
		t.Fatalf("bob's reconnect: %v", resumeErr)
	}
	got := 0
	for _, m := range resumed {
		if m.Seq == msg.Seq {
			got++
		}
	}
	for _, d := range h.fan.OfType("b2", protocol.EventMessage) {
		var ev protocol.MessageEvent
		if err := d.Decode(&ev); err == nil && ev.Message.Seq == msg.Seq {
			got++
		}
	}
	if got == 0 {
		t.Errorf("bob's new connection got message %d neither live nor from its resume (resume answered %d messages)", msg.Seq, len(resumed))
	}
}
