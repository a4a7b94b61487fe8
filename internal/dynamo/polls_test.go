package dynamo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Two people voting at once write different entries of the poll's vote
// map in one UpdateItem each, without a read: 100 votes sent at once (each
// person also changing their mind once) all count, none is refused.
func TestConcurrentVotesNoneLost(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	p, err := chat.NewPoll("Which?", []string{"a", "b", "c", "d"}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := s.AppendMessage(ctx, chat.Message{RoomID: "r1", SenderID: "u1", ClientID: "p", Text: p.Question, Poll: &p, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			user := fmt.Sprintf("user-%03d", i)
			// First a wrong choice, then the final one (options i%4 and, for
			// every other voter, (i+1)%4).
			if _, err := s.Vote(ctx, "r1", m.Seq, user, []int{(i + 2) % 4}); err != nil {
				errs <- err
			}
			final := []int{i % 4}
			if i%2 == 0 {
				final = []int{min(i%4, (i+1)%4), max(i%4, (i+1)%4)}
			}
			if _, err := s.Vote(ctx, "r1", m.Seq, user, final); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("vote: %v", err)
	}
	got, err := s.GetMessage(ctx, "r1", m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, 4)
	for i := range n {
		want[i%4]++
		if i%2 == 0 {
			want[(i+1)%4]++
		}
	}
	for o, opt := range got.Poll.Options {
		if opt.Count != want[o] || len(opt.VoterIDs) != want[o] {
			t.Errorf("option %d: %d votes (%d voters), want %d", o, opt.Count, len(opt.VoterIDs), want[o])
		}
	}
	if got.Poll.Voters != n {
		t.Errorf("voters = %d, want %d", got.Poll.Voters, n)
	}
	// Stored as one map entry per voter under poll.v.
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.TableName()), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "MSG#r1"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("%020d", m.Seq)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	poll, ok := out.Item["poll"].(*types.AttributeValueMemberM)
	if !ok {
		t.Fatalf("item has no poll map: %v", out.Item["poll"])
	}
	votes, ok := poll.Value["v"].(*types.AttributeValueMemberM)
	if !ok || len(votes.Value) != n {
		t.Errorf("poll.v = %T with %d entries, want a map of %d", poll.Value["v"], len(votes.Value), n)
	}
}
