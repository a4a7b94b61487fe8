package dynamo

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Erasure of customer support's items (issue 17), called by eraseItem for
// every conversation, team and canned answer it scans:
//   - a conversation of the visitor: the visitor's name becomes
//     DeletedUserName, the email, the page (its URL may carry personal
//     data), the language and the rating's comment go; the visitor's id
//     stays only as the reference that resolves to the tombstone profile
//     (their messages are erased as anyone's);
//   - a conversation an agent handled: the assignee and the transfers'
//     from/to/by become chat.DeletedActor (the notes' text stays with the
//     conversation: it is the team's record, and notes are messages,
//     erased with the agent's messages by the message policy);
//   - a team: the person leaves its agents and leads;
//   - a canned answer: updatedBy becomes chat.DeletedActor.
//
// The agent status item (USER#<id>, AGENT) goes with the user's partition.

func (s *Store) eraseFromSupportConv(ctx context.Context, userID string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	var it supConvItem
	if err := gdynamo.UnmarshalItem(item, &it); err != nil {
		return internal(err, "read conversation")
	}
	c, err := it.conversation()
	if err != nil {
		return err
	}
	changed := false
	if c.Visitor.ID == userID && (c.Visitor.Name != chat.DeletedUserName || c.Visitor.Email != "" || c.Page != (chat.SupportPage{}) || c.Lang != "" || (c.Rating != nil && c.Rating.Comment != "")) {
		c.Visitor = chat.SupportVisitor{ID: userID, Name: chat.DeletedUserName}
		c.Page, c.Lang = chat.SupportPage{}, ""
		if c.Rating != nil {
			c.Rating.Comment = ""
		}
		changed = true
	}
	if c.Visitor.ID == userID {
		if err := s.forgetTranscriptRequest(ctx, c.RoomID); err != nil { // supporthours.go
			return err
		}
	}
	if c.AssigneeID == userID {
		c.AssigneeID, changed = chat.DeletedActor, true
	}
	for i := range c.Transfers {
		tr := &c.Transfers[i]
		for _, f := range []*string{&tr.FromUserID, &tr.ToUserID, &tr.By} {
			if *f == userID {
				*f, changed = chat.DeletedActor, true
			}
		}
	}
	if !changed {
		return nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return internal(err, "encode conversation")
	}
	// Under the version read: a concurrent change is retried by the next
	// pass (the erasure's resumable Scan), never overwritten.
	err = s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK).Set("data", string(b)).If("ver = ?", it.Ver).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "erase from conversation")
	}
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the conversation changed during the erasure: run it again")
	}
	res.Updated++
	return nil
}

func (s *Store) eraseFromSupportTeam(ctx context.Context, userID string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	var it supTeamItem
	if err := gdynamo.UnmarshalItem(item, &it); err != nil {
		return internal(err, "read team")
	}
	t, err := decodeTeam(it)
	if err != nil {
		return err
	}
	if !t.HasAgent(userID) {
		return nil
	}
	t.Agents = slices.DeleteFunc(t.Agents, func(id string) bool { return id == userID })
	t.Leads = slices.DeleteFunc(t.Leads, func(id string) bool { return id == userID })
	if err := s.PutSupportTeam(ctx, t); err != nil {
		return err
	}
	res.Updated++
	return nil
}

func (s *Store) eraseFromCanned(ctx context.Context, userID string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	var it cannedItem
	if err := gdynamo.UnmarshalItem(item, &it); err != nil {
		return internal(err, "read canned answer")
	}
	a, err := decodeCanned(it)
	if err != nil || a.UpdatedBy != userID {
		return err
	}
	a.UpdatedBy = chat.DeletedActor
	b, err := json.Marshal(a)
	if err != nil {
		return internal(err, "encode canned answer")
	}
	if err := s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK).Set("data", string(b)).If("attribute_exists($)", AttrPK).Run(ctx); err != nil && !isCondFailed(err) {
		return internal(err, "erase from canned answer")
	}
	res.Updated++
	return nil
}
