package integration

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestBlockedSenderNotInServerUnread: the unread counts the server sends
// leave a blocked person's messages out for the blocker, as the blocker's
// client does for the ones it counts: getState's room unread and mentions
// (the sidebar badge, the title count and the app badge after a reload)
// and a followed thread's unread in listThreads. Someone who did not block
// them counts them as before.
func TestBlockedSenderNotInServerUnread(t *testing.T) {
	tr := newTrio(t, generousLimits)
	tr.a.call(protocol.ActionBlockUser, map[string]any{"userId": tr.cyd.id}, protocol.EventPreferences)
	parent := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message("general", "a-parent", "a thread of mine"), protocol.EventAck)).Message
	tr.a.call(protocol.ActionFollowThread, map[string]any{"roomId": "general", "parentSeq": parent.Seq, "follow": true}, protocol.EventThreadFollow)
	tr.a.call(protocol.ActionMarkRead, map[string]any{"roomId": "general", "seq": parent.Seq}, protocol.EventRead)
	tr.b.call(protocol.ActionMarkRead, map[string]any{"roomId": "general", "seq": parent.Seq}, protocol.EventRead)

	tr.b.call(protocol.ActionSendMessage, message("general", "b-1", "hello from bob"), protocol.EventAck)
	tr.c.call(protocol.ActionSendMessage, message("general", "c-1", "hello from cyd"), protocol.EventAck)
	tr.c.call(protocol.ActionSendMessage, message("general", "c-2", "@ann are you there"), protocol.EventAck)
	tr.b.call(protocol.ActionSendMessage, reply("general", "b-r", "bob's reply", parent.Seq, false), protocol.EventAck)
	tr.c.call(protocol.ActionSendMessage, reply("general", "c-r", "cyd's reply", parent.Seq, false), protocol.EventAck)

	_, st := tr.s.online(tr.ann)
	gen, ok := findRoom(st.Rooms, "general")
	if !ok {
		t.Fatal("Ann's state has no #general")
	}
	if gen.Unread != 1 || gen.Mentions != 0 {
		t.Errorf("Ann (blocked Cyd): #general unread %d, mentions %d; want 1 (Bob's) and 0", gen.Unread, gen.Mentions)
	}
	threads := decode[protocol.ThreadsEvent](t, tr.a.call(protocol.ActionListThreads, nil, protocol.EventThreads)).Threads
	if len(threads) != 1 || threads[0].Unread != 1 {
		t.Errorf("Ann's threads %+v: want one with 1 unread (Bob's reply)", threads)
	}
	// Bob blocked nobody: Cyd's two messages count for him.
	_, stB := tr.s.online(tr.bob)
	if genB, _ := findRoom(stB.Rooms, "general"); genB.Unread != 2 {
		t.Errorf("Bob: #general unread %d, want 2 (Cyd's)", genB.Unread)
	}
}
