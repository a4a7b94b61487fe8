package integration

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func pollCounts(m chat.Message) []int {
	var out []int
	for _, o := range m.Poll.Options {
		out = append(out, o.Count)
	}
	return out
}

// TestPollsOverTheGateway: Ann's poll voted on by Bob and Ann, results live
// on both sides; an anonymous poll's frames never name a voter; a closed
// poll refuses votes; an outsider cannot vote; resume replays the votes.
// Over real sockets through the local gateway, on DynamoDB Local.
func TestPollsOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "polls"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)

	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionCreatePoll, map[string]any{
		"roomId": club, "clientId": "poll-1", "question": "Lunch on Friday?", "options": []string{"Pizza", "Sushi", "Tacos"},
	}, protocol.EventAck))
	poll := ack.Message
	if poll.Poll == nil || poll.Text != "Lunch on Friday?" {
		t.Fatalf("ack %+v", ack)
	}
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, club, poll.Seq))

	// Bob votes Sushi: his reply has his choice, Ann sees it live.
	r := decode[protocol.MessageEvent](t, tr.b.call(protocol.ActionVote, map[string]any{"roomId": club, "seq": poll.Seq, "options": []int{1}}, protocol.EventMessageUpdated))
	if r.Chg == 0 || !slices.Equal(pollCounts(r.Message), []int{0, 1, 0}) || !slices.Equal(r.Message.Poll.Mine, []int{1}) {
		t.Fatalf("bob's vote reply %+v", r.Message.Poll)
	}
	live := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, poll.Seq, func(m chat.Message) bool { return m.Poll != nil && m.Poll.Voters == 1 })))
	if live.Chg != r.Chg || !slices.Equal(live.Message.Poll.Options[1].VoterIDs, []string{tr.bob.id}) || live.Message.Poll.Mine != nil {
		t.Errorf("ann got %+v", live.Message.Poll)
	}
	// Ann votes Pizza: Bob sees two voters.
	tr.a.call(protocol.ActionVote, map[string]any{"roomId": club, "seq": poll.Seq, "options": []int{0}}, protocol.EventMessageUpdated)
	tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, poll.Seq, func(m chat.Message) bool {
		return m.Poll != nil && slices.Equal(pollCounts(m), []int{1, 1, 0})
	}))
	// Refusals: two options on a single-choice poll; an outsider.
	tr.b.callError(protocol.ActionVote, map[string]any{"roomId": club, "seq": poll.Seq, "options": []int{0, 1}}, string(chat.Invalid))
	tr.c.callError(protocol.ActionVote, map[string]any{"roomId": club, "seq": poll.Seq, "options": []int{0}}, string(chat.Forbidden))
	// Bob may not close Ann's poll; Ann closes it; votes are refused.
	tr.b.callError(protocol.ActionClosePoll, map[string]any{"roomId": club, "seq": poll.Seq}, string(chat.Forbidden))
	tr.a.call(protocol.ActionClosePoll, map[string]any{"roomId": club, "seq": poll.Seq}, protocol.EventMessageUpdated)
	tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, poll.Seq, func(m chat.Message) bool { return m.Poll != nil && m.Poll.ClosedBy == tr.ann.id }))
	f := tr.b.callError(protocol.ActionVote, map[string]any{"roomId": club, "seq": poll.Seq, "options": []int{2}}, string(chat.Conflict))
	if !strings.Contains(string(f.raw), "this poll is closed") {
		t.Errorf("closed poll refusal: %s", f.raw)
	}

	// An anonymous poll: no frame Ann receives names Bob.
	anon := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionCreatePoll, map[string]any{
		"roomId": club, "clientId": "poll-2", "question": "Rate the release", "options": []string{"good", "bad"}, "anonymous": true, "multiple": true,
	}, protocol.EventAck)).Message
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, club, anon.Seq))
	tr.b.call(protocol.ActionVote, map[string]any{"roomId": club, "seq": anon.Seq, "options": []int{0, 1}}, protocol.EventMessageUpdated)
	got := tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, anon.Seq, func(m chat.Message) bool { return m.Poll != nil && m.Poll.Voters == 1 }))
	hist := tr.a.call(protocol.ActionHistory, room(club), protocol.EventHistory)
	for _, m := range decode[protocol.HistoryEvent](t, hist).Messages {
		if m.Seq == anon.Seq && (len(m.Poll.Options[0].VoterIDs) > 0 || len(m.Poll.Options[1].VoterIDs) > 0 || len(m.Poll.Mine) != 0) {
			t.Errorf("anonymous poll in ann's history names voters: %+v", m.Poll)
		}
	}
	if strings.Contains(string(got.raw), tr.bob.id) {
		t.Errorf("the anonymous poll's update names bob: %s", got.raw)
	}
	if m := decode[protocol.MessageEvent](t, got).Message; !slices.Equal(pollCounts(m), []int{1, 1}) {
		t.Errorf("anonymous tally %+v", m.Poll)
	}

	// Resume replays the votes as the polls are now, with the caller's own
	// choice.
	from := int64(0) // the new room's change log starts at 0
	missed := decode[protocol.MissedEvent](t, tr.b.call(protocol.ActionResume, map[string]any{
		"rooms": map[string]int64{club: anon.Seq}, "changes": map[string]int64{club: from},
	}, protocol.EventMissed))
	if len(missed.Rooms) != 1 {
		t.Fatalf("missed %+v", missed)
	}
	seen := map[int64]chat.Message{}
	for _, m := range missed.Rooms[0].Changed {
		seen[m.Seq] = m
	}
	if m, ok := seen[poll.Seq]; !ok || m.Poll.ClosedBy != tr.ann.id || !slices.Equal(m.Poll.Mine, []int{1}) {
		t.Errorf("replayed poll %+v", m.Poll)
	}
	if m, ok := seen[anon.Seq]; !ok || !slices.Equal(m.Poll.Mine, []int{0, 1}) || len(m.Poll.Options[0].VoterIDs) != 0 {
		t.Errorf("replayed anonymous poll %+v", m.Poll)
	}
}
