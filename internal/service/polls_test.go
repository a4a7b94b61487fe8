package service_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// pollWorld: alice (a1) owns #lunch, bob (b1) and carol (c1) are members.
func pollWorld(t *testing.T) (*harness, chat.Room, chat.Connection, chat.Connection, chat.Connection) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "lunch", false)
	bob, carol := h.connect("bob", "b1"), h.connect("carol", "c1")
	h.join(bob, room.ID)
	h.join(carol, room.ID)
	return h, room, alice, bob, carol
}

func createPoll(t *testing.T, h *harness, c chat.Connection, roomID string, multiple, anonymous bool) chat.Message {
	t.Helper()
	ack, err := h.svc.CreatePoll(h.ctx, c, protocol.CreatePollRequest{RoomID: roomID, ClientID: "poll-" + c.ID,
		Question: "Lunch on Friday?", Options: []string{"Pizza", "Sushi", "Tacos"}, Multiple: multiple, Anonymous: anonymous})
	if err != nil {
		t.Fatalf("CreatePoll: %v", err)
	}
	return ack.Message
}

func counts(p *chat.Poll) []int {
	var out []int
	for _, o := range p.Options {
		out = append(out, o.Count)
	}
	return out
}

func TestCreatePollSendsAPollMessage(t *testing.T) {
	h, room, alice, _, _ := pollWorld(t)
	h.fan.Reset()
	msg := createPoll(t, h, alice, room.ID, false, false)
	if msg.Poll == nil || msg.Text != "Lunch on Friday?" || len(msg.Poll.Options) != 3 || msg.Poll.Mine == nil || len(msg.Poll.Mine) != 0 {
		t.Fatalf("ack message = %+v poll %+v", msg, msg.Poll)
	}
	got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage)
	if got.Message.Poll == nil || got.Message.Poll.Question != "Lunch on Friday?" {
		t.Errorf("bob got %+v", got.Message)
	}
	// A retry with the same client id is a duplicate, not a second poll.
	ack, err := h.svc.CreatePoll(h.ctx, alice, protocol.CreatePollRequest{RoomID: room.ID, ClientID: "poll-a1", Question: "Lunch on Friday?", Options: []string{"Pizza", "Sushi", "Tacos"}})
	if err != nil || !ack.Duplicate || ack.Message.Seq != msg.Seq {
		t.Errorf("retry = %+v, %v", ack, err)
	}
	// Bad polls are refused with the rule's message and store nothing.
	_, err = h.svc.CreatePoll(h.ctx, alice, protocol.CreatePollRequest{RoomID: room.ID, ClientID: "bad", Question: "Q", Options: []string{"same", "Same"}})
	wantCode(t, err, chat.Invalid)
	if !strings.Contains(chat.ErrorMessage(err), "the same") {
		t.Errorf("message = %q", chat.ErrorMessage(err))
	}
}

func TestVoteReplacesRetractsAndIsPushedLive(t *testing.T) {
	h, room, alice, bob, carol := pollWorld(t)
	poll := createPoll(t, h, alice, room.ID, false, false)
	ref := func(opts ...int) protocol.VoteRequest {
		return protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: opts}
	}
	h.fan.Reset()
	ev, err := h.svc.Vote(h.ctx, bob, ref(1))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Chg == 0 || !slices.Equal(counts(ev.Message.Poll), []int{0, 1, 0}) || !slices.Equal(ev.Message.Poll.Mine, []int{1}) {
		t.Errorf("bob's reply = chg %d poll %+v", ev.Chg, ev.Message.Poll)
	}
	// Alice sees it live, with bob as the voter and no "mine" of anyone.
	live := decodeOne[protocol.MessageEvent](t, h.fan, "a1", protocol.EventMessageUpdated)
	if live.Chg != ev.Chg || !slices.Equal(live.Message.Poll.Options[1].VoterIDs, []string{"bob"}) || live.Message.Poll.Mine != nil {
		t.Errorf("alice got chg %d poll %+v", live.Chg, live.Message.Poll)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessageUpdated)); n != 0 {
		t.Errorf("the voter's own connection got %d pushes (it has the reply)", n)
	}
	// The same vote again changes nothing.
	again, err := h.svc.Vote(h.ctx, bob, ref(1))
	if err != nil || again.Chg != 0 {
		t.Errorf("same vote again: chg %d, %v", again.Chg, err)
	}
	// Carol votes; bob changes his mind; then retracts.
	if _, err := h.svc.Vote(h.ctx, carol, ref(1)); err != nil {
		t.Fatal(err)
	}
	ev, err = h.svc.Vote(h.ctx, bob, ref(2))
	if err != nil || !slices.Equal(counts(ev.Message.Poll), []int{0, 1, 1}) || ev.Message.Poll.Voters != 2 {
		t.Fatalf("replace: %+v, %v", ev.Message.Poll, err)
	}
	ev, err = h.svc.Vote(h.ctx, bob, ref())
	if err != nil || !slices.Equal(counts(ev.Message.Poll), []int{0, 1, 0}) || len(ev.Message.Poll.Mine) != 0 || ev.Message.Poll.Mine == nil {
		t.Fatalf("retract: %+v, %v", ev.Message.Poll, err)
	}
	// Single choice takes exactly one.
	_, err = h.svc.Vote(h.ctx, bob, ref(0, 1))
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.Vote(h.ctx, bob, ref(7))
	wantCode(t, err, chat.Invalid)
	// Not a poll.
	text := h.send(alice, room.ID, "just text")
	_, err = h.svc.Vote(h.ctx, bob, protocol.VoteRequest{RoomID: room.ID, Seq: text.Seq, Options: []int{0}})
	wantCode(t, err, chat.Invalid)
	// History and resume give each caller their own choice.
	hist, err := h.svc.History(h.ctx, carol, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range hist.Messages {
		if m.Seq == poll.Seq && !slices.Equal(m.Poll.Mine, []int{1}) {
			t.Errorf("carol's history: mine = %v", m.Poll.Mine)
		}
	}
	missed, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: text.Seq}, Changes: map[string]int64{room.ID: 0}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range missed.Rooms[0].Changed {
		if m.Seq == poll.Seq {
			found = true
			if m.Poll.Mine == nil || len(m.Poll.Mine) != 0 || !slices.Equal(counts(m.Poll), []int{0, 1, 0}) {
				t.Errorf("alice's replay: %+v", m.Poll)
			}
		}
	}
	if !found {
		t.Errorf("resume did not replay the poll: %+v", missed.Rooms[0])
	}
}

func TestMultipleChoicePoll(t *testing.T) {
	h, room, alice, bob, _ := pollWorld(t)
	poll := createPoll(t, h, alice, room.ID, true, false)
	ev, err := h.svc.Vote(h.ctx, bob, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{2, 0}})
	if err != nil || !slices.Equal(counts(ev.Message.Poll), []int{1, 0, 1}) || ev.Message.Poll.Voters != 1 || !slices.Equal(ev.Message.Poll.Mine, []int{0, 2}) {
		t.Fatalf("multiple: %+v, %v", ev.Message.Poll, err)
	}
}

// An anonymous poll's voters are told to nobody, the author included: not
// in any push, reply, history or resume.
func TestAnonymousPollNeverNamesVoters(t *testing.T) {
	h, room, alice, bob, carol := pollWorld(t)
	poll := createPoll(t, h, alice, room.ID, false, true)
	h.fan.Reset()
	if _, err := h.svc.Vote(h.ctx, bob, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{0}}); err != nil {
		t.Fatal(err)
	}
	ev, err := h.svc.Vote(h.ctx, carol, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(counts(ev.Message.Poll), []int{1, 1, 0}) || !slices.Equal(ev.Message.Poll.Mine, []int{1}) {
		t.Errorf("carol's reply: %+v", ev.Message.Poll)
	}
	closed, err := h.svc.ClosePoll(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: poll.Seq})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range h.fan.Sends() {
		if strings.Contains(string(s.Payload), `"bob"`) || strings.Contains(string(s.Payload), `"carol"`) {
			t.Errorf("a push names a voter: %s", s.Payload)
		}
	}
	for _, m := range append(hist.Messages, closed.Message) {
		if m.Poll == nil {
			continue
		}
		for _, o := range m.Poll.Options {
			if len(o.VoterIDs) > 0 {
				t.Errorf("alice learns voters %v", o.VoterIDs)
			}
		}
		if len(m.Poll.Mine) != 0 {
			t.Errorf("alice did not vote, mine = %v", m.Poll.Mine)
		}
	}
}

func TestClosedPollRefusesVotes(t *testing.T) {
	h, room, alice, bob, carol := pollWorld(t)
	poll := createPoll(t, h, bob, room.ID, false, false)
	if _, err := h.svc.Vote(h.ctx, carol, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{0}}); err != nil {
		t.Fatal(err)
	}
	// Carol (a member) may not close bob's poll; alice (the owner) may.
	_, err := h.svc.ClosePoll(h.ctx, carol, protocol.MessageRef{RoomID: room.ID, Seq: poll.Seq})
	wantCode(t, err, chat.Forbidden)
	h.fan.Reset()
	ev, err := h.svc.ClosePoll(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: poll.Seq})
	if err != nil || ev.Chg == 0 || ev.Message.Poll.ClosedBy != "alice" || ev.Message.Poll.ClosedAt.IsZero() {
		t.Fatalf("close: %+v, %v", ev, err)
	}
	live := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated)
	if live.Message.Poll.ClosedBy != "alice" {
		t.Errorf("bob got %+v", live.Message.Poll)
	}
	again, err := h.svc.ClosePoll(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: poll.Seq})
	if err != nil || again.Chg != 0 {
		t.Errorf("closing again: chg %d, %v", again.Chg, err)
	}
	_, err = h.svc.Vote(h.ctx, carol, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{1}})
	wantCode(t, err, chat.Conflict)
	if !strings.Contains(chat.ErrorMessage(err), "this poll is closed") {
		t.Errorf("refusal = %q", chat.ErrorMessage(err))
	}
	// Its result stays: carol's vote is counted.
	if !slices.Equal(counts(ev.Message.Poll), []int{1, 0, 0}) {
		t.Errorf("closed tally = %v", counts(ev.Message.Poll))
	}
}

func TestPollCannotBeEditedAndDeletingDropsIt(t *testing.T) {
	h, room, alice, bob, _ := pollWorld(t)
	poll := createPoll(t, h, alice, room.ID, false, false)
	if _, err := h.svc.Vote(h.ctx, bob, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{0}}); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: poll.Seq, Text: "Dinner?"})
	wantCode(t, err, chat.Invalid)
	del, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: poll.Seq})
	if err != nil || del.Message.Poll != nil {
		t.Fatalf("delete: %+v, %v", del.Message, err)
	}
	stored, err := h.store.GetMessage(h.ctx, room.ID, poll.Seq)
	if err != nil || stored.Poll != nil {
		t.Errorf("stored tombstone keeps the poll: %+v", stored.Poll)
	}
	_, err = h.svc.Vote(h.ctx, bob, protocol.VoteRequest{RoomID: room.ID, Seq: poll.Seq, Options: []int{1}})
	wantCode(t, err, chat.Conflict)
}
