package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func TestRateLimitIsPerUser(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.RatePerWindow = 3; c.RateWindow = 10 * time.Second })
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	send := func(c chat.Connection, id string) error {
		_, err := h.svc.SendMessage(h.ctx, c, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: id, Text: "x"})
		return err
	}
	for i := range 3 {
		if err := send(alice, "a"+string(rune('0'+i))); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	err := send(alice, "a9")
	wantCode(t, err, chat.RateLimited)
	if msg := chat.ErrorMessage(err); !strings.Contains(msg, "limit is 3 per 10s") {
		t.Errorf("message %q does not state the limit", msg)
	}
	// Other actions count too; the rejected one stored nothing.
	_, err = h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "x"})
	wantCode(t, err, chat.RateLimited)
	if r, _ := h.store.GetRoom(h.ctx, chat.GeneralRoomID); r.LastSeq != 3 {
		t.Errorf("LastSeq = %d, want 3", r.LastSeq)
	}

	// Bob is not affected by alice.
	if err := send(bob, "b0"); err != nil {
		t.Errorf("bob was limited by alice's traffic: %v", err)
	}
	// Typing, markRead and getState are not counted.
	if err := h.svc.Typing(h.ctx, alice, protocol.TypingRequest{RoomID: chat.GeneralRoomID}); err != nil {
		t.Errorf("typing: %v", err)
	}
	if _, err := h.svc.MarkRead(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: 1}); err != nil {
		t.Errorf("markRead: %v", err)
	}
	if _, err := h.svc.GetState(h.ctx, alice); err != nil {
		t.Errorf("getState: %v", err)
	}

	h.advance(10 * time.Second)
	if err := send(alice, "a10"); err != nil {
		t.Errorf("next window: %v", err)
	}
}

// Every counted action is refused when the caller is over the limit.
func TestRateLimitCoversEveryCountedAction(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.RatePerWindow, c.ReadsPerWindow = 1, 1 })
	alice := h.connect("alice", "a1")
	if _, err := h.svc.ListUsers(h.ctx, alice, protocol.ListUsersRequest{}); err != nil { // the one read
		t.Fatal(err)
	}
	name := "n"
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: &name}); err != nil { // the one write
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"listUsers": func() error { _, err := h.svc.ListUsers(h.ctx, alice, protocol.ListUsersRequest{}); return err },
		"updateProfile": func() error {
			_, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: &name})
			return err
		},
		"createChannel": func() error {
			_, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "n"})
			return err
		},
		"listChannels": func() error { _, err := h.svc.ListChannels(h.ctx, alice, protocol.ListChannelsRequest{}); return err },
		"joinChannel": func() error {
			_, err := h.svc.JoinChannel(h.ctx, alice, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		"leaveChannel": func() error {
			_, err := h.svc.LeaveChannel(h.ctx, alice, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		"inviteToChannel": func() error {
			_, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: chat.GeneralRoomID, UserIDs: []string{"x"}})
			return err
		},
		"updateChannel": func() error {
			_, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: chat.GeneralRoomID, Topic: &name})
			return err
		},
		"listMembers": func() error {
			_, err := h.svc.ListMembers(h.ctx, alice, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		"openDirect": func() error {
			_, err := h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: []string{"x"}})
			return err
		},
		"sendMessage": func() error {
			_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k", Text: "x"})
			return err
		},
		"editMessage": func() error {
			_, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: 1, Text: "x"})
			return err
		},
		"deleteMessage": func() error {
			_, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: 1})
			return err
		},
		"history": func() error {
			_, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
			return err
		},
		"resume": func() error { _, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{}); return err },
	}
	for name, call := range calls {
		if err := call(); chat.ErrorCode(err) != chat.RateLimited {
			t.Errorf("%s over the limit: %v, want rate_limited", name, err)
		}
	}
}

// Reads have their own budget: a reconnect's resume and history after a
// burst of sends are not refused, and reads never use up the sends.
func TestReadsAndWritesAreCountedApart(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.RatePerWindow, c.ReadsPerWindow = 2, 3 })
	alice := h.connect("alice", "a1")
	h.send(alice, chat.GeneralRoomID, "one")
	h.send(alice, chat.GeneralRoomID, "two")
	if _, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "three", Text: "3"}); chat.ErrorCode(err) != chat.RateLimited {
		t.Fatalf("third send: %v, want rate_limited", err)
	}
	for i := range 3 {
		if _, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: map[string]int64{chat.GeneralRoomID: 0}}); err != nil {
			t.Fatalf("read %d after the sends were used up: %v", i+1, err)
		}
	}
	_, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
	if chat.ErrorCode(err) != chat.RateLimited || !strings.Contains(chat.ErrorMessage(err), "too many reads") {
		t.Fatalf("fourth read: %v, want rate_limited about reads", err)
	}
}
