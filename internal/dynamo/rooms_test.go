package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func testRoom(id string, kind chat.RoomKind, name string) chat.Room {
	return chat.Room{ID: id, Kind: kind, Name: name, CreatedBy: "u1", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

func member(room, user string, role chat.Role) chat.Member {
	return chat.Member{RoomID: room, UserID: user, Role: role, JoinedAt: time.Now().UTC().Truncate(time.Millisecond)}
}

func mustCreateRoom(t *testing.T, s *dynamo.Store, r chat.Room, users ...string) {
	t.Helper()
	var ms []chat.Member
	for i, u := range users {
		role := chat.RoleMember
		if i == 0 {
			role = chat.RoleOwner
		}
		ms = append(ms, member(r.ID, u, role))
	}
	if err := s.CreateRoom(context.Background(), r, ms); err != nil {
		t.Fatalf("CreateRoom(%s): %v", r.ID, err)
	}
}

func TestCreateAndGetRoom(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	r := testRoom("dm-1", chat.KindDirect, "")
	r.MemberIDs = []string{"u1", "u2"}
	r.MemberCount = 99 // ignored: the count is the members written
	mustCreateRoom(t, s, r, "u1", "u2")

	got, err := s.GetRoom(ctx, "dm-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "dm-1" || got.Kind != chat.KindDirect || got.MemberCount != 2 || got.LastSeq != 0 ||
		!slices.Equal(got.MemberIDs, r.MemberIDs) || !got.CreatedAt.Equal(r.CreatedAt) || got.CreatedBy != "u1" {
		t.Errorf("GetRoom = %+v", got)
	}
	if err := s.CreateRoom(ctx, r, nil); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("CreateRoom(existing) = %v, want conflict", err)
	}
	if _, err := s.GetRoom(ctx, "nope"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetRoom(nope) = %v, want not_found", err)
	}
	dup := []chat.Member{member("x", "u1", chat.RoleOwner), member("x", "u1", chat.RoleMember)}
	if err := s.CreateRoom(ctx, testRoom("x", chat.KindPrivate, "x"), dup); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("CreateRoom(duplicate members) = %v, want invalid", err)
	}
	m, err := s.GetMember(ctx, "dm-1", "u1")
	if err != nil || m.Role != chat.RoleOwner || m.RoomID != "dm-1" || m.ReadSeq != 0 {
		t.Errorf("GetMember = %+v, %v", m, err)
	}
}

func TestMembership(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	mustCreateRoom(t, s, testRoom("r2", chat.KindPrivate, "Two"), "u2")

	if err := s.AddMember(ctx, member("r1", "u2", chat.RoleMember)); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	if err := s.AddMember(ctx, member("r1", "u2", chat.RoleMember)); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("AddMember(again) = %v, want conflict", err)
	}
	if err := s.AddMember(ctx, member("ghost-room", "u2", chat.RoleMember)); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("AddMember(unknown room) = %v, want not_found", err)
	}
	if _, err := s.GetMember(ctx, "ghost-room", "u2"); chat.ErrorCode(err) != chat.NotFound {
		t.Error("a failed AddMember left a membership behind")
	}
	if r, _ := s.GetRoom(ctx, "r1"); r.MemberCount != 2 {
		t.Errorf("memberCount after add = %d, want 2", r.MemberCount)
	}

	ms, err := s.ListMembers(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, m := range ms {
		users = append(users, m.UserID)
	}
	if !slices.Equal(users, []string{"u1", "u2"}) {
		t.Errorf("ListMembers = %v", users)
	}

	rooms, err := s.UserRooms(ctx, "u2")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range rooms {
		ids = append(ids, m.RoomID)
	}
	if !slices.Equal(ids, []string{"r1", "r2"}) {
		t.Errorf("UserRooms(u2) = %v", ids)
	}

	if err := s.RemoveMember(ctx, "r1", "u2"); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	if err := s.RemoveMember(ctx, "r1", "u2"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("RemoveMember(again) = %v, want not_found", err)
	}
	if r, _ := s.GetRoom(ctx, "r1"); r.MemberCount != 1 {
		t.Errorf("memberCount after remove = %d, want 1", r.MemberCount)
	}
	if _, err := s.GetMember(ctx, "r1", "u2"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetMember after remove = %v, want not_found", err)
	}
	if rooms, _ := s.UserRooms(ctx, "u2"); len(rooms) != 1 || rooms[0].RoomID != "r2" {
		t.Errorf("UserRooms after remove = %+v", rooms)
	}
}

func TestAdvanceReadSeqOnlyForward(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPrivate, "One"), "u1")

	steps := []struct {
		seq  int64
		want bool
	}{{5, true}, {5, false}, {3, false}, {9, true}}
	for _, st := range steps {
		moved, err := s.AdvanceReadSeq(ctx, "r1", "u1", st.seq)
		if err != nil || moved != st.want {
			t.Errorf("AdvanceReadSeq(%d) = %v, %v, want %v", st.seq, moved, err, st.want)
		}
	}
	if m, _ := s.GetMember(ctx, "r1", "u1"); m.ReadSeq != 9 {
		t.Errorf("ReadSeq = %d, want 9", m.ReadSeq)
	}
	if _, err := s.AdvanceReadSeq(ctx, "r1", "stranger", 1); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("AdvanceReadSeq(non-member) = %v, want not_found", err)
	}
	if _, err := s.GetMember(ctx, "r1", "stranger"); chat.ErrorCode(err) != chat.NotFound {
		t.Error("AdvanceReadSeq created a membership")
	}
}

func TestUpdateRoom(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	r := testRoom("r1", chat.KindPublic, "Alpha")
	r.Topic = "old topic"
	mustCreateRoom(t, s, r, "u1")
	mustCreateRoom(t, s, testRoom("r2", chat.KindPublic, "Beta"), "u1")

	if _, _, err := s.AppendMessage(ctx, chat.Message{RoomID: "r1", SenderID: "u1", ClientID: "c", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	name, empty := "Zulu", ""
	got, err := s.UpdateRoom(ctx, "r1", &name, &empty)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Zulu" || got.Topic != "" || got.Kind != chat.KindPublic || got.MemberCount != 1 || got.LastSeq != 1 {
		t.Errorf("UpdateRoom = %+v", got)
	}
	// The public listing follows the new name.
	rooms, _, err := s.ListPublicRooms(ctx, "", 10)
	if err != nil || len(rooms) != 2 || rooms[0].ID != "r2" || rooms[1].Name != "Zulu" {
		t.Errorf("ListPublicRooms after rename = %+v, %v", rooms, err)
	}
	topic := "new topic"
	if got, err := s.UpdateRoom(ctx, "r1", nil, &topic); err != nil || got.Topic != topic || got.Name != "Zulu" {
		t.Errorf("UpdateRoom(topic) = %+v, %v", got, err)
	}
	if _, err := s.UpdateRoom(ctx, "ghost", &name, nil); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("UpdateRoom(ghost) = %v, want not_found", err)
	}
	if _, err := s.GetRoom(ctx, "ghost"); chat.ErrorCode(err) != chat.NotFound {
		t.Error("UpdateRoom created a room")
	}
}

func TestListPublicRoomsPagesByNameAndSkipsPrivate(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	names := []string{"delta", "Alpha", "charlie", "Bravo", "echo"}
	for i, n := range names {
		mustCreateRoom(t, s, testRoom(fmt.Sprintf("pub-%d", i), chat.KindPublic, n), "u1")
	}
	mustCreateRoom(t, s, testRoom("priv", chat.KindPrivate, "aaa private"), "u1")
	mustCreateRoom(t, s, testRoom("dm", chat.KindDirect, "aaa direct"), "u1", "u2")

	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		rooms, next, err := s.ListPublicRooms(ctx, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rooms {
			got = append(got, r.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"Alpha", "Bravo", "charlie", "delta", "echo"}; !slices.Equal(got, want) {
		t.Errorf("ListPublicRooms = %v, want %v", got, want)
	}
}
