package service_test

import (
	"errors"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The last open room is remembered per account: markRead {open} on one
// connection, getState on another (another browser) answers it; a plain
// markRead does not move it; a room left is not answered.
func TestLastOpenRoomFollowsTheAccount(t *testing.T) {
	h := newHarness(t)
	ann := h.connect("ann", "a1")
	st, err := h.svc.GetState(h.ctx, ann)
	if err != nil || st.LastRoomID != "" {
		t.Fatalf("fresh state: last room %q, %v", st.LastRoomID, err)
	}
	ops := h.channel(ann, "ops", false)
	h.send(ann, ops.ID, "one")
	// Opening a room that has nothing unread: the position does not move,
	// the room is still recorded.
	if _, err := h.svc.MarkRead(h.ctx, ann, protocol.MarkReadRequest{RoomID: ops.ID, Seq: 0, Open: true}); err != nil {
		t.Fatal(err)
	}
	// A plain markRead elsewhere does not count as opening.
	if _, err := h.svc.MarkRead(h.ctx, ann, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Seq: 0}); err != nil {
		t.Fatal(err)
	}
	other := h.connect("ann", "a2") // another browser
	st, err = h.svc.GetState(h.ctx, other)
	if err != nil || st.LastRoomID != ops.ID || st.LastRoomAt != h.clock().UnixMilli() {
		t.Fatalf("other browser: last room %q, %v; want %s", st.LastRoomID, err, ops.ID)
	}
	// Not a member any more: not answered. (The last owner cannot leave:
	// ann hands ownership to bob first.)
	bob := h.connect("bob", "b1")
	h.join(bob, ops.ID)
	if _, err := h.svc.SetMemberRole(h.ctx, ann, protocol.SetMemberRoleRequest{RoomID: ops.ID, UserID: "bob", Role: chat.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.LeaveChannel(h.ctx, ann, protocol.RoomRequest{RoomID: ops.ID}); err != nil {
		t.Fatal(err)
	}
	if st, _ = h.svc.GetState(h.ctx, other); st.LastRoomID != "" {
		t.Errorf("after leaving: last room %q", st.LastRoomID)
	}
	// Opening a room one may not read records nothing.
	priv := h.channel(bob, "secret", true)
	_, err = h.svc.MarkRead(h.ctx, ann, protocol.MarkReadRequest{RoomID: priv.ID, Open: true})
	wantCode(t, err, chat.NotFound)
	if id, _, _ := h.store.LastRoom(h.ctx, "ann"); id != ops.ID {
		t.Errorf("refused markRead recorded %q", id)
	}
	// A store failure on the record does not fail the read receipt.
	h.store.FailOn("SetLastRoom", errors.New("dynamo down"))
	if _, err := h.svc.MarkRead(h.ctx, ann, protocol.MarkReadRequest{RoomID: chat.GeneralRoomID, Open: true}); err != nil {
		t.Errorf("markRead with a failing record: %v", err)
	}
}
