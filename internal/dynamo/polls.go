package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// pollItem is a message's poll (attribute poll): question, options, the
// settings, the closing, and the votes: a map of voter to the option
// numbers chosen (v), one entry per voter. A vote sets or removes its own
// entry (poll.v.<userId>) in one UpdateItem without reading the message:
// two people voting at once write different paths of the item, and
// DynamoDB applies both (no read-modify-write, so no lock and no retry).
type pollItem struct {
	Question  string           `dynamo:"q"`
	Options   []string         `dynamo:"o"`
	Multiple  bool             `dynamo:"m,omitempty"`
	Anonymous bool             `dynamo:"a,omitempty"`
	ClosedBy  string           `dynamo:"cb,omitempty"`
	ClosedAt  time.Time        `dynamo:"ca,omitempty"`
	Votes     map[string][]int `dynamo:"v,allowempty"`
}

func newPollItem(p chat.Poll) *pollItem {
	it := &pollItem{
		Question: p.Question, Multiple: p.Multiple, Anonymous: p.Anonymous,
		ClosedBy: p.ClosedBy, ClosedAt: utc(p.ClosedAt), Votes: map[string][]int{},
	}
	for _, o := range p.Options {
		it.Options = append(it.Options, o.Text)
	}
	for u, v := range p.Votes {
		it.Votes[u] = v
	}
	return it
}

func (it pollItem) poll() chat.Poll {
	p := chat.Poll{
		Question: it.Question, Multiple: it.Multiple, Anonymous: it.Anonymous,
		ClosedBy: it.ClosedBy, ClosedAt: it.ClosedAt, Votes: map[string][]int{},
	}
	for _, o := range it.Options {
		p.Options = append(p.Options, chat.PollOption{Text: o})
	}
	for u, v := range it.Votes {
		if len(v) > 0 {
			p.Votes[u] = v
		}
	}
	p.Tally()
	return p
}

// pollOpen is the condition every vote and closing shares: a poll message,
// not a tombstone, not closed.
const pollOpen = "attribute_exists(poll) AND (attribute_not_exists(deleted) OR deleted = ?) AND attribute_not_exists(poll.ca)"

// Vote sets (or, with no options, removes) the voter's entry of the poll
// in one conditional UpdateItem: no read, so concurrent votes of different
// people never overwrite each other. The condition keeps out tombstones,
// closed polls and a new voter past chat.PollMaxVoters (size() of the
// map); a refused vote's item comes back with the failure, which tells
// which. Cost: the message item's size in WCU (1 KB a unit).
func (s *Store) Vote(ctx context.Context, roomID string, seq int64, userID string, options []int) (chat.Message, error) {
	ctx = withOp(ctx, "Vote")
	u := s.table.Update(AttrPK, msgPK(roomID)).Range(AttrSK, seqSK(seq)).IncludeItemInCondCheckFail(true)
	if len(options) == 0 {
		u.RemoveExpr("poll.v.$", userID).If(pollOpen, false)
	} else {
		u.SetExpr("poll.v.$ = ?", userID, options).
			If(pollOpen+" AND (attribute_exists(poll.v.$) OR size(poll.v) < ?)", false, userID, chat.PollMaxVoters)
	}
	var stored messageItem
	err := u.Value(ctx, &stored)
	if err == nil {
		return stored.message(), nil
	}
	return chat.Message{}, s.pollRefusal(ctx, err, roomID, seq, "vote")
}

// ClosePoll closes the poll in one conditional UpdateItem; a poll closed
// already is answered as stored.
func (s *Store) ClosePoll(ctx context.Context, roomID string, seq int64, by string, at time.Time) (chat.Message, error) {
	ctx = withOp(ctx, "ClosePoll")
	var stored messageItem
	err := s.table.Update(AttrPK, msgPK(roomID)).Range(AttrSK, seqSK(seq)).
		Set("poll.cb", by).Set("poll.ca", utc(at)).
		If(pollOpen, false).IncludeItemInCondCheckFail(true).Value(ctx, &stored)
	if err == nil {
		return stored.message(), nil
	}
	var cfe *types.ConditionalCheckFailedException
	if errors.As(err, &cfe) && cfe.Item != nil {
		var it messageItem
		if uerr := gdynamo.UnmarshalItem(cfe.Item, &it); uerr == nil && !it.Deleted && it.Poll != nil && !it.Poll.ClosedAt.IsZero() {
			return it.message(), nil
		}
	}
	return chat.Message{}, s.pollRefusal(ctx, err, roomID, seq, "close poll")
}

// pollRefusal turns a failed poll update into the domain's error: the item
// returned with a failed condition says why.
func (s *Store) pollRefusal(_ context.Context, err error, roomID string, seq int64, op string) error {
	if !isCondFailed(err) {
		return internal(err, op)
	}
	var cfe *types.ConditionalCheckFailedException
	if !errors.As(err, &cfe) || cfe.Item == nil {
		return chat.Errorf(chat.NotFound, "message %d not found in %s", seq, roomID)
	}
	var it messageItem
	if err := gdynamo.UnmarshalItem(cfe.Item, &it); err != nil {
		return internal(err, op+": read refused item")
	}
	switch {
	case it.Deleted:
		return errMessageDeleted(it.message())
	case it.Poll == nil:
		return chat.Errorf(chat.Invalid, "message %d is not a poll", seq)
	case !it.Poll.ClosedAt.IsZero():
		return chat.Errorf(chat.Conflict, "this poll is closed: it takes no more votes")
	default:
		return chat.Errorf(chat.Invalid, "this poll has %d voters, the most it takes", chat.PollMaxVoters)
	}
}
