package service_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// harness is a service over the in-memory fakes with a hand-driven clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	store *chattest.Store
	fan   *chattest.Fanout
	svc   *service.Chat
	// events records every domain event the service publishes.
	events *chattest.Events

	mu   sync.Mutex
	now  time.Time
	sent int // client ids issued by send
}

// newHarness builds a service with a generous rate limit (tests of the
// limit set their own) and a clock at a fixed instant.
func newHarness(t *testing.T, tweak ...func(*service.Config)) *harness {
	t.Helper()
	h := &harness{
		t: t, ctx: context.Background(),
		store: chattest.NewStore(), fan: chattest.NewFanout(), events: chattest.NewEvents(),
		now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
	}
	h.store.Now = h.clock
	cfg := service.Config{Store: h.store, Fanout: h.fan, Now: h.clock, RatePerWindow: 10000,
		Subscribers: []chat.EventSubscriber{h.events}}
	for _, f := range tweak {
		f(&cfg)
	}
	svc, err := service.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.svc = svc
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// connect signs userID in on connection connID and returns the stored
// connection, as wsapi would load it for every action.
func (h *harness) connect(userID, connID string) chat.Connection {
	h.t.Helper()
	id := chat.Identity{UserID: userID, Username: userID, DisplayName: strings.ToUpper(userID[:1]) + userID[1:]}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: connID, Identity: id}); err != nil {
		h.t.Fatalf("Connect(%s, %s): %v", userID, connID, err)
	}
	c, err := h.svc.Connection(h.ctx, connID)
	if err != nil {
		h.t.Fatalf("Connection(%s): %v", connID, err)
	}
	return c
}

func (h *harness) channel(c chat.Connection, name string, private bool) chat.Room {
	h.t.Helper()
	ev, err := h.svc.CreateChannel(h.ctx, c, protocol.CreateChannelRequest{Name: name, Private: private})
	if err != nil {
		h.t.Fatalf("CreateChannel(%s): %v", name, err)
	}
	return ev.Room.Room
}

func (h *harness) join(c chat.Connection, roomID string) {
	h.t.Helper()
	if _, err := h.svc.JoinChannel(h.ctx, c, protocol.RoomRequest{RoomID: roomID}); err != nil {
		h.t.Fatalf("JoinChannel(%s): %v", roomID, err)
	}
}

func (h *harness) direct(c chat.Connection, others ...string) chat.Room {
	h.t.Helper()
	ev, err := h.svc.OpenDirect(h.ctx, c, protocol.OpenDirectRequest{UserIDs: others})
	if err != nil {
		h.t.Fatalf("OpenDirect(%v): %v", others, err)
	}
	return ev.Room.Room
}

func (h *harness) send(c chat.Connection, roomID, text string) chat.Message {
	h.t.Helper()
	h.sent++
	ack, err := h.svc.SendMessage(h.ctx, c, protocol.SendMessageRequest{
		RoomID: roomID, ClientID: "m" + strconv.Itoa(h.sent), Text: text,
	})
	if err != nil {
		h.t.Fatalf("SendMessage(%s, %q): %v", roomID, text, err)
	}
	return ack.Message
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code chat.Code) {
	t.Helper()
	if got := chat.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// decode unmarshals the single delivery of type typ to conn.
func decodeOne[T any](t *testing.T, f *chattest.Fanout, conn, typ string) T {
	t.Helper()
	ds := f.OfType(conn, typ)
	if len(ds) != 1 {
		t.Fatalf("%s received %d %q events, want 1 (all: %v)", conn, len(ds), typ, f.Types(conn))
	}
	var v T
	if err := ds[0].Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", typ, err)
	}
	return v
}

func roomIDs(rooms []protocol.RoomState) []string {
	var ids []string
	for _, r := range rooms {
		ids = append(ids, r.ID)
	}
	return ids
}
