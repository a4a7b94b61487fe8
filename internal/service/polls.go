package service

import (
	"context"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Polls (issue 14): createPoll sends a poll message through the send path
// (idempotent on clientId, MessageCreated, the stream's search index and
// notifications see its question as the text); vote and closePoll change
// it like a reaction: numbered in the room's change log first, stored,
// pushed as messageUpdated with the change number, replayed by resume.
// What is pushed is the tally (chat.Poll.Tally): counts, and voters only
// for polls that are not anonymous; the caller's own choice (Mine) only in
// the caller's own replies.

func errPollNotEditable() error {
	return chat.Errorf(chat.Invalid, "a poll cannot be edited: close it, or delete it and create a new one")
}

func errNotAPoll() error { return chat.Errorf(chat.Invalid, "this message is not a poll") }

// CreatePoll validates the poll (chat.NewPoll) and sends it as a message of
// the room, for members who may send.
func (s *Chat) CreatePoll(ctx context.Context, c chat.Connection, r protocol.CreatePollRequest) (protocol.AckEvent, error) {
	if err := checkRoomID(r.RoomID); err != nil {
		return protocol.AckEvent{}, err
	}
	if err := checkClientID(r.ClientID); err != nil {
		return protocol.AckEvent{}, err
	}
	poll, err := chat.NewPoll(r.Question, r.Options, r.Multiple, r.Anonymous)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	var (
		wg      sync.WaitGroup
		authErr error
		sender  chat.Profile
		ra      roomAccess
	)
	wg.Go(func() {
		ra, authErr = s.authorize(ctx, c, chat.ActCreatePoll, r.RoomID, true)
	})
	wg.Go(func() { sender = s.profileOrStub(ctx, c.UserID) })
	admitErr := admitted(ctx)
	wg.Wait()
	if err := firstErr(admitErr, authErr); err != nil {
		return protocol.AckEvent{}, err
	}
	if ra.room.Encrypted { // a poll's question and options are plain text (e2ee_rooms.go)
		return protocol.AckEvent{}, errEncryptedOff("polls are")
	}
	if sender.DisplayName == "" {
		sender.DisplayName = c.DisplayName
	}
	// The review hook sees the question and the options (kind poll) after
	// the policy and before anything is stored, as a send's text.
	poll, err = s.reviewPoll(ctx, chat.ReviewRequest{RoomID: r.RoomID, ClientID: r.ClientID, SenderID: c.UserID, SenderName: sender.DisplayName}, poll)
	if err != nil {
		return protocol.AckEvent{}, err
	}
	now := s.clock()
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: r.RoomID, ClientID: r.ClientID,
		SenderID: c.UserID, SenderName: sender.DisplayName,
		Text: poll.Question, Poll: &poll,
		CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, ra.room, now),
	})
	if err != nil {
		return protocol.AckEvent{}, storeErr(err, "store poll")
	}
	ack := protocol.AckEvent{Head: protocol.Head{Type: protocol.EventAck}, ClientID: r.ClientID, Message: msg.ForViewer(c.UserID)}
	if !created {
		ack.Duplicate = true
		return ack, nil
	}
	ack.Delivered = s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: msg})
	return ack, nil
}

// pollMessage loads a poll message for vote or closePoll: the policy on
// the room first, then the message (its author, for closePoll).
func (s *Chat) pollMessage(ctx context.Context, c chat.Connection, action chat.Action, roomID string, seq int64) (chat.Message, error) {
	ra, err := s.authorize(ctx, c, action, roomID, false)
	if err != nil {
		return chat.Message{}, err
	}
	if seq <= 0 {
		return chat.Message{}, chat.Errorf(chat.Invalid, "seq must be positive")
	}
	msg, err := s.store.GetMessage(ctx, roomID, seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	}
	if err != nil {
		return chat.Message{}, storeErr(err, "get message")
	}
	if err := authorizeMessage(c, action, ra, msg); err != nil {
		return chat.Message{}, err
	}
	if msg.Deleted {
		return chat.Message{}, errMessageDeleted()
	}
	if msg.Poll == nil {
		return chat.Message{}, errNotAPoll()
	}
	return msg, nil
}

// pollStoreErr passes the store's refusals of a poll change through (a
// closed poll, a tombstone, the voter cap) and wraps the rest.
func pollStoreErr(err error, what string) error {
	switch chat.ErrorCode(err) {
	case chat.Conflict, chat.Invalid, chat.NotFound:
		return err
	}
	return storeErr(err, what)
}

// Vote replaces the caller's vote on a poll with r.Options (none retracts
// it), for members who may send. Idempotent: the same choice again stores
// nothing and answers the poll without a change number. A closed poll
// refuses (Conflict, "this poll is closed").
func (s *Chat) Vote(ctx context.Context, c chat.Connection, r protocol.VoteRequest) (protocol.MessageEvent, error) {
	msg, err := s.pollMessage(ctx, c, chat.ActVote, r.RoomID, r.Seq)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	choice, err := msg.Poll.CheckVote(r.Options)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	reply := protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}}
	if _, changed, err := msg.Poll.ApplyVote(c.UserID, choice); err != nil || !changed {
		reply.Message = msg.ForViewer(c.UserID)
		return reply, err
	}
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	stored, err := s.store.Vote(ctx, msg.RoomID, msg.Seq, c.UserID, choice)
	if err != nil {
		return protocol.MessageEvent{}, pollStoreErr(err, "vote")
	}
	s.publish(ctx, chat.PollChanged{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: stored, Chg: chg})
	reply.Message, reply.Chg = stored.ForViewer(c.UserID), chg
	return reply, nil
}

// ClosePoll closes a poll: its author, or the room's owners, moderators
// and workspace admins. Closing a closed poll answers it as it is.
func (s *Chat) ClosePoll(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.MessageEvent, error) {
	msg, err := s.pollMessage(ctx, c, chat.ActClosePoll, r.RoomID, r.Seq)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	reply := protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}}
	if msg.Poll.Closed() {
		reply.Message = msg.ForViewer(c.UserID)
		return reply, nil
	}
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	stored, err := s.store.ClosePoll(ctx, msg.RoomID, msg.Seq, c.UserID, s.clock())
	if err != nil {
		return protocol.MessageEvent{}, pollStoreErr(err, "close poll")
	}
	s.publish(ctx, chat.PollChanged{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: stored, Chg: chg})
	reply.Message, reply.Chg = stored.ForViewer(c.UserID), chg
	return reply, nil
}
