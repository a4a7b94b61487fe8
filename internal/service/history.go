package service

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// History pages back through a room, newest first, for members only.
func (s *Chat) History(ctx context.Context, c chat.Connection, r protocol.HistoryRequest) (protocol.HistoryEvent, error) {
	if r.Before < 0 {
		return protocol.HistoryEvent{}, chat.Errorf(chat.Invalid, "before must not be negative")
	}
	limit := r.Limit
	switch {
	case limit <= 0:
		limit = protocol.HistoryPageSize
	case limit > maxHistoryLimit:
		limit = maxHistoryLimit
	}
	if _, err := s.authorize(ctx, c, chat.ActHistory, r.RoomID, false); err != nil {
		return protocol.HistoryEvent{}, err
	}
	msgs, more, err := s.store.MessagesBefore(ctx, r.RoomID, r.Before, limit)
	if err != nil {
		return protocol.HistoryEvent{}, storeErr(err, "read history")
	}
	budget := replyBudget
	msgs, cut := fitBudget(msgs, &budget)
	more = more || cut
	ev := protocol.HistoryEvent{Head: protocol.Head{Type: protocol.EventHistory}, RoomID: r.RoomID, Messages: nonNil(msgs), HasMore: more}
	if more && len(msgs) > 0 {
		ev.Before = msgs[len(msgs)-1].Seq
	}
	return ev, nil
}

// Resume answers what a reconnecting client missed: for each room asked
// about, the messages after the last seq it saw, oldest first, one page of
// protocol.ResumePageSize (HasMore: resume again from the last seq).
// Rooms the caller is no longer a member of (or that never were its own)
// are left out of the answer rather than failing it: a client's membership
// may have changed while it was away. It learns its current rooms from
// getState.
func (s *Chat) Resume(ctx context.Context, c chat.Connection, r protocol.ResumeRequest) (protocol.MissedEvent, error) {
	if len(r.Rooms) > maxResumeRooms {
		return protocol.MissedEvent{}, chat.Errorf(chat.Invalid, "too many rooms: resume at most %d at a time", maxResumeRooms)
	}
	ids := make([]string, 0, len(r.Rooms))
	for id, after := range r.Rooms {
		if err := checkRoomID(id); err != nil {
			return protocol.MissedEvent{}, err
		}
		if after < 0 {
			return protocol.MissedEvent{}, chat.Errorf(chat.Invalid, "last seen seq must not be negative")
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ev := protocol.MissedEvent{Head: protocol.Head{Type: protocol.EventMissed}, Rooms: []protocol.MissedRoom{}}
	if len(ids) == 0 {
		return ev, nil
	}
	mine, err := s.store.UserRooms(ctx, c.UserID)
	if err != nil {
		return protocol.MissedEvent{}, storeErr(err, "list rooms")
	}
	roles := make(map[string]chat.Role, len(mine))
	for _, m := range mine {
		roles[m.RoomID] = m.Role
	}
	// The policy refuses rooms the caller is not in; they are left out.
	ids = slices.DeleteFunc(ids, func(id string) bool {
		return chat.Authorize(chat.ActResume, chat.Access{Groups: c.Groups, Role: roles[id], Room: chat.Room{ID: id}}) != nil
	})
	rooms := make([]protocol.MissedRoom, len(ids))
	err = forEach(len(ids), func(i int) error {
		msgs, more, err := s.store.MessagesAfter(ctx, ids[i], r.Rooms[ids[i]], protocol.ResumePageSize)
		if err != nil {
			return storeErr(err, "read missed messages")
		}
		rooms[i] = protocol.MissedRoom{RoomID: ids[i], Messages: nonNil(msgs), HasMore: more}
		return nil
	})
	if err != nil {
		return protocol.MissedEvent{}, err
	}
	// One budget across rooms, in id order: a room cut short (or left
	// empty) says HasMore, and the client resumes it again.
	budget := replyBudget
	for i := range rooms {
		var cut bool
		rooms[i].Messages, cut = fitBudget(rooms[i].Messages, &budget)
		rooms[i].HasMore = rooms[i].HasMore || cut
	}
	ev.Rooms = rooms
	return ev, nil
}

// nonNil makes an empty page marshal as [] rather than null.
func nonNil(msgs []chat.Message) []chat.Message {
	if msgs == nil {
		return []chat.Message{}
	}
	return msgs
}
