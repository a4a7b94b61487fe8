package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// The "left room" marker on DynamoDB Local: RemoveMember (leave, remove,
// ban all go through it) writes USER#<id> / LEFT#<roomId> in its
// transaction; a failed removal writes none; rejoining keeps it and
// leaving again moves leftAt; the erasure removes the membership without
// writing one back and deletes the markers with the person's other items.
func TestLeftRoomMarker(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, _ := newStore(t, dynamo.WithClock(func() time.Time { return clock() }))
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1", "u2")
	mustCreateRoom(t, s, testRoom("r2", chat.KindPrivate, "Two"), "u1", "u2")

	if got, err := s.LeftRooms(ctx, "u2"); err != nil || len(got) != 0 {
		t.Fatalf("before leaving: %+v, %v", got, err)
	}
	if err := s.RemoveMember(ctx, "r1", "u2"); err != nil {
		t.Fatal(err)
	}
	got, err := s.LeftRooms(ctx, "u2")
	if err != nil || len(got) != 1 || got[0].RoomID != "r1" || !got[0].LeftAt.Equal(now) {
		t.Fatalf("after leaving r1: %+v, %v", got, err)
	}
	if other, _ := s.LeftRooms(ctx, "u1"); len(other) != 0 {
		t.Errorf("u1 has left nothing: %+v", other)
	}
	// Not a member: NotFound, and no marker written by the failed transaction.
	if err := s.RemoveMember(ctx, "r1", "u3"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("remove a non-member: %v", err)
	}
	if m, _ := s.LeftRooms(ctx, "u3"); len(m) != 0 {
		t.Errorf("a failed removal left a marker: %+v", m)
	}
	// Rejoin keeps the marker; leaving again moves leftAt (one item).
	if err := s.AddMember(ctx, chat.Member{RoomID: "r1", UserID: "u2", Role: chat.RoleMember}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.LeftRooms(ctx, "u2"); len(m) != 1 {
		t.Errorf("after rejoining: %+v, want the marker kept", m)
	}
	now = now.Add(time.Hour)
	if err := s.RemoveMember(ctx, "r1", "u2"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, "r2", "u2"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LeftRooms(ctx, "u2")
	if len(got) != 2 || got[0].RoomID != "r1" || !got[0].LeftAt.Equal(now) || got[1].RoomID != "r2" {
		t.Errorf("after leaving both: %+v", got)
	}
	if r, _ := s.GetRoom(ctx, "r1"); r.MemberCount != 1 {
		t.Errorf("r1 member count %d, want 1", r.MemberCount)
	}

	// Erasure of u1 (still a member of both): the memberships go, no
	// marker is written back; u2's markers are untouched.
	if _, err := s.EraseUserItems(ctx, "u1", chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.LeftRooms(ctx, "u1"); len(m) != 0 {
		t.Errorf("the erasure wrote markers for u1: %+v", m)
	}
	if _, err := s.GetMember(ctx, "r1", "u1"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("u1 still a member after erasure: %v", err)
	}
	if m, _ := s.LeftRooms(ctx, "u2"); len(m) != 2 {
		t.Errorf("u2's markers after erasing u1: %+v", m)
	}
	// Erasure of u2 deletes the markers.
	if _, err := s.EraseUserItems(ctx, "u2", chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.LeftRooms(ctx, "u2"); len(m) != 0 {
		t.Errorf("markers survive the erasure: %+v", m)
	}
}
