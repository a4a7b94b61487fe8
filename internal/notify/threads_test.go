package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// A reply kept in its thread notifies the thread's followers and the
// mentioned, not the room's "all" members; sent to the room too, the
// room's rules apply as well.
func TestThreadReplyNotifiesFollowersNotTheRoom(t *testing.T) {
	s, q, m, n := setup(t)
	ctx := context.Background()
	s.all["c1"] = []string{"cy"} // cy hears every room message
	if _, err := s.UpdatePreferences(ctx, "cy", func(p *chat.Preferences) error {
		p.Rooms["c1"] = chat.RoomNotify{Level: chat.LevelAll}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FollowThread(ctx, chat.ThreadFollow{RoomID: "c1", ParentSeq: 5, UserID: "bo", Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FollowThread(ctx, chat.ThreadFollow{RoomID: "c1", ParentSeq: 5, UserID: "ana", Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	send(t, n, chat.Message{RoomID: "c1", Seq: 9, ParentSeq: 5, Text: "in the thread"})
	if len(q.jobs) != 1 || q.jobs[0].UserID != "bo" || q.jobs[0].Reason != string(chat.ReasonThread) || q.jobs[0].ParentSeq != 5 || q.jobs[0].Seq != 9 {
		t.Fatalf("pushes = %+v, want bo's (thread, parentSeq 5) only", q.jobs)
	}
	if len(m.calls) != 1 || m.calls[0] != "bo/c1/thread" {
		t.Errorf("missed = %v", m.calls)
	}

	q.jobs, m.calls = nil, nil
	send(t, n, chat.Message{RoomID: "c1", Seq: 10, ParentSeq: 5, ToRoom: true, Text: "to everyone"})
	got := map[string]string{}
	for _, j := range q.jobs {
		got[j.UserID] = j.Reason
	}
	if len(got) != 2 || got["bo"] != string(chat.ReasonThread) || got["cy"] != string(chat.ReasonAll) {
		t.Errorf("pushes for a reply also sent to the room = %v", got)
	}

	// The mentioned are told even when they do not follow (yet).
	q.jobs = nil
	send(t, n, chat.Message{RoomID: "c1", Seq: 11, ParentSeq: 7, Text: "@cy look", Mentions: []string{"cy"}})
	if len(q.jobs) != 1 || q.jobs[0].UserID != "cy" || q.jobs[0].Reason != string(chat.ReasonMention) {
		t.Errorf("pushes for a mention in an unfollowed thread = %+v", q.jobs)
	}
}
