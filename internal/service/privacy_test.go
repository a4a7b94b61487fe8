package service_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestDMFromRoomsNeedsASharedRoom: "people in my rooms" refuses a caller
// sharing no room (not even #general) and accepts them once they share
// one; the refusal names the reason.
func TestDMFromRoomsNeedsASharedRoom(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.connect("ann", "c-ann"), h.connect("bob", "c-bob")
	rooms := "rooms"
	if _, err := h.svc.SetPreferences(h.ctx, bob, protocol.SetPreferencesRequest{Privacy: &protocol.PrivacyPatch{DMFrom: &rooms}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ann", "bob"} {
		if err := h.store.RemoveMember(h.ctx, chat.GeneralRoomID, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err := h.svc.OpenDirect(h.ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob"}})
	wantCode(t, err, chat.Forbidden)
	if err == nil || !strings.Contains(err.Error(), "Bob accepts direct messages only from people in their rooms") {
		t.Errorf("refusal = %v", err)
	}
	room := h.channel(bob, "common", false)
	h.join(ann, room.ID)
	if _, err := h.svc.OpenDirect(h.ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob"}}); err != nil {
		t.Errorf("sharing #common: %v", err)
	}
}

// TestBlockedInviteeIsSkippedSilently: an invitation to a private channel
// from a blocked person leaves no invitation and tells nobody; the
// inviter's reply is as usual.
func TestBlockedInviteeIsSkippedSilently(t *testing.T) {
	h := newHarness(t)
	ann, eve := h.connect("ann", "c-ann"), h.connect("eve", "c-eve")
	if _, err := h.svc.BlockUser(h.ctx, ann, protocol.BlockUserRequest{UserID: "eve"}); err != nil {
		t.Fatal(err)
	}
	room := h.channel(eve, "den", true)
	if _, err := h.svc.InviteToChannel(h.ctx, eve, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"ann"}}); err != nil {
		t.Fatalf("the inviter is refused: %v", err)
	}
	if _, err := h.store.GetInvite(h.ctx, room.ID, "ann"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("an invitation was stored: %v", err)
	}
	if n := len(h.fan.OfType("c-ann", protocol.EventInvited)); n != 0 {
		t.Errorf("Ann got %d invited events", n)
	}
	// Blocking yourself, or nobody, is invalid; unblocking twice is fine.
	_, err := h.svc.BlockUser(h.ctx, ann, protocol.BlockUserRequest{UserID: "ann"})
	wantCode(t, err, chat.Invalid)
	for range 2 {
		if _, err := h.svc.UnblockUser(h.ctx, ann, protocol.BlockUserRequest{UserID: "eve"}); err != nil {
			t.Fatal(err)
		}
	}
}
