package service

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// History pages back through a room, newest first, for members only; or
// opens it around a message (Around), or pages forward (After).
func (s *Chat) History(ctx context.Context, c chat.Connection, r protocol.HistoryRequest) (protocol.HistoryEvent, error) {
	if r.Before < 0 || r.Around < 0 || r.After < 0 {
		return protocol.HistoryEvent{}, chat.Errorf(chat.Invalid, "before, around and after must not be negative")
	}
	modes := 0
	for _, v := range []int64{r.Before, r.Around, r.After} {
		if v != 0 {
			modes++
		}
	}
	if modes > 1 {
		return protocol.HistoryEvent{}, chat.Errorf(chat.Invalid, "send at most one of before, around and after")
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
	switch {
	case r.Around > 0:
		return historyForViewer(c)(s.historyAround(ctx, r.RoomID, r.Around, limit))
	case r.After > 0:
		return historyForViewer(c)(s.historyAfter(ctx, r.RoomID, r.After, limit))
	}
	msgs, more, err := s.store.MessagesBefore(ctx, r.RoomID, r.Before, limit)
	if err != nil {
		return protocol.HistoryEvent{}, storeErr(err, "read history")
	}
	budget := replyBudget
	msgs, cut := fitBudget(msgs, &budget)
	more = more || cut
	ev := protocol.HistoryEvent{Head: protocol.Head{Type: protocol.EventHistory}, RoomID: r.RoomID, Messages: chat.MessagesForViewer(nonNil(msgs), c.UserID), HasMore: more}
	if more && len(msgs) > 0 {
		ev.Before = msgs[len(msgs)-1].Seq
	}
	ev.Messages = chat.WithoutInternal(ev.Messages, c.IsVisitor()) // after the cursor: it pages on past the notes
	return ev, nil
}

// historyAround answers limit/2 messages before seq and the rest from seq
// on, newest first. Under the reply budget it keeps the messages nearest
// seq, taking one from each side in turn.
func (s *Chat) historyAround(ctx context.Context, roomID string, seq int64, limit int) (protocol.HistoryEvent, error) {
	older, moreOlder, err := s.store.MessagesBefore(ctx, roomID, seq, max(limit/2, 1))
	if err != nil {
		return protocol.HistoryEvent{}, storeErr(err, "read history")
	}
	newer, moreNewer, err := s.store.MessagesAfter(ctx, roomID, seq-1, max(limit-limit/2, 1))
	if err != nil {
		return protocol.HistoryEvent{}, storeErr(err, "read history")
	}
	budget := replyBudget
	var o, n int // taken from older (newest first) and newer (oldest first)
	for o < len(older) || n < len(newer) {
		took := false
		if n < len(newer) {
			if _, cut := fitBudget(newer[n:n+1], &budget); !cut {
				n++
				took = true
			}
		}
		if o < len(older) {
			if _, cut := fitBudget(older[o:o+1], &budget); !cut {
				o++
				took = true
			}
		}
		if !took {
			break
		}
	}
	moreOlder = moreOlder || o < len(older)
	moreNewer = moreNewer || n < len(newer)
	msgs := make([]chat.Message, 0, o+n)
	for i := n - 1; i >= 0; i-- {
		msgs = append(msgs, newer[i])
	}
	msgs = append(msgs, older[:o]...)
	ev := protocol.HistoryEvent{Head: protocol.Head{Type: protocol.EventHistory}, RoomID: roomID, Messages: msgs, HasMore: moreOlder, HasMoreAfter: &moreNewer}
	if len(msgs) > 0 {
		if moreOlder {
			ev.Before = msgs[len(msgs)-1].Seq
		}
		if moreNewer {
			ev.After = msgs[0].Seq
		}
	} else {
		// Nothing fits or nothing is there: page on from the anchor.
		if moreOlder {
			ev.Before = seq
		}
		if moreNewer {
			ev.After = seq - 1
		}
	}
	return ev, nil
}

// historyAfter pages forward: messages with seq > after, newest first.
func (s *Chat) historyAfter(ctx context.Context, roomID string, after int64, limit int) (protocol.HistoryEvent, error) {
	msgs, more, err := s.store.MessagesAfter(ctx, roomID, after, limit)
	if err != nil {
		return protocol.HistoryEvent{}, storeErr(err, "read history")
	}
	budget := replyBudget
	msgs, cut := fitBudget(msgs, &budget)
	more = more || cut
	slices.Reverse(msgs)
	ev := protocol.HistoryEvent{Head: protocol.Head{Type: protocol.EventHistory}, RoomID: roomID, Messages: nonNil(msgs), HasMoreAfter: &more}
	if more && len(msgs) > 0 {
		ev.After = msgs[0].Seq
	}
	return ev, nil
}

// Resume answers what a reconnecting client missed: for each room asked
// about, the messages after the last seq it saw, oldest first, one page of
// protocol.ResumePageSize (HasMore: resume again from the last seq); and,
// for the rooms whose change position it gave (Changes), every earlier
// message edited, deleted, reacted to or pinned since, as it is now
// (readChanges, fitChanges).
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
	for id, chg := range r.Changes {
		if _, ok := r.Rooms[id]; !ok {
			return protocol.MissedEvent{}, chat.Errorf(chat.Invalid, "changes names room %q that rooms does not", id)
		}
		if chg < 0 {
			return protocol.MissedEvent{}, chat.Errorf(chat.Invalid, "last change must not be negative")
		}
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
	// A visitor's rooms are read: the policy checks each is its own
	// support room (issue 17).
	visitorRooms := map[string]chat.Room{}
	if c.IsVisitor() {
		for _, id := range ids {
			if _, ok := roles[id]; ok {
				if room, err := s.store.GetRoom(ctx, id); err == nil {
					visitorRooms[id] = room
				}
			}
		}
	}
	ids = slices.DeleteFunc(ids, func(id string) bool {
		room, ok := visitorRooms[id]
		if !ok {
			room = chat.Room{ID: id}
		}
		return chat.Authorize(chat.ActResume, chat.Access{Groups: c.Groups, Role: roles[id], Room: room, UserID: c.UserID}) != nil
	})
	rooms := make([]protocol.MissedRoom, len(ids))
	replays := make([]replay, len(ids))
	err = forEach(len(ids), func(i int) error {
		msgs, more, err := s.store.MessagesAfter(ctx, ids[i], r.Rooms[ids[i]], protocol.ResumePageSize)
		if err != nil {
			return storeErr(err, "read missed messages")
		}
		rooms[i] = protocol.MissedRoom{RoomID: ids[i], Messages: nonNil(msgs), HasMore: more}
		after, asked := r.Changes[ids[i]]
		if !asked {
			return nil
		}
		replays[i] = replay{asked: true, after: after, known: r.Rooms[ids[i]]}
		return s.readChanges(ctx, &rooms[i], &replays[i])
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
		if replays[i].asked {
			fitChanges(&rooms[i], &replays[i], &budget)
		}
	}
	for i := range rooms {
		// Polls carry the caller's own choice (chat.Message.ForViewer).
		chat.MessagesForViewer(rooms[i].Messages, c.UserID)
		chat.MessagesForViewer(rooms[i].Changed, c.UserID)
		// A visitor never gets internal notes (issue 17).
		rooms[i].Messages = chat.WithoutInternal(rooms[i].Messages, c.IsVisitor())
		rooms[i].Changed = chat.WithoutInternal(rooms[i].Changed, c.IsVisitor())
	}
	ev.Rooms = rooms
	return ev, nil
}

// historyForViewer gives the polls of a history page the caller's own
// choice (chat.Message.ForViewer).
// A visitor's page leaves internal notes out (issue 17).
func historyForViewer(c chat.Connection) func(protocol.HistoryEvent, error) (protocol.HistoryEvent, error) {
	return func(ev protocol.HistoryEvent, err error) (protocol.HistoryEvent, error) {
		chat.MessagesForViewer(ev.Messages, c.UserID)
		ev.Messages = chat.WithoutInternal(ev.Messages, c.IsVisitor())
		return ev, err
	}
}

// nonNil makes an empty page marshal as [] rather than null.
func nonNil(msgs []chat.Message) []chat.Message {
	if msgs == nil {
		return []chat.Message{}
	}
	return msgs
}
