package chattest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractLinkPreviews: previews stored on a message, a removal that a
// later worker write respects, an edit that keeps them and a tombstone
// that drops them.
func contractLinkPreviews(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("lp"), Kind: chat.KindPublic, Name: uniq("lp"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Text: "see https://a.example/ https://b.example/", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	a := chat.LinkPreview{URL: "https://a.example/", Title: "A", Description: "about a", ImageURL: "https://a.example/a.png", SiteName: "a.example"}
	b := chat.LinkPreview{URL: "https://b.example/", Title: "B"}
	got, changed, err := s.UpdateLinkPreviews(ctx, room.ID, m.Seq, chat.SetPreviews([]chat.LinkPreview{a, b}))
	if err != nil || !changed || !slices.Equal(got.Previews, []chat.LinkPreview{a, b}) {
		t.Fatalf("set previews = %+v, %v, %v", got.Previews, changed, err)
	}
	if _, changed, _ := s.UpdateLinkPreviews(ctx, room.ID, m.Seq, chat.SetPreviews([]chat.LinkPreview{a, b})); changed {
		t.Error("the same previews again changed the message")
	}
	if got, changed, err = s.UpdateLinkPreviews(ctx, room.ID, m.Seq, chat.RemovePreview(b.URL)); err != nil || !changed || !slices.Equal(got.Previews, []chat.LinkPreview{a}) {
		t.Fatalf("remove b = %+v, %v, %v", got.Previews, changed, err)
	}
	// A worker that finishes late does not bring b back.
	if got, _, err = s.UpdateLinkPreviews(ctx, room.ID, m.Seq, chat.SetPreviews([]chat.LinkPreview{a, b})); err != nil || !slices.Equal(got.Previews, []chat.LinkPreview{a}) {
		t.Fatalf("late worker = %+v, %v", got.Previews, err)
	}
	read, err := s.GetMessage(ctx, room.ID, m.Seq)
	if err != nil || !slices.Equal(read.Previews, []chat.LinkPreview{a}) {
		t.Fatalf("GetMessage previews = %+v, %v", read.Previews, err)
	}
	// An edit keeps them; a tombstone drops them.
	edit := read
	edit.Text, edit.EditedAt = "edited https://a.example/", now.Add(time.Second)
	if err := s.ReplaceMessage(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if read, _ = s.GetMessage(ctx, room.ID, m.Seq); len(read.Previews) != 1 {
		t.Errorf("an edit lost the previews: %+v", read.Previews)
	}
	tomb := read
	tomb.Text, tomb.Deleted, tomb.DeletedBy = "", true, "u1"
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if read, _ = s.GetMessage(ctx, room.ID, m.Seq); len(read.Previews) != 0 {
		t.Errorf("a tombstone kept the previews: %+v", read.Previews)
	}
	_, _, err = s.UpdateLinkPreviews(ctx, room.ID, m.Seq, chat.SetPreviews([]chat.LinkPreview{a}))
	wantCode(t, "previews on a tombstone", err, chat.Conflict)
	_, _, err = s.UpdateLinkPreviews(ctx, room.ID, 9999, chat.SetPreviews([]chat.LinkPreview{a}))
	wantCode(t, "previews on a missing message", err, chat.NotFound)
}
