package service_test

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func (h *harness) reply(c chat.Connection, roomID string, parent int64, text string, toRoom bool) protocol.AckEvent {
	h.t.Helper()
	h.sent++
	ack, err := h.svc.SendMessage(h.ctx, c, protocol.SendMessageRequest{
		RoomID: roomID, ClientID: "r" + string(rune('a'+h.sent%26)) + c.ID + "x" + itoa(h.sent), Text: text, ParentSeq: parent, ToRoom: toRoom,
	})
	if err != nil {
		h.t.Fatalf("reply(%s, %d, %q): %v", roomID, parent, text, err)
	}
	return ack
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func seqsOf(ms []chat.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

func TestThreadReplyStaysOutOfTheTimeline(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	parent := h.send(alice, room.ID, "deploy?")
	h.fan.Reset()

	ack := h.reply(bob, room.ID, parent.Seq, "in a minute", false)
	if ack.Message.ParentSeq != parent.Seq || ack.Message.Seq <= parent.Seq || ack.Message.ToRoom {
		t.Fatalf("reply = %+v", ack.Message)
	}
	if ack.Parent == nil || ack.ParentChg != 1 || ack.Parent.Thread == nil || ack.Parent.Thread.Replies != 1 ||
		ack.Parent.Thread.LastSeq != ack.Message.Seq || !slices.Equal(ack.Parent.Thread.Repliers, []string{"bob"}) {
		t.Fatalf("ack parent = %+v (chg %d)", ack.Parent, ack.ParentChg)
	}
	// Alice gets the reply (for an open thread) and the parent's update.
	got := decodeOne[protocol.MessageEvent](t, h.fan, "a1", protocol.EventMessage)
	if got.Message.ParentSeq != parent.Seq {
		t.Errorf("alice got %+v", got.Message)
	}
	up := decodeOne[protocol.MessageEvent](t, h.fan, "a1", protocol.EventMessageUpdated)
	if up.Chg != 1 || up.Message.Seq != parent.Seq || up.Message.Thread.Replies != 1 {
		t.Errorf("alice's update = %+v", up)
	}

	also := h.reply(alice, room.ID, parent.Seq, "also here", true)
	after := h.send(bob, room.ID, "next topic")

	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(seqsOf(hist.Messages), ack.Message.Seq) || !slices.Contains(seqsOf(hist.Messages), also.Message.Seq) ||
		!slices.Contains(seqsOf(hist.Messages), after.Seq) {
		t.Errorf("history seqs %v: want the room reply %d and %d, not the thread-only %d", seqsOf(hist.Messages), also.Message.Seq, after.Seq, ack.Message.Seq)
	}
	missed, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: parent.Seq}, Changes: map[string]int64{room.ID: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if got := seqsOf(missed.Rooms[0].Messages); !slices.Equal(got, []int64{also.Message.Seq, after.Seq}) {
		t.Errorf("resume messages %v", got)
	}
	// The change log replays the parent's summary (two replies).
	if ch := missed.Rooms[0].Changed; len(ch) != 1 || ch[0].Seq != parent.Seq || ch[0].Thread.Replies != 2 ||
		!slices.Equal(ch[0].Thread.Repliers, []string{"alice", "bob"}) {
		t.Errorf("resume changed = %+v", ch)
	}

	th, err := h.svc.ThreadHistory(h.ctx, bob, protocol.ThreadHistoryRequest{RoomID: room.ID, ParentSeq: parent.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqsOf(th.Messages), []int64{also.Message.Seq, ack.Message.Seq}) || th.Parent.Seq != parent.Seq || !th.Following {
		t.Errorf("thread = %v, parent %d, following %v", seqsOf(th.Messages), th.Parent.Seq, th.Following)
	}
}

func TestThreadUnreadCountsLeaveRepliesOut(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	parent := h.send(alice, room.ID, "question")
	if _, err := h.svc.MarkRead(h.ctx, bob, protocol.MarkReadRequest{RoomID: room.ID, Seq: parent.Seq}); err != nil {
		t.Fatal(err)
	}
	h.reply(alice, room.ID, parent.Seq, "detail one", false)
	h.reply(alice, room.ID, parent.Seq, "detail two", true)
	st, err := h.svc.GetState(h.ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Rooms {
		if r.Room.ID == room.ID && r.Unread != 1 {
			t.Errorf("bob's unread in the room = %d, want 1 (the reply also sent to the room)", r.Unread)
		}
	}
}

func TestThreadFollowingAndListThreads(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	carol := h.connect("carol", "c1")
	h.join(carol, room.ID)
	parent := h.send(alice, room.ID, "plan")

	// Bob replies: alice (the author) and bob follow; carol does not.
	r1 := h.reply(bob, room.ID, parent.Seq, "sounds good", false)
	list := func(c chat.Connection) []protocol.ThreadItem {
		t.Helper()
		ev, err := h.svc.ListThreads(h.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Threads
	}
	if got := list(alice); len(got) != 1 || got[0].ParentSeq != parent.Seq || got[0].Unread != 1 {
		t.Fatalf("alice's threads = %+v", got)
	}
	if got := list(bob); len(got) != 1 || got[0].Unread != 0 {
		t.Fatalf("bob's threads = %+v (his own reply is no unread)", got)
	}
	if got := list(carol); len(got) != 0 {
		t.Fatalf("carol's threads = %+v", got)
	}
	// A mention makes carol follow.
	h.reply(alice, room.ID, parent.Seq, "@carol can you check", false)
	if got := list(carol); len(got) != 1 || got[0].Unread != 2 {
		t.Fatalf("carol's threads after the mention = %+v", got)
	}
	if got := list(bob); got[0].Unread != 1 {
		t.Fatalf("bob's unread = %d, want 1", got[0].Unread)
	}
	// Reading moves the count; never back.
	ev, err := h.svc.MarkThreadRead(h.ctx, alice, protocol.MarkThreadReadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Seq: r1.Message.Seq})
	if err != nil || !ev.Following || ev.ReadSeq != r1.Message.Seq {
		t.Fatalf("markThreadRead = %+v, %v", ev, err)
	}
	if got := list(alice); got[0].Unread != 0 {
		t.Errorf("alice's unread after reading = %d", got[0].Unread)
	}
	// Unfollow: gone from the list; markThreadRead then stores nothing.
	if _, err := h.svc.FollowThread(h.ctx, carol, protocol.FollowThreadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Follow: false}); err != nil {
		t.Fatal(err)
	}
	if got := list(carol); len(got) != 0 {
		t.Errorf("carol after unfollowing = %+v", got)
	}
	if ev, err := h.svc.MarkThreadRead(h.ctx, carol, protocol.MarkThreadReadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Seq: 99}); err != nil || ev.Following {
		t.Errorf("markThreadRead unfollowed = %+v, %v", ev, err)
	}
}

func TestThreadReplyRefusals(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	parent := h.send(alice, room.ID, "root")
	r := h.reply(bob, room.ID, parent.Seq, "child", false)
	send := func(parentSeq int64, toRoom bool) error {
		h.sent++
		_, err := h.svc.SendMessage(h.ctx, bob, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x" + itoa(h.sent), Text: "t", ParentSeq: parentSeq, ToRoom: toRoom})
		return err
	}
	wantCode(t, send(r.Message.Seq, false), chat.Invalid) // one level deep
	wantCode(t, send(9999, false), chat.NotFound)
	wantCode(t, send(0, true), chat.Invalid) // toRoom without a thread
	wantCode(t, send(-1, false), chat.Invalid)
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: parent.Seq}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, send(parent.Seq, false), chat.Conflict)
	// The tombstone keeps its thread.
	th, err := h.svc.ThreadHistory(h.ctx, bob, protocol.ThreadHistoryRequest{RoomID: room.ID, ParentSeq: parent.Seq})
	if err != nil || len(th.Messages) != 1 || th.Parent.Thread == nil {
		t.Errorf("thread of a deleted parent = %+v, %v", th, err)
	}
	_, err = h.svc.ThreadHistory(h.ctx, bob, protocol.ThreadHistoryRequest{RoomID: room.ID, ParentSeq: r.Message.Seq})
	wantCode(t, err, chat.Invalid)
}

func TestThreadHistoryPages(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	parent := h.send(alice, room.ID, "root")
	var seqs []int64
	for i := range 5 {
		who := alice
		if i%2 == 1 {
			who = bob
		}
		seqs = append(seqs, h.reply(who, room.ID, parent.Seq, "r"+itoa(i), false).Message.Seq)
		h.send(alice, room.ID, "between")
	}
	p1, err := h.svc.ThreadHistory(h.ctx, bob, protocol.ThreadHistoryRequest{RoomID: room.ID, ParentSeq: parent.Seq, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqsOf(p1.Messages), []int64{seqs[4], seqs[3], seqs[2]}) || !p1.HasMore || p1.Before != seqs[2] {
		t.Fatalf("page 1 = %v more %v before %d", seqsOf(p1.Messages), p1.HasMore, p1.Before)
	}
	p2, err := h.svc.ThreadHistory(h.ctx, bob, protocol.ThreadHistoryRequest{RoomID: room.ID, ParentSeq: parent.Seq, Before: p1.Before, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqsOf(p2.Messages), []int64{seqs[1], seqs[0]}) || p2.HasMore {
		t.Fatalf("page 2 = %v more %v", seqsOf(p2.Messages), p2.HasMore)
	}
	if p1.Parent.Thread.Replies != 5 || !slices.Equal(p1.Parent.Thread.Repliers, []string{"alice", "bob"}) {
		t.Errorf("summary = %+v", p1.Parent.Thread)
	}
}

// Reading a thread on one device clears its badge on the others: the
// moved read position goes to the caller's other connections as
// threadFollow (a direct push, no requestId); a mark that moves nothing,
// and one of a thread not followed, push nothing.
func TestMarkThreadReadTellsMyOtherDevices(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	h.connect("alice", "a2")
	parent := h.send(alice, room.ID, "plan")
	r := h.reply(bob, room.ID, parent.Seq, "ok", false)
	h.fan.Reset()

	ev, err := h.svc.MarkThreadRead(h.ctx, alice, protocol.MarkThreadReadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Seq: r.Message.Seq})
	if err != nil || !ev.Following || ev.ReadSeq != r.Message.Seq {
		t.Fatalf("MarkThreadRead = %+v, %v", ev, err)
	}
	got := decodeOne[protocol.ThreadFollowEvent](t, h.fan, "a2", protocol.EventThreadFollow)
	if got.RequestID != "" || got.RoomID != room.ID || got.ParentSeq != parent.Seq || !got.Following || got.ReadSeq != r.Message.Seq {
		t.Errorf("a2 got %+v", got)
	}
	if n := len(h.fan.OfType("a1", protocol.EventThreadFollow)); n != 0 {
		t.Errorf("the caller's own connection got %d pushes (its answer is the reply)", n)
	}
	if n := len(h.fan.OfType("b1", protocol.EventThreadFollow)); n != 0 {
		t.Errorf("bob got %d of alice's thread pushes", n)
	}

	h.fan.Reset()
	if _, err := h.svc.MarkThreadRead(h.ctx, alice, protocol.MarkThreadReadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Seq: r.Message.Seq}); err != nil {
		t.Fatal(err)
	}
	carol := h.connect("carol", "c1")
	h.connect("carol", "c2")
	h.join(carol, room.ID)
	h.fan.Reset()
	if ev, err := h.svc.MarkThreadRead(h.ctx, carol, protocol.MarkThreadReadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Seq: r.Message.Seq}); err != nil || ev.Following {
		t.Fatalf("carol's MarkThreadRead = %+v, %v", ev, err)
	}
	if n := len(h.fan.OfType("a2", protocol.EventThreadFollow)) + len(h.fan.OfType("c2", protocol.EventThreadFollow)); n != 0 {
		t.Errorf("%d pushes for marks that moved nothing", n)
	}

	// Following and unfollowing are told too.
	if _, err := h.svc.FollowThread(h.ctx, carol, protocol.FollowThreadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Follow: true}); err != nil {
		t.Fatal(err)
	}
	if got := decodeOne[protocol.ThreadFollowEvent](t, h.fan, "c2", protocol.EventThreadFollow); !got.Following || got.ReadSeq != r.Message.Seq {
		t.Errorf("c2 after follow got %+v", got)
	}
	h.fan.Reset()
	if _, err := h.svc.FollowThread(h.ctx, carol, protocol.FollowThreadRequest{RoomID: room.ID, ParentSeq: parent.Seq, Follow: false}); err != nil {
		t.Fatal(err)
	}
	if got := decodeOne[protocol.ThreadFollowEvent](t, h.fan, "c2", protocol.EventThreadFollow); got.Following {
		t.Errorf("c2 after unfollow got %+v", got)
	}
}

// A deleted reply leaves its parent's count, through the change log: the
// room (the deleter's connection too) gets the parent's messageUpdated,
// resume replays it, a repeated delete changes nothing, and a deleted
// parent's thread still counts down.
func TestDeletedReplyLeavesTheCount(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	parent := h.send(alice, room.ID, "plan")
	r1 := h.reply(bob, room.ID, parent.Seq, "one", false)
	r2 := h.reply(bob, room.ID, parent.Seq, "two", false)
	h.fan.Reset()

	del, err := h.svc.DeleteMessage(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: r2.Message.Seq})
	if err != nil || !del.Message.Deleted {
		t.Fatalf("DeleteMessage = %+v, %v", del, err)
	}
	for _, conn := range []string{"a1", "b1"} {
		var up *protocol.MessageEvent
		for _, d := range h.fan.OfType(conn, protocol.EventMessageUpdated) {
			var ev protocol.MessageEvent
			if err := d.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			if ev.Message.Seq == parent.Seq {
				up = &ev
			}
		}
		if up == nil || up.Chg <= del.Chg || up.Message.Thread == nil || up.Message.Thread.Replies != 1 {
			t.Fatalf("%s: parent update = %+v (reply deleted at chg %d)", conn, up, del.Chg)
		}
	}
	stored, err := h.store.GetMessage(h.ctx, room.ID, parent.Seq)
	if err != nil || stored.Thread.Replies != 1 || stored.Thread.LastSeq != r2.Message.Seq {
		t.Fatalf("stored parent = %+v, %v (the count drops, the last activity stays)", stored.Thread, err)
	}
	missed, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: r2.Message.Seq}, Changes: map[string]int64{room.ID: del.Chg}})
	if err != nil {
		t.Fatal(err)
	}
	if ch := missed.Rooms[0].Changed; len(ch) != 1 || ch[0].Seq != parent.Seq || ch[0].Thread.Replies != 1 {
		t.Errorf("resume after the delete: changed = %+v", ch)
	}

	// Deleting again answers the tombstone and counts nothing.
	if _, err := h.svc.DeleteMessage(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: r2.Message.Seq}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := h.store.GetMessage(h.ctx, room.ID, parent.Seq); stored.Thread.Replies != 1 {
		t.Errorf("a repeated delete counted again: %+v", stored.Thread)
	}
	// A deleted parent keeps its thread, and its count follows deletions.
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: parent.Seq}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: r1.Message.Seq}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := h.store.GetMessage(h.ctx, room.ID, parent.Seq); !stored.Deleted || stored.Thread == nil || stored.Thread.Replies != 0 {
		t.Errorf("deleted parent after its last reply went: %+v", stored.Thread)
	}
}
