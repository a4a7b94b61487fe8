package dynamo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestWebhooks (issue 16) on DynamoDB Local: create, get, list (in its
// room's partition, oldest first), rotate, revoke (the hash goes, revoking
// again is harmless, a revoked webhook cannot be rotated), a message's
// integration marker round-trips, and the room's purge deletes them.
func TestWebhooks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	room := chat.Room{ID: "c_hooks", Kind: chat.KindPublic, Name: "hooks", CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	a := chat.Webhook{ID: "wh_a", RoomID: room.ID, Name: "CI", AvatarURL: "https://example.com/a.png", CreatedBy: "u1", CreatedAt: now, SecretHash: bytes.Repeat([]byte{1}, 32)}
	b := chat.Webhook{ID: "wh_b", RoomID: room.ID, Name: "Alerts", CreatedBy: "u1", CreatedAt: now.Add(time.Second), SecretHash: bytes.Repeat([]byte{2}, 32)}
	for _, w := range []chat.Webhook{b, a} {
		if err := s.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateWebhook(ctx, a); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("the same id twice: %v", err)
	}
	got, err := s.GetWebhook(ctx, room.ID, "wh_a")
	if err != nil || got.Name != "CI" || got.AvatarURL != a.AvatarURL || !bytes.Equal(got.SecretHash, a.SecretHash) || !got.CreatedAt.Equal(now) || got.Revoked() {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := s.GetWebhook(ctx, room.ID, "wh_none"); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("missing: %v", err)
	}
	list, err := s.ListWebhooks(ctx, room.ID)
	if err != nil || len(list) != 2 || list[0].ID != "wh_a" || list[1].ID != "wh_b" {
		t.Fatalf("list: %+v %v", list, err)
	}
	// The room's other items are untouched by the HOOK# range.
	if ms, err := s.ListMembers(ctx, room.ID); err != nil || len(ms) != 1 {
		t.Fatalf("members: %+v %v", ms, err)
	}
	rot, err := s.RotateWebhookSecret(ctx, room.ID, "wh_a", bytes.Repeat([]byte{3}, 32), now.Add(time.Minute))
	if err != nil || !bytes.Equal(rot.SecretHash, bytes.Repeat([]byte{3}, 32)) || rot.RotatedAt.IsZero() {
		t.Fatalf("rotate: %+v %v", rot, err)
	}
	rev, err := s.RevokeWebhook(ctx, room.ID, "wh_a", "u1", now.Add(2*time.Minute))
	if err != nil || !rev.Revoked() || rev.RevokedBy != "u1" || len(rev.SecretHash) != 0 {
		t.Fatalf("revoke: %+v %v", rev, err)
	}
	again, err := s.RevokeWebhook(ctx, room.ID, "wh_a", "u2", now.Add(3*time.Minute))
	if err != nil || again.RevokedBy != "u1" || !again.RevokedAt.Equal(rev.RevokedAt) {
		t.Fatalf("revoke again: %+v %v", again, err)
	}
	if _, err := s.RotateWebhookSecret(ctx, room.ID, "wh_a", bytes.Repeat([]byte{4}, 32), now); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("rotate revoked: %v", err)
	}
	if _, err := s.RevokeWebhook(ctx, room.ID, "wh_none", "u1", now); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("revoke missing: %v", err)
	}
	if _, err := s.RotateWebhookSecret(ctx, room.ID, "wh_none", nil, now); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("rotate missing: %v", err)
	}

	intg := &chat.MessageIntegration{Kind: chat.IntegrationWebhook, ID: "wh_b", Name: "Alerts", AvatarURL: "https://example.com/b.png"}
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, ClientID: "hook-1", SenderID: chat.WebhookSenderPrefix + "wh_b", SenderName: "Alerts", Text: "disk full", Integration: intg, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.GetMessage(ctx, room.ID, m.Seq)
	if err != nil || stored.Integration == nil || *stored.Integration != *intg {
		t.Fatalf("the marker: %+v %v", stored.Integration, err)
	}

	if err := s.DeleteRoom(ctx, room.ID, "u1"); err != nil {
		t.Fatal(err)
	}
	for more := true; more; {
		if more, err = s.PurgeRoom(ctx, room.ID, 100); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := s.ListWebhooks(ctx, room.ID); err != nil || len(list) != 0 {
		t.Fatalf("webhooks after the purge: %+v %v", list, err)
	}
}
