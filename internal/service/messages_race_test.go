package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// raceAfterRead runs a write right after the next GetMessage returns: a
// concurrent action landing between the service's read and its write,
// without timing.
type raceAfterRead struct {
	chat.Store
	mu   sync.Mutex
	then func()
}

func (r *raceAfterRead) GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	m, err := r.Store.GetMessage(ctx, roomID, seq)
	r.mu.Lock()
	then := r.then
	r.then = nil
	r.mu.Unlock()
	if then != nil {
		then()
	}
	return m, err
}

// newRaceHarness is a harness whose service reads messages through race.
func newRaceHarness(t *testing.T) (*harness, *raceAfterRead) {
	race := &raceAfterRead{}
	h := newHarness(t, func(c *service.Config) {
		race.Store = c.Store
		c.Store = race
	})
	return h, race
}

// deleteBehind arms race to delete (tombstone) the message in the store
// once the service has read it.
func deleteBehind(t *testing.T, h *harness, race *raceAfterRead, m chat.Message) {
	race.mu.Lock()
	defer race.mu.Unlock()
	race.then = func() {
		tomb := m
		tomb.Text, tomb.Mentions, tomb.Deleted, tomb.EditedAt = "", nil, true, m.CreatedAt.Add(time.Second)
		if err := h.store.ReplaceMessage(h.ctx, tomb); err != nil {
			t.Errorf("concurrent delete: %v", err)
		}
	}
}

func TestEditRacingDeleteKeepsTheTombstone(t *testing.T) {
	h, race := newRaceHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	msg := h.send(alice, chat.GeneralRoomID, "oops")
	h.fan.Reset()

	deleteBehind(t, h, race, msg)
	_, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: msg.Seq, Text: "fixed"})
	wantConflict(t, err, "message was deleted")
	stored, _ := h.store.GetMessage(h.ctx, chat.GeneralRoomID, msg.Seq)
	if !stored.Deleted || stored.Text != "" {
		t.Errorf("the edit overwrote the tombstone: %+v", stored)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessageUpdated)); n != 0 {
		t.Errorf("the refused edit pushed %d updates", n)
	}
}

func TestDeleteRacingDeleteAnswersTheTombstone(t *testing.T) {
	h, race := newRaceHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	msg := h.send(alice, chat.GeneralRoomID, "twice")
	h.fan.Reset()

	deleteBehind(t, h, race, msg)
	ev, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: msg.Seq})
	if err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if ev.Type != protocol.EventMessageUpdated || !ev.Message.Deleted || !ev.Message.EditedAt.Equal(msg.CreatedAt.Add(time.Second)) {
		t.Errorf("reply = %+v, want the winning tombstone", ev)
	}
	// The winner told the room; the loser must not tell it again.
	if n := len(h.fan.OfType("b1", protocol.EventMessageUpdated)); n != 0 {
		t.Errorf("the losing delete pushed %d updates", n)
	}
}
