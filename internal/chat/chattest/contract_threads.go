package chattest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractThreads: replies stay out of the timeline, have their own
// paging, the parent's summary is locked, follows and their read marks.
func contractThreads(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("thr"), Kind: chat.KindPublic, Name: uniq("thr"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	add := func(m chat.Message) chat.Message {
		t.Helper()
		m.RoomID, m.ClientID, m.CreatedAt = room.ID, uniq("c"), now
		if m.SenderID == "" {
			m.SenderID = "u1"
		}
		got, _, err := s.AppendMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	parent := add(chat.Message{Text: "root"})
	var replies []chat.Message
	for i, sender := range []string{"u2", "u3", "u2", "u4", "u5"} {
		r := add(chat.Message{Text: "reply", SenderID: sender, ParentSeq: parent.Seq, ToRoom: i == 1})
		if r.ParentSeq != parent.Seq || r.ToRoom != (i == 1) {
			t.Fatalf("appended reply = %+v", r)
		}
		replies = append(replies, r)
		add(chat.Message{Text: "between"})
	}
	last := add(chat.Message{Text: "last"})

	// The timeline: every message but the thread-only replies, in pages
	// that fill up past the replies between them.
	page, more, err := s.MessagesBefore(ctx, room.ID, 0, 4)
	if err != nil || !more || len(page) != 4 || page[0].Seq != last.Seq {
		t.Fatalf("MessagesBefore = %v %v %v", seqs(page), more, err)
	}
	all, _, err := s.MessagesAfter(ctx, room.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ParentSeq > 0 && !m.ToRoom {
			t.Errorf("MessagesAfter has the thread-only reply %d", m.Seq)
		}
	}
	if len(all) != 1+5+1+1 { // root, 5 between, last, the reply sent to the room
		t.Errorf("MessagesAfter = %v", seqs(all))
	}
	// The reply itself reads by seq like any message.
	if got, err := s.GetMessage(ctx, room.ID, replies[0].Seq); err != nil || got.ParentSeq != parent.Seq {
		t.Errorf("GetMessage(reply) = %+v, %v", got, err)
	}

	// The thread's own paging, newest first.
	th, more, err := s.ThreadReplies(ctx, room.ID, parent.Seq, 0, 3)
	if err != nil || !more || !slices.Equal(seqs(th), []int64{replies[4].Seq, replies[3].Seq, replies[2].Seq}) {
		t.Fatalf("ThreadReplies = %v %v %v", seqs(th), more, err)
	}
	th, more, _ = s.ThreadReplies(ctx, room.ID, parent.Seq, replies[2].Seq, 3)
	if more || !slices.Equal(seqs(th), []int64{replies[1].Seq, replies[0].Seq}) {
		t.Fatalf("ThreadReplies(before) = %v %v", seqs(th), more)
	}

	// The summary: counted under a lock on what the caller read.
	p, _ := s.GetMessage(ctx, room.ID, parent.Seq)
	for _, r := range replies {
		if p, err = s.AddThreadReply(ctx, p, r); err != nil {
			t.Fatal(err)
		}
	}
	want := chat.ThreadSummary{Replies: 5, LastSeq: replies[4].Seq, LastAt: now, Repliers: []string{"u5", "u4", "u2"}}
	if p.Thread == nil || p.Thread.Replies != want.Replies || p.Thread.LastSeq != want.LastSeq || !ms(p.Thread.LastAt).Equal(now) ||
		!slices.Equal(p.Thread.Repliers, want.Repliers) {
		t.Fatalf("summary = %+v, want %+v", p.Thread, want)
	}
	// A stale read (2 replies behind) still counts: the store re-reads.
	stale := parent
	stale.Thread = &chat.ThreadSummary{Replies: 3, LastSeq: replies[2].Seq, Repliers: []string{"u2", "u3"}}
	extra := add(chat.Message{Text: "more", SenderID: "u3", ParentSeq: parent.Seq})
	if p, err = s.AddThreadReply(ctx, stale, extra); err != nil || p.Thread.Replies != 6 || p.Thread.Repliers[0] != "u3" {
		t.Fatalf("AddThreadReply from a stale read = %+v, %v", p.Thread, err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, parent.Seq); stored.Thread == nil || stored.Thread.Replies != 6 || stored.Text != "root" {
		t.Errorf("stored parent = %+v", stored)
	}
	// An edit keeps the summary.
	ed := p
	ed.Text, ed.EditedAt, ed.Thread = "root (edited)", now, nil
	if err := s.ReplaceMessage(ctx, ed); err != nil {
		t.Fatal(err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, parent.Seq); stored.Thread == nil || stored.Thread.Replies != 6 {
		t.Errorf("edited parent lost its summary: %+v", stored.Thread)
	}
	_, err = s.AddThreadReply(ctx, chat.Message{RoomID: room.ID, Seq: 99999}, extra)
	wantCode(t, "AddThreadReply without a parent", err, chat.NotFound)

	// A deleted reply leaves the count; the thread's activity stays.
	if p, changed, err := s.RemoveThreadReply(ctx, room.ID, parent.Seq); err != nil || !changed || p.Thread == nil ||
		p.Thread.Replies != 5 || p.Thread.LastSeq != extra.Seq || p.Thread.Repliers[0] != "u3" || p.Text != "root (edited)" {
		t.Fatalf("RemoveThreadReply = %+v, %v, %v", p.Thread, changed, err)
	}
	if stored, _ := s.GetMessage(ctx, room.ID, parent.Seq); stored.Thread == nil || stored.Thread.Replies != 5 {
		t.Errorf("stored parent after RemoveThreadReply: %+v", stored.Thread)
	}
	// A message without a thread has nothing to take out.
	if p, changed, err := s.RemoveThreadReply(ctx, room.ID, last.Seq); err != nil || changed || p.Thread != nil {
		t.Errorf("RemoveThreadReply(no thread) = %+v, %v, %v", p.Thread, changed, err)
	}
	_, _, err = s.RemoveThreadReply(ctx, room.ID, 99999)
	wantCode(t, "RemoveThreadReply without a parent", err, chat.NotFound)

	// Follows.
	f := chat.ThreadFollow{RoomID: room.ID, ParentSeq: parent.Seq, UserID: "u2", Since: now}
	if created, err := s.FollowThread(ctx, f); err != nil || !created {
		t.Fatalf("FollowThread = %v, %v", created, err)
	}
	f.ReadSeq = 5
	if created, err := s.FollowThread(ctx, f); err != nil || created {
		t.Fatalf("FollowThread again = %v, %v", created, err)
	}
	if _, err := s.FollowThread(ctx, chat.ThreadFollow{RoomID: room.ID, ParentSeq: parent.Seq, UserID: "u1", Since: now}); err != nil {
		t.Fatal(err)
	}
	fs, err := s.ThreadFollowers(ctx, room.ID, parent.Seq)
	if err != nil || len(fs) != 2 || fs[0].UserID != "u1" || fs[1].UserID != "u2" || fs[1].ReadSeq != 0 {
		t.Fatalf("ThreadFollowers = %+v, %v", fs, err)
	}
	if moved, err := s.MarkThreadRead(ctx, room.ID, parent.Seq, "u2", replies[1].Seq); err != nil || !moved {
		t.Fatalf("MarkThreadRead = %v, %v", moved, err)
	}
	if moved, err := s.MarkThreadRead(ctx, room.ID, parent.Seq, "u2", replies[0].Seq); err != nil || moved {
		t.Fatalf("MarkThreadRead back = %v, %v", moved, err)
	}
	_, err = s.MarkThreadRead(ctx, room.ID, parent.Seq, "nobody", 3)
	wantCode(t, "MarkThreadRead without a follow", err, chat.NotFound)
	mine, err := s.FollowedThreads(ctx, "u2")
	if err != nil || len(mine) != 1 || mine[0].ReadSeq != replies[1].Seq || mine[0].RoomID != room.ID || mine[0].ParentSeq != parent.Seq {
		t.Fatalf("FollowedThreads = %+v, %v", mine, err)
	}
	// Unread for u2 after replies[1]: replies 2 (u2's own), 3, 4 and extra (u3).
	if n, err := s.ThreadUnread(ctx, room.ID, parent.Seq, replies[1].Seq, "u2", 100); err != nil || n != 3 {
		t.Errorf("ThreadUnread = %d, %v; want 3", n, err)
	}
	if n, _ := s.ThreadUnread(ctx, room.ID, parent.Seq, 0, "u2", 2); n != 2 {
		t.Errorf("ThreadUnread capped = %d", n)
	}
	if err := s.UnfollowThread(ctx, room.ID, parent.Seq, "u2"); err != nil {
		t.Fatal(err)
	}
	if err := s.UnfollowThread(ctx, room.ID, parent.Seq, "u2"); err != nil {
		t.Fatalf("unfollow twice: %v", err)
	}
	if mine, _ := s.FollowedThreads(ctx, "u2"); len(mine) != 0 {
		t.Errorf("after unfollowing: %+v", mine)
	}
}

func seqs(ms []chat.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}
