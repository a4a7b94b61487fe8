package integration

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func reply(roomID, clientID, text string, parentSeq int64, toRoom bool) map[string]any {
	m := message(roomID, clientID, text)
	m["parentSeq"] = parentSeq
	if toRoom {
		m["toRoom"] = true
	}
	return m
}

// TestThreadOverTheStack: a threaded conversation over real sockets through
// the local gateway on DynamoDB Local, with the stream function running:
// the reply reaches the room live but stays out of its history and resume,
// the parent's summary arrives as messageUpdated and replays on resume,
// the thread pages on its own, following (author, replier, mentioned) and
// unread replies in listThreads, markThreadRead, and search finds a reply
// with its parentSeq.
func TestThreadOverTheStack(t *testing.T) {
	tr := newTrio(t, generousLimits)
	tr.s.startStreamFunction(app.StreamConfig{TableName: tr.s.table}, nil)
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "threads"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	tr.c.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	parent := sendText(t, tr.a, club, "t-1", "who reviews the quarterly lighthouse report?")
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, club, parent.Seq))

	// Bob replies in the thread; Ann gets the reply and the parent's summary.
	ack := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, reply(club, "t-2", "I can take the lighthouse numbers", parent.Seq, false), protocol.EventAck))
	if ack.Message.ParentSeq != parent.Seq || ack.Parent == nil || ack.Parent.Thread.Replies != 1 || ack.ParentChg == 0 {
		t.Fatalf("ack %+v", ack)
	}
	live := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessage, isMessage(t, club, ack.Message.Seq)))
	if live.Message.ParentSeq != parent.Seq {
		t.Errorf("ann got the reply as %+v", live.Message)
	}
	up := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, parent.Seq, func(m chat.Message) bool { return m.Thread != nil })))
	if up.Chg != ack.ParentChg || !slices.Equal(up.Message.Thread.Repliers, []string{tr.bob.id}) || up.Message.Thread.LastSeq != ack.Message.Seq {
		t.Errorf("ann's update %+v chg %d", up.Message.Thread, up.Chg)
	}

	// Ann replies mentioning Cyd, also to the room.
	also := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, reply(club, "t-3", "thanks, @cyd please check too", parent.Seq, true), protocol.EventAck)).Message
	if !also.ToRoom || !slices.Contains(also.Mentions, tr.cyd.id) {
		t.Fatalf("also-to-room reply %+v", also)
	}

	// The room's timeline: the parent and the reply sent to the room.
	hist := decode[protocol.HistoryEvent](t, tr.c.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	var seqs []int64
	for _, m := range hist.Messages {
		seqs = append(seqs, m.Seq)
	}
	if slices.Contains(seqs, ack.Message.Seq) || !slices.Contains(seqs, also.Seq) || !slices.Contains(seqs, parent.Seq) {
		t.Errorf("history %v: want %d and %d, not %d", seqs, parent.Seq, also.Seq, ack.Message.Seq)
	}
	// Resume from the parent, with the change position before the thread.
	missed := decode[protocol.MissedEvent](t, tr.c.call(protocol.ActionResume,
		map[string]any{"rooms": map[string]int64{club: parent.Seq}, "changes": map[string]int64{club: ack.ParentChg - 1}}, protocol.EventMissed))
	if len(missed.Rooms) != 1 || len(missed.Rooms[0].Messages) != 1 || missed.Rooms[0].Messages[0].Seq != also.Seq {
		t.Fatalf("resume messages %+v", missed.Rooms)
	}
	if ch := missed.Rooms[0].Changed; len(ch) != 1 || ch[0].Seq != parent.Seq || ch[0].Thread.Replies != 2 {
		t.Errorf("resume changed %+v", ch)
	}

	// The thread's own paging.
	th := decode[protocol.ThreadHistoryEvent](t, tr.c.call(protocol.ActionThreadHistory, map[string]any{"roomId": club, "parentSeq": parent.Seq, "limit": 1}, protocol.EventThreadHistory))
	if len(th.Messages) != 1 || th.Messages[0].Seq != also.Seq || !th.HasMore || th.Before != also.Seq || !th.Following {
		t.Fatalf("thread page 1 %+v", th)
	}
	th = decode[protocol.ThreadHistoryEvent](t, tr.c.call(protocol.ActionThreadHistory, map[string]any{"roomId": club, "parentSeq": parent.Seq, "before": th.Before}, protocol.EventThreadHistory))
	if len(th.Messages) != 1 || th.Messages[0].Seq != ack.Message.Seq || th.HasMore {
		t.Fatalf("thread page 2 %+v", th)
	}

	// Following: Ann (author) has Bob's reply unread; Cyd (mentioned) both
	// of the others'; Bob, Ann's.
	unread := func(c *client) int {
		t.Helper()
		ev := decode[protocol.ThreadsEvent](t, c.call(protocol.ActionListThreads, nil, protocol.EventThreads))
		if len(ev.Threads) != 1 || ev.Threads[0].ParentSeq != parent.Seq {
			t.Fatalf("%s's threads %+v", c.name, ev.Threads)
		}
		return ev.Threads[0].Unread
	}
	if a, b, c := unread(tr.a), unread(tr.b), unread(tr.c); a != 1 || b != 1 || c != 2 {
		t.Errorf("unread ann %d bob %d cyd %d, want 1 1 2", a, b, c)
	}
	rd := decode[protocol.ThreadFollowEvent](t, tr.c.call(protocol.ActionMarkThreadRead, map[string]any{"roomId": club, "parentSeq": parent.Seq, "seq": also.Seq}, protocol.EventThreadFollow))
	if !rd.Following || rd.ReadSeq != also.Seq || unread(tr.c) != 0 {
		t.Errorf("after markThreadRead %+v", rd)
	}

	// Search finds the thread-only reply, which opens its thread.
	awaitSearch(t, tr.a, "lighthouse numbers", club, has(ack.Message.Seq))
	res := decode[protocol.SearchResultsEvent](t, tr.a.call(protocol.ActionSearch, map[string]any{"query": "lighthouse numbers"}, protocol.EventSearchResults))
	for _, r := range res.Results {
		if r.Seq == ack.Message.Seq && r.ParentSeq != parent.Seq {
			t.Errorf("search hit %+v has no parentSeq", r)
		}
	}

	// Replies are one level deep; outsiders cannot read a thread.
	tr.a.callError(protocol.ActionSendMessage, reply(club, "t-9", "nested", ack.Message.Seq, false), string(chat.Invalid))
	tr.c.call(protocol.ActionLeaveChannel, room(club), protocol.EventRoomRemoved)
	tr.c.callError(protocol.ActionThreadHistory, map[string]any{"roomId": club, "parentSeq": parent.Seq}, string(chat.Forbidden))
	if ev := decode[protocol.ThreadsEvent](t, tr.c.call(protocol.ActionListThreads, nil, protocol.EventThreads)); len(ev.Threads) != 0 {
		t.Errorf("cyd's threads after leaving %+v", ev.Threads)
	}
}

// TestThreadReadAcrossDevices: Ann has two tabs; reading a thread in one
// tells the other (threadFollow pushed, no requestId) and not Bob; and a
// deleted reply leaves the parent's count for everyone, the deleter's own
// connection included, and in Ann's listThreads.
func TestThreadReadAcrossDevices(t *testing.T) {
	tr := newTrio(t, generousLimits)
	a2 := tr.s.connect(tr.ann)
	a2.drain()
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "devices"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	parent := sendText(t, tr.a, club, "d-1", "release checklist")
	r1 := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, reply(club, "d-2", "tests are green", parent.Seq, false), protocol.EventAck)).Message
	r2 := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, reply(club, "d-3", "changelog too", parent.Seq, false), protocol.EventAck)).Message
	a2.expectEvent(protocol.EventMessage, isMessage(t, club, r2.Seq))
	if ev := decode[protocol.ThreadsEvent](t, a2.call(protocol.ActionListThreads, nil, protocol.EventThreads)); len(ev.Threads) != 1 || ev.Threads[0].Unread != 2 {
		t.Fatalf("ann's threads on her second tab %+v", ev.Threads)
	}

	tr.a.call(protocol.ActionMarkThreadRead, map[string]any{"roomId": club, "parentSeq": parent.Seq, "seq": r2.Seq}, protocol.EventThreadFollow)
	got := decode[protocol.ThreadFollowEvent](t, a2.expectEvent(protocol.EventThreadFollow, nil))
	if got.RoomID != club || got.ParentSeq != parent.Seq || !got.Following || got.ReadSeq != r2.Seq {
		t.Errorf("the second tab got %+v", got)
	}
	tr.a.expectNoEvent(protocol.EventThreadFollow, nil)
	tr.b.expectNoEvent(protocol.EventThreadFollow, nil)
	if ev := decode[protocol.ThreadsEvent](t, a2.call(protocol.ActionListThreads, nil, protocol.EventThreads)); ev.Threads[0].Unread != 0 || ev.Threads[0].ReadSeq != r2.Seq {
		t.Errorf("ann's threads after reading on the other tab %+v", ev.Threads)
	}

	// Bob deletes his first reply: the parent counts one.
	for _, c := range []*client{tr.a, a2, tr.b} {
		c.drain()
	}
	del := decode[protocol.MessageEvent](t, tr.b.call(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": r1.Seq}, protocol.EventMessageUpdated))
	one := func(m chat.Message) bool { return m.Thread != nil && m.Thread.Replies == 1 }
	for _, c := range []*client{tr.a, a2, tr.b} {
		up := decode[protocol.MessageEvent](t, c.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, parent.Seq, one)))
		if up.Chg <= del.Chg || up.Message.Thread.LastSeq != r2.Seq {
			t.Errorf("%s: parent update %+v chg %d (the delete's %d)", c.name, up.Message.Thread, up.Chg, del.Chg)
		}
	}
	if ev := decode[protocol.ThreadsEvent](t, tr.a.call(protocol.ActionListThreads, nil, protocol.EventThreads)); ev.Threads[0].Parent.Thread.Replies != 1 {
		t.Errorf("ann's threads after the delete %+v", ev.Threads[0].Parent.Thread)
	}
}

// TestThreadReplyPushNamesItsThread: a thread reply's Web Push carries
// parentSeq, which the service worker turns into the thread's link.
func TestThreadReplyPushNamesItsThread(t *testing.T) {
	s, p := newPushStack(t)
	ana, bo := s.newUser("ana", "Ana Alves"), s.newUser("bo", "Bo Berg")
	a, _ := s.online(ana)
	b, _ := s.online(bo)
	sub := p.subscribe(t, b, "Bo's phone")
	dm := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bo.id}}, protocol.EventRoom)).Room
	parent := sendText(t, b, dm.ID, "p-1", "which flight do we take?")
	setVisible(b, false)
	r := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, reply(dm.ID, "p-2", "the early one", parent.Seq, false), protocol.EventAck)).Message
	pl, _ := p.next(t, sub.Endpoint, 0)
	if pl.RoomID != dm.ID || pl.Seq != r.Seq || pl.ParentSeq != parent.Seq || pl.Preview != "the early one" {
		t.Fatalf("push payload = %+v, want seq %d in the thread of %d", pl, r.Seq, parent.Seq)
	}
}
