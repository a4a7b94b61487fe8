package chattest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractConversations: reactions, pins, the change log, earlier
// versions and saved messages.
func contractConversations(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("conv"), Kind: chat.KindPublic, Name: uniq("conv"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, text := range []string{"one", "two", "three"} {
		m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Text: text, CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, m.Seq)
	}

	// The change log: numbers from 1, in order, strongly consistent.
	if r, _ := s.GetRoom(ctx, room.ID); r.LastChg != 0 {
		t.Errorf("a new room's LastChg = %d", r.LastChg)
	}
	for i, seq := range []int64{seqs[0], seqs[1], seqs[0]} {
		chg, err := s.RecordChange(ctx, room.ID, seq)
		if err != nil || chg != int64(i+1) {
			t.Fatalf("RecordChange #%d = %d, %v", i+1, chg, err)
		}
	}
	if r, _ := s.GetRoom(ctx, room.ID); r.LastChg != 3 {
		t.Errorf("LastChg after three = %d", r.LastChg)
	}
	chs, more, err := s.ChangesAfter(ctx, room.ID, 1, 1)
	if err != nil || !more || len(chs) != 1 || chs[0] != (chat.Change{Chg: 2, Seq: seqs[1]}) {
		t.Errorf("ChangesAfter(1, limit 1) = %+v %v %v", chs, more, err)
	}
	chs, more, _ = s.ChangesAfter(ctx, room.ID, 0, 10)
	if more || len(chs) != 3 || chs[2] != (chat.Change{Chg: 3, Seq: seqs[0]}) {
		t.Errorf("ChangesAfter(0) = %+v %v", chs, more)
	}
	_, err = s.RecordChange(ctx, "no-such-room", 1)
	wantCode(t, "RecordChange of an unknown room", err, chat.NotFound)

	// GetMessages: in seq order, missing ones left out.
	got, err := s.GetMessages(ctx, room.ID, []int64{seqs[2], 999, seqs[0], seqs[0]})
	if err != nil || len(got) != 2 || got[0].Seq != seqs[0] || got[1].Text != "three" {
		t.Errorf("GetMessages = %+v, %v", got, err)
	}

	// Reactions: idempotent, in first-used order, removed when empty.
	m, changed, err := s.React(ctx, room.ID, seqs[0], "u1", "👍", true)
	if err != nil || !changed || len(m.Reactions) != 1 || m.Text != "one" {
		t.Fatalf("React = %+v %v %v", m, changed, err)
	}
	if _, changed, _ := s.React(ctx, room.ID, seqs[0], "u1", "👍", true); changed {
		t.Error("the same reaction twice changed the message")
	}
	_, _, _ = s.React(ctx, room.ID, seqs[0], "u2", "🎉", true)
	m, _, _ = s.React(ctx, room.ID, seqs[0], "u2", "👍", true)
	want := []chat.Reaction{{Emoji: "👍", UserIDs: []string{"u1", "u2"}}, {Emoji: "🎉", UserIDs: []string{"u2"}}}
	if !reactionsEqual(m.Reactions, want) {
		t.Errorf("reactions = %+v, want %+v", m.Reactions, want)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, seqs[0]); !reactionsEqual(stored.Reactions, want) {
		t.Errorf("stored reactions = %+v", stored.Reactions)
	}
	m, changed, _ = s.React(ctx, room.ID, seqs[0], "u2", "🎉", false)
	if !changed || len(m.Reactions) != 1 {
		t.Errorf("removing the last 🎉: %+v %v", m.Reactions, changed)
	}
	_, _, err = s.React(ctx, room.ID, 999, "u1", "👍", true)
	wantCode(t, "React on a missing message", err, chat.NotFound)

	// Pins: the message and the room's set; idempotent.
	pm, err := s.SetPinned(ctx, room.ID, seqs[1], "u1", now, true)
	if err != nil || pm.PinnedBy != "u1" || !pm.PinnedAt.Equal(now) {
		t.Fatalf("SetPinned = %+v, %v", pm, err)
	}
	if _, err := s.SetPinned(ctx, room.ID, seqs[1], "u2", now, true); err != nil {
		t.Errorf("pinning again: %v", err)
	}
	if _, err := s.SetPinned(ctx, room.ID, seqs[0], "u1", now, true); err != nil {
		t.Fatal(err)
	}
	if pins, err := s.PinnedSeqs(ctx, room.ID); err != nil || !slices.Equal(pins, []int64{seqs[1], seqs[0]}) {
		t.Errorf("PinnedSeqs = %v, %v", pins, err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, seqs[1]); stored.PinnedBy != "u1" {
		t.Errorf("stored pin = %+v", stored)
	}
	if um, err := s.SetPinned(ctx, room.ID, seqs[0], "u1", now, false); err != nil || um.PinnedBy != "" {
		t.Errorf("unpin = %+v, %v", um, err)
	}
	if pins, _ := s.PinnedSeqs(ctx, room.ID); !slices.Equal(pins, []int64{seqs[1]}) {
		t.Errorf("PinnedSeqs after unpin = %v", pins)
	}
	if r, err := s.SetMembersCanPin(ctx, room.ID, true); err != nil || !r.MembersCanPin {
		t.Errorf("SetMembersCanPin = %+v, %v", r, err)
	}
	if r, _ := s.GetRoom(ctx, room.ID); !r.MembersCanPin || r.Name != room.Name {
		t.Errorf("GetRoom after SetMembersCanPin = %+v", r)
	}
	if r, _ := s.SetMembersCanPin(ctx, room.ID, false); r.MembersCanPin {
		t.Error("SetMembersCanPin(false) kept it")
	}

	// An edit keeps reactions and the pin; a tombstone drops them and
	// refuses reactions and pins.
	edited, _ := s.GetMessage(ctx, room.ID, seqs[0])
	edited.Text, edited.EditedAt, edited.Reactions = "one!", now, nil
	if err := s.ReplaceMessage(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, seqs[0]); stored.Text != "one!" || len(stored.Reactions) != 1 {
		t.Errorf("edit lost the reactions: %+v", stored)
	}
	tomb, _ := s.GetMessage(ctx, room.ID, seqs[1])
	tomb.Text, tomb.Deleted, tomb.DeletedBy, tomb.EditedAt = "", true, "u1", now
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, seqs[1]); !stored.Deleted || stored.PinnedBy != "" || stored.Reactions != nil || stored.Text != "" {
		t.Errorf("tombstone = %+v", stored)
	}
	_, _, err = s.React(ctx, room.ID, seqs[1], "u1", "👍", true)
	wantCode(t, "React on a tombstone", err, chat.Conflict)
	_, err = s.SetPinned(ctx, room.ID, seqs[1], "u1", now, true)
	wantCode(t, "pin a tombstone", err, chat.Conflict)

	// Versions: oldest first; deleted together.
	v1 := chat.MessageVersion{Text: "first", At: now.Add(-2 * time.Minute)}
	v2 := chat.MessageVersion{Text: "second", At: now.Add(-time.Minute)}
	for _, v := range []chat.MessageVersion{v2, v1} {
		if err := s.PutVersion(ctx, room.ID, seqs[2], v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutVersion(ctx, room.ID, seqs[0], v1); err != nil {
		t.Fatal(err)
	}
	vs, err := s.MessageVersions(ctx, room.ID, seqs[2])
	if err != nil || len(vs) != 2 || vs[0].Text != "first" || !vs[1].At.Equal(v2.At) {
		t.Errorf("MessageVersions = %+v, %v", vs, err)
	}
	if err := s.DeleteVersions(ctx, room.ID, seqs[2]); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.MessageVersions(ctx, room.ID, seqs[2]); len(vs) != 0 {
		t.Errorf("versions after DeleteVersions = %+v", vs)
	}
	if vs, _ := s.MessageVersions(ctx, room.ID, seqs[0]); len(vs) != 1 {
		t.Errorf("another message's versions = %+v", vs)
	}
	// History never shows the log or the versions.
	if page, _, _ := s.MessagesBefore(ctx, room.ID, 0, 50); len(page) != 3 {
		t.Errorf("history holds %d items, want the 3 messages", len(page))
	}
	if page, _, _ := s.MessagesAfter(ctx, room.ID, 0, 50); len(page) != 3 {
		t.Errorf("MessagesAfter holds %d items, want the 3 messages", len(page))
	}

	// Saved messages: newest saved first, paged, idempotent.
	user := uniq("saver")
	for i, seq := range seqs {
		it, err := s.SaveMessage(ctx, chat.SavedItem{UserID: user, RoomID: room.ID, Seq: seq, SavedAt: now.Add(time.Duration(i) * time.Second)})
		if err != nil || it.Seq != seq {
			t.Fatalf("SaveMessage = %+v, %v", it, err)
		}
	}
	again, err := s.SaveMessage(ctx, chat.SavedItem{UserID: user, RoomID: room.ID, Seq: seqs[0], SavedAt: now.Add(time.Hour)})
	if err != nil || !again.SavedAt.Equal(now) {
		t.Errorf("saving again = %+v, %v (want the first SavedAt)", again, err)
	}
	page, next, err := s.ListSaved(ctx, user, "", 2)
	if err != nil || len(page) != 2 || next == "" || page[0].Seq != seqs[2] || page[1].Seq != seqs[1] {
		t.Fatalf("ListSaved page 1 = %+v %q %v", page, next, err)
	}
	page, next, _ = s.ListSaved(ctx, user, next, 2)
	if len(page) != 1 || next != "" || page[0].Seq != seqs[0] {
		t.Errorf("ListSaved page 2 = %+v %q", page, next)
	}
	if err := s.UnsaveMessage(ctx, user, room.ID, seqs[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.UnsaveMessage(ctx, user, room.ID, seqs[1]); err != nil {
		t.Errorf("unsaving twice: %v", err)
	}
	if page, _, _ := s.ListSaved(ctx, user, "", 10); len(page) != 2 {
		t.Errorf("after unsave: %+v", page)
	}
	if page, _, _ := s.ListSaved(ctx, uniq("other"), "", 10); len(page) != 0 {
		t.Errorf("another user's saved list: %+v", page)
	}
}

func reactionsEqual(a, b []chat.Reaction) bool {
	return slices.EqualFunc(a, b, func(x, y chat.Reaction) bool {
		return x.Emoji == y.Emoji && slices.Equal(x.UserIDs, y.UserIDs)
	})
}
