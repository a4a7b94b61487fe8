package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractGifs: a message's GIF is stored and read back whole, kept by an
// edit and dropped by a tombstone.
func contractGifs(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("gif"), Kind: chat.KindPublic, Name: uniq("gif"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	g := GifList[1]
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Gif: &g, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetMessage(ctx, room.ID, m.Seq)
	if err != nil || got.Gif == nil || *got.Gif != g {
		t.Fatalf("GetMessage gif = %+v, %v", got.Gif, err)
	}
	page, _, err := s.MessagesBefore(ctx, room.ID, 0, 10)
	if err != nil || len(page) != 1 || page[0].Gif == nil || *page[0].Gif != g {
		t.Fatalf("MessagesBefore = %+v, %v", page, err)
	}
	got.Text, got.EditedAt = "with text", now.Add(time.Second)
	if err := s.ReplaceMessage(ctx, got); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.GetMessage(ctx, room.ID, m.Seq); e.Gif == nil || *e.Gif != g || e.Text != "with text" {
		t.Errorf("after an edit: %+v", e)
	}
	got.Deleted, got.Text, got.Gif, got.DeletedBy = true, "", nil, "u1"
	if err := s.ReplaceMessage(ctx, got); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetMessage(ctx, room.ID, m.Seq); d.Gif != nil || !d.Deleted {
		t.Errorf("the tombstone: %+v", d)
	}
}
