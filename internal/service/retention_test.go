package service_test

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func intp(v int) *int { return &v }

// TestRetentionStampsAndHides: a message gets its expiry from the room's
// retention (the room's own over the workspace's, over the deploy-time
// default), and once the clock passes it, history, resume and reads leave
// it out before anything deletes it.
func TestRetentionStampsAndHides(t *testing.T) {
	h := newHarness(t, func(cfg *service.Config) { cfg.RetentionDays = 30 })
	admin := h.connect("ada", "c-ada")
	admin.Groups = []string{chat.GroupAdmins}
	bob := h.connect("bob", "c-bob")
	room := h.channel(admin, "ops", false)
	h.join(bob, room.ID)

	ws, err := h.svc.GetWorkspaceSettings(h.ctx, bob)
	if err != nil || ws.Settings.RetentionDays != 30 {
		t.Fatalf("GetWorkspaceSettings = %+v, %v; want the deploy-time 30", ws, err)
	}
	m30 := h.send(bob, room.ID, "kept 30 days")
	if want := h.clock().Add(30 * 24 * time.Hour); !m30.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", m30.ExpiresAt, want)
	}

	// Members may not change it; the room's owner may.
	_, err = h.svc.SetRoomRetention(h.ctx, bob, protocol.SetRoomRetentionRequest{RoomID: room.ID, RetentionDays: intp(1)})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.SetRoomRetention(h.ctx, admin, protocol.SetRoomRetentionRequest{RoomID: room.ID, RetentionDays: intp(-1)})
	wantCode(t, err, chat.Invalid)
	ev, err := h.svc.SetRoomRetention(h.ctx, admin, protocol.SetRoomRetentionRequest{RoomID: room.ID, RetentionDays: intp(1)})
	if err != nil || ev.Room.RetentionDays == nil || *ev.Room.RetentionDays != 1 {
		t.Fatalf("SetRoomRetention = %+v, %v", ev, err)
	}
	m1 := h.send(bob, room.ID, "kept a day")
	if want := h.clock().Add(24 * time.Hour); !m1.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", m1.ExpiresAt, want)
	}

	h.advance(25 * time.Hour)
	hist, err := h.svc.History(h.ctx, bob, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range hist.Messages {
		if m.Seq == m1.Seq {
			t.Errorf("history shows the expired message %d", m1.Seq)
		}
	}
	if !containsSeq(hist.Messages, m30.Seq) {
		t.Errorf("history lost the message kept 30 days")
	}
	if _, err := h.store.GetMessage(h.ctx, room.ID, m1.Seq); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetMessage of an expired message = %v, want not_found", err)
	}
	if n := h.store.ExpireMessages(); n != 1 {
		t.Errorf("ExpireMessages removed %d, want 1", n)
	}

	// The workspace default: admins only; 0 keeps forever.
	_, err = h.svc.SetWorkspaceSettings(h.ctx, bob, protocol.SetWorkspaceSettingsRequest{RetentionDays: intp(0)})
	wantCode(t, err, chat.Forbidden)
	if _, err := h.svc.SetWorkspaceSettings(h.ctx, admin, protocol.SetWorkspaceSettingsRequest{RetentionDays: intp(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.SetRoomRetention(h.ctx, admin, protocol.SetRoomRetentionRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	if m := h.send(bob, room.ID, "forever"); !m.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt = %v under 0 days, want none", m.ExpiresAt)
	}
}

func containsSeq(ms []chat.Message, seq int64) bool {
	for _, m := range ms {
		if m.Seq == seq {
			return true
		}
	}
	return false
}

// TestWorkspaceDefaultStartsTheRestamp: a new workspace default starts the
// background re-stamp of the rooms that follow it (the stream's retention
// consumer pages through them: TestWorkspaceRestampPages); a refused
// change starts nothing.
func TestWorkspaceDefaultStartsTheRestamp(t *testing.T) {
	h := newHarness(t)
	admin := h.connect("ada", "c-ada")
	admin.Groups = []string{chat.GroupAdmins}
	bob := h.connect("bob", "c-bob")
	_, err := h.svc.SetWorkspaceSettings(h.ctx, bob, protocol.SetWorkspaceSettingsRequest{RetentionDays: intp(7)})
	wantCode(t, err, chat.Forbidden)
	if len(h.store.WorkspaceRestamps) != 0 {
		t.Fatalf("a refused change started %q", h.store.WorkspaceRestamps)
	}
	if _, err := h.svc.SetWorkspaceSettings(h.ctx, admin, protocol.SetWorkspaceSettingsRequest{RetentionDays: intp(7)}); err != nil {
		t.Fatal(err)
	}
	if len(h.store.WorkspaceRestamps) != 1 || h.store.WorkspaceRestamps[0] != "" {
		t.Errorf("started %q, want one job from the start", h.store.WorkspaceRestamps)
	}
}
