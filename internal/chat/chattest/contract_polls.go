package chattest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractPolls: a poll stored with its message, votes set, replaced and
// retracted per voter, none lost when many vote at once, closing, and the
// refusals (not a poll, a tombstone, a closed poll).
func contractPolls(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("poll"), Kind: chat.KindPublic, Name: uniq("poll"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	p, err := chat.NewPoll("Lunch?", []string{"Pizza", "Sushi", "Tacos"}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Text: p.Question, Poll: &p, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if m.Poll == nil || m.Poll.Question != "Lunch?" || len(m.Poll.Options) != 3 || m.Poll.Options[2].Text != "Tacos" || !m.Poll.Multiple {
		t.Fatalf("appended poll = %+v", m.Poll)
	}
	tally := func(m chat.Message) []int {
		var out []int
		for _, o := range m.Poll.Options {
			out = append(out, o.Count)
		}
		return out
	}

	got, err := s.Vote(ctx, room.ID, m.Seq, "u2", []int{0, 2})
	if err != nil || !slices.Equal(tally(got), []int{1, 0, 1}) || got.Poll.Voters != 1 || !slices.Equal(got.Poll.Options[0].VoterIDs, []string{"u2"}) {
		t.Fatalf("Vote = %+v, %v", got.Poll, err)
	}
	got, err = s.Vote(ctx, room.ID, m.Seq, "u2", []int{1})
	if err != nil || !slices.Equal(tally(got), []int{0, 1, 0}) || !slices.Equal(got.Poll.MineOf("u2"), []int{1}) {
		t.Errorf("replaced vote = %+v, %v", got.Poll, err)
	}
	got, err = s.Vote(ctx, room.ID, m.Seq, "u2", nil)
	if err != nil || !slices.Equal(tally(got), []int{0, 0, 0}) || got.Poll.Voters != 0 {
		t.Errorf("retracted vote = %+v, %v", got.Poll, err)
	}
	// Retracting no vote is fine.
	if _, err := s.Vote(ctx, room.ID, m.Seq, "u9", nil); err != nil {
		t.Errorf("retracting no vote: %v", err)
	}

	// Many people voting at once: none is lost.
	const n = 25
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if _, err := s.Vote(ctx, room.ID, m.Seq, fmt.Sprintf("voter-%02d", i), []int{i % 3}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent vote: %v", err)
	}
	stored, err := s.GetMessage(ctx, room.ID, m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Poll.Voters != n || !slices.Equal(tally(stored), []int{9, 8, 8}) {
		t.Errorf("after %d concurrent votes: voters %d, tally %v", n, stored.Poll.Voters, tally(stored))
	}
	// An edit of the message's content leaves the votes alone.
	edit := stored
	edit.EditedAt = now.Add(time.Second)
	if err := s.ReplaceMessage(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.GetMessage(ctx, room.ID, m.Seq); after.Poll == nil || after.Poll.Voters != n {
		t.Errorf("after ReplaceMessage: %+v", after.Poll)
	}

	// Closing: once; then votes are refused.
	closedAt := now.Add(time.Minute)
	got, err = s.ClosePoll(ctx, room.ID, m.Seq, "u1", closedAt)
	if err != nil || got.Poll.ClosedBy != "u1" || !got.Poll.ClosedAt.Equal(closedAt) || got.Poll.Voters != n {
		t.Fatalf("ClosePoll = %+v, %v", got.Poll, err)
	}
	got, err = s.ClosePoll(ctx, room.ID, m.Seq, "u2", closedAt.Add(time.Minute))
	if err != nil || got.Poll.ClosedBy != "u1" {
		t.Errorf("closing again = %+v, %v", got.Poll, err)
	}
	_, err = s.Vote(ctx, room.ID, m.Seq, "u3", []int{0})
	wantCode(t, "Vote on a closed poll", err, chat.Conflict)

	// Not a poll; no message; a tombstone.
	text, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Text: "plain", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Vote(ctx, room.ID, text.Seq, "u2", []int{0})
	wantCode(t, "Vote on a text message", err, chat.Invalid)
	_, err = s.ClosePoll(ctx, room.ID, text.Seq, "u1", now)
	wantCode(t, "ClosePoll of a text message", err, chat.Invalid)
	_, err = s.Vote(ctx, room.ID, 9999, "u2", []int{0})
	wantCode(t, "Vote on no message", err, chat.NotFound)
	p2, _ := chat.NewPoll("Again?", []string{"yes", "no"}, false, true)
	m2, _, err := s.AppendMessage(ctx, chat.Message{RoomID: room.ID, SenderID: "u1", ClientID: uniq("c"), Text: p2.Question, Poll: &p2, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Vote(ctx, room.ID, m2.Seq, "u2", []int{1}); err != nil || got.Poll.Options[1].Count != 1 || len(got.Poll.Options[1].VoterIDs) != 0 {
		t.Errorf("anonymous vote = %+v, %v", got.Poll, err)
	}
	tomb := m2
	tomb.Text, tomb.Poll, tomb.Deleted, tomb.DeletedBy, tomb.EditedAt = "", nil, true, "u1", now
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.GetMessage(ctx, room.ID, m2.Seq); after.Poll != nil {
		t.Errorf("a tombstone keeps its poll: %+v", after.Poll)
	}
	_, err = s.Vote(ctx, room.ID, m2.Seq, "u2", []int{0})
	wantCode(t, "Vote on a tombstone", err, chat.Conflict)
}
