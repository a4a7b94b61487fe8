package retention_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/retention"
)

// TestRestampPasses: a cue re-stamps the room's messages from its seq, in
// passes of the given size, each asking for the next; the expiry follows
// the room's own retention, else the workspace's, else the default.
func TestRestampPasses(t *testing.T) {
	ctx := context.Background()
	st := chattest.NewStore()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	if err := st.CreateRoom(ctx, chat.Room{ID: "r1", Kind: chat.KindPublic, Name: "r1", CreatedAt: now}, []chat.Member{{RoomID: "r1", UserID: "u", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, _, err := st.AppendMessage(ctx, chat.Message{RoomID: "r1", SenderID: "u", ClientID: string(rune('a' + i)), Text: "x", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	r := retention.New(st, 0, 2, nil)
	seven := 7
	if _, err := st.SetRoomRetention(ctx, "r1", &seven); err != nil {
		t.Fatal(err)
	}
	if err := r.Consume(ctx, []chat.Event{chat.RoomRestamp{RoomID: "r1"}}); err != nil {
		t.Fatal(err)
	}
	ms, _ := st.GetMessages(ctx, "r1", []int64{1, 2, 3, 4, 5})
	want := now.Add(7 * 24 * time.Hour)
	for _, m := range ms {
		if stamped := m.Seq <= 2; stamped != m.ExpiresAt.Equal(want) {
			t.Errorf("after one pass of 2: message %d expires %v", m.Seq, m.ExpiresAt)
		}
	}
	// The next passes, as the stream would cue them.
	if err := r.Consume(ctx, []chat.Event{chat.RoomRestamp{RoomID: "r1", From: 2, Pass: 1}, chat.RoomRestamp{RoomID: "r1", From: 4, Pass: 2}}); err != nil {
		t.Fatal(err)
	}
	ms, _ = st.GetMessages(ctx, "r1", []int64{1, 2, 3, 4, 5})
	for _, m := range ms {
		if !m.ExpiresAt.Equal(want) {
			t.Errorf("message %d expires %v, want %v", m.Seq, m.ExpiresAt, want)
		}
	}
	// Back to the workspace's default: 0 keeps them forever.
	if _, err := st.SetRoomRetention(ctx, "r1", nil); err != nil {
		t.Fatal(err)
	}
	if err := retention.New(st, 0, 0, nil).Consume(ctx, []chat.Event{chat.RoomRestamp{RoomID: "r1"}}); err != nil {
		t.Fatal(err)
	}
	ms, _ = st.GetMessages(ctx, "r1", []int64{1, 2, 3, 4, 5})
	if len(ms) != 5 {
		t.Fatalf("%d messages, want 5", len(ms))
	}
	for _, m := range ms {
		if !m.ExpiresAt.IsZero() {
			t.Errorf("message %d expires %v under forever", m.Seq, m.ExpiresAt)
		}
	}
	// A deleted room is skipped.
	if err := r.Consume(ctx, []chat.Event{chat.RoomRestamp{RoomID: "gone"}}); err != nil {
		t.Errorf("unknown room: %v", err)
	}
}

// TestWorkspaceRestampPages: the workspace default's re-stamp pages
// through every room (RoomsPerPage a page, each page cueing the next) and
// starts the re-stamp (from seq 0) of each room that follows the default;
// rooms with their own retention are left alone.
func TestWorkspaceRestampPages(t *testing.T) {
	ctx := context.Background()
	st := chattest.NewStore()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	seven := 7
	var follow []string
	for i := range retention.RoomsPerPage + 50 {
		id := fmt.Sprintf("c_%03d", i)
		if i == 0 {
			id = chat.GeneralRoomID // where the job keeps its place
		}
		if err := st.CreateRoom(ctx, chat.Room{ID: id, Kind: chat.KindPublic, Name: id, CreatedAt: now}, []chat.Member{{RoomID: id, UserID: "u", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 5 {
			if _, err := st.SetRoomRetention(ctx, id, &seven); err != nil {
				t.Fatal(err)
			}
			continue
		}
		follow = append(follow, id+"@0")
	}
	r := retention.New(st, 0, 0, nil)
	if err := r.Consume(ctx, []chat.Event{chat.WorkspaceRestamp{}}); err != nil {
		t.Fatal(err)
	}
	if len(st.WorkspaceRestamps) != 1 || st.WorkspaceRestamps[0] == "" {
		t.Fatalf("after the first page: continuations %q, want one with a cursor", st.WorkspaceRestamps)
	}
	first := len(st.Restamps)
	if first == 0 || first >= len(follow) {
		t.Fatalf("first page started %d re-stamps of %d", first, len(follow))
	}
	if err := r.Consume(ctx, []chat.Event{chat.WorkspaceRestamp{Cursor: st.WorkspaceRestamps[0], Pass: 1}}); err != nil {
		t.Fatal(err)
	}
	if len(st.WorkspaceRestamps) != 1 {
		t.Errorf("the last page asked for another: %q", st.WorkspaceRestamps)
	}
	got := slices.Clone(st.Restamps)
	slices.Sort(got)
	slices.Sort(follow)
	if !slices.Equal(got, follow) {
		t.Errorf("re-stamps started %v\nwant every room following the default %v", got, follow)
	}
}
