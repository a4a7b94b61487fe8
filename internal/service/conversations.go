package service

import (
	"context"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Conversations: reactions, pins, saved messages and edit history (issue
// 14). Every change to a message is numbered in the room's change log
// (store.RecordChange) before it is stored, pushed live with its number,
// and replayed by resume (resumeChanges).

// maxSavedPage bounds a page of listSaved.
const maxSavedPage = 100

// message loads a message for a message action that any member may do:
// the policy first, then the message.
func (s *Chat) message(ctx context.Context, c chat.Connection, action chat.Action, roomID string, seq int64) (chat.Message, roomAccess, error) {
	ra, err := s.authorize(ctx, c, action, roomID, false)
	if err != nil {
		return chat.Message{}, ra, err
	}
	if seq <= 0 {
		return chat.Message{}, ra, chat.Errorf(chat.Invalid, "seq must be positive")
	}
	msg, err := s.store.GetMessage(ctx, roomID, seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Message{}, ra, chat.Errorf(chat.NotFound, "message not found")
	}
	if err != nil {
		return chat.Message{}, ra, storeErr(err, "get message")
	}
	return msg, ra, nil
}

// React adds or removes the caller's reaction on a message of a room they
// may send in. Idempotent: a reaction that is there already (or a removal
// of one that is not) stores nothing and answers the message as it is,
// without a change number. Others in the room get messageUpdated.
func (s *Chat) React(ctx context.Context, c chat.Connection, r protocol.ReactRequest) (protocol.MessageEvent, error) {
	emoji, err := chat.ReactionEmoji(r.Emoji)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	msg, _, err := s.message(ctx, c, chat.ActReact, r.RoomID, r.Seq)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if msg.Deleted {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if _, changed, err := chat.ApplyReaction(msg.Reactions, c.UserID, emoji, r.On); err != nil || !changed {
		return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: msg}, err
	}
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	stored, _, err := s.store.React(ctx, msg.RoomID, msg.Seq, c.UserID, emoji, r.On)
	if chat.ErrorCode(err) == chat.Conflict {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "react")
	}
	s.publish(ctx, chat.MessageReacted{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: stored, Chg: chg})
	return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: stored, Chg: chg}, nil
}

// PinMessage pins or unpins a message: the room's owners, moderators and
// workspace admins, or every member when the room allows it (and in direct
// rooms). Idempotent like React. At most chat.MaxPins per room.
func (s *Chat) PinMessage(ctx context.Context, c chat.Connection, r protocol.PinMessageRequest) (protocol.MessageEvent, error) {
	msg, _, err := s.message(ctx, c, chat.ActPinMessage, r.RoomID, r.Seq)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if msg.Deleted && r.Pinned {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if (msg.PinnedBy != "") == r.Pinned {
		return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: msg}, nil
	}
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	stored, err := s.store.SetPinned(ctx, msg.RoomID, msg.Seq, c.UserID, s.clock(), r.Pinned)
	switch chat.ErrorCode(err) {
	case "":
	case chat.Conflict:
		return protocol.MessageEvent{}, errMessageDeleted()
	case chat.Invalid:
		return protocol.MessageEvent{}, err
	default:
		return protocol.MessageEvent{}, storeErr(err, "pin message")
	}
	s.publish(ctx, chat.MessagePinned{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: stored, Chg: chg})
	return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: stored, Chg: chg}, nil
}

// ListPins lists a room's pinned messages, most recently sent first.
// Cost: the room's pin set (one GetItem) and one BatchGetItem.
func (s *Chat) ListPins(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.PinsEvent, error) {
	if _, err := s.authorize(ctx, c, chat.ActListPins, r.RoomID, false); err != nil {
		return protocol.PinsEvent{}, err
	}
	seqs, err := s.store.PinnedSeqs(ctx, r.RoomID)
	if err != nil {
		return protocol.PinsEvent{}, storeErr(err, "read pins")
	}
	msgs, err := s.store.GetMessages(ctx, r.RoomID, seqs)
	if err != nil {
		return protocol.PinsEvent{}, storeErr(err, "read pinned messages")
	}
	msgs = slices.DeleteFunc(msgs, func(m chat.Message) bool { return m.Deleted || m.PinnedBy == "" })
	slices.Reverse(msgs)
	budget := replyBudget
	msgs, _ = fitBudget(msgs, &budget)
	return protocol.PinsEvent{Head: protocol.Head{Type: protocol.EventPins}, RoomID: r.RoomID, Messages: nonNil(msgs)}, nil
}

// SaveMessage saves a message of one of the caller's rooms for them, or
// forgets it. Saving twice keeps the first time; forgetting a message not
// saved is fine.
func (s *Chat) SaveMessage(ctx context.Context, c chat.Connection, r protocol.SaveMessageRequest) (protocol.SavedEvent, error) {
	ev := protocol.SavedEvent{Head: protocol.Head{Type: protocol.EventSaved}, RoomID: r.RoomID, Seq: r.Seq, Saved: r.Saved}
	if !r.Saved {
		if _, err := s.authorize(ctx, c, chat.ActSaveMessage, r.RoomID, false); err != nil {
			return protocol.SavedEvent{}, err
		}
		if r.Seq <= 0 {
			return protocol.SavedEvent{}, chat.Errorf(chat.Invalid, "seq must be positive")
		}
		if err := s.store.UnsaveMessage(ctx, c.UserID, r.RoomID, r.Seq); err != nil {
			return protocol.SavedEvent{}, storeErr(err, "unsave message")
		}
		return ev, nil
	}
	msg, _, err := s.message(ctx, c, chat.ActSaveMessage, r.RoomID, r.Seq)
	if err != nil {
		return protocol.SavedEvent{}, err
	}
	if msg.Deleted {
		return protocol.SavedEvent{}, errMessageDeleted()
	}
	it, err := s.store.SaveMessage(ctx, chat.SavedItem{UserID: c.UserID, RoomID: r.RoomID, Seq: r.Seq, SavedAt: s.clock()})
	if err != nil {
		return protocol.SavedEvent{}, storeErr(err, "save message")
	}
	ev.SavedAt = it.SavedAt
	return ev, nil
}

// ListSaved pages through the caller's saved messages, newest saved first,
// each with the message as it is now: a tombstone when it was deleted
// (also when its item is gone), Unavailable when its room is no longer the
// caller's. Cost: one Query of the index, the caller's rooms, and per room
// of the page one GetRoom and one BatchGetItem.
func (s *Chat) ListSaved(ctx context.Context, c chat.Connection, r protocol.ListSavedRequest) (protocol.SavedItemsEvent, error) {
	if err := chat.Authorize(chat.ActListSaved, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.SavedItemsEvent{}, err
	}
	limit := r.Limit
	switch {
	case limit <= 0:
		limit = protocol.SavedPageSize
	case limit > maxSavedPage:
		limit = maxSavedPage
	}
	items, next, err := s.store.ListSaved(ctx, c.UserID, r.Cursor, limit)
	if err != nil {
		return protocol.SavedItemsEvent{}, storeErr(err, "list saved")
	}
	mine, err := s.store.UserRooms(ctx, c.UserID)
	if err != nil {
		return protocol.SavedItemsEvent{}, storeErr(err, "list rooms")
	}
	member := map[string]bool{}
	for _, m := range mine {
		member[m.RoomID] = true
	}
	byRoom := map[string][]int64{}
	var roomIDs []string
	for _, it := range items {
		if !member[it.RoomID] {
			continue
		}
		if _, ok := byRoom[it.RoomID]; !ok {
			roomIDs = append(roomIDs, it.RoomID)
		}
		byRoom[it.RoomID] = append(byRoom[it.RoomID], it.Seq)
	}
	var (
		mu    sync.Mutex
		names = map[string]string{}
		msgs  = map[string]map[int64]chat.Message{}
	)
	err = forEach(len(roomIDs), func(i int) error {
		id := roomIDs[i]
		room, err := s.store.GetRoom(ctx, id)
		if chat.ErrorCode(err) == chat.NotFound {
			return nil
		}
		if err != nil {
			return storeErr(err, "get room")
		}
		got, err := s.store.GetMessages(ctx, id, byRoom[id])
		if err != nil {
			return storeErr(err, "read saved messages")
		}
		mu.Lock()
		defer mu.Unlock()
		names[id] = room.Name
		msgs[id] = map[int64]chat.Message{}
		for _, m := range got {
			msgs[id][m.Seq] = m
		}
		return nil
	})
	if err != nil {
		return protocol.SavedItemsEvent{}, err
	}
	ev := protocol.SavedItemsEvent{Head: protocol.Head{Type: protocol.EventSavedItems}, Items: []protocol.SavedItem{}, Cursor: next}
	for _, it := range items {
		out := protocol.SavedItem{RoomID: it.RoomID, Seq: it.Seq, SavedAt: it.SavedAt}
		byseq, ok := msgs[it.RoomID]
		if !ok {
			out.Unavailable = true
		} else {
			m, found := byseq[it.Seq]
			if !found {
				m = chat.Message{RoomID: it.RoomID, Seq: it.Seq, Deleted: true}
			}
			out.RoomName, out.Message = names[it.RoomID], &m
		}
		ev.Items = append(ev.Items, out)
	}
	return ev, nil
}

// MessageVersions lists a message's earlier texts, oldest first. A deleted
// message has none.
func (s *Chat) MessageVersions(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.VersionsEvent, error) {
	msg, _, err := s.message(ctx, c, chat.ActMessageVersions, r.RoomID, r.Seq)
	if err != nil {
		return protocol.VersionsEvent{}, err
	}
	ev := protocol.VersionsEvent{Head: protocol.Head{Type: protocol.EventVersions}, RoomID: r.RoomID, Seq: r.Seq, Versions: []chat.MessageVersion{}}
	if msg.Deleted {
		return ev, nil
	}
	vs, err := s.store.MessageVersions(ctx, r.RoomID, r.Seq)
	if err != nil {
		return protocol.VersionsEvent{}, storeErr(err, "read versions")
	}
	if vs != nil {
		ev.Versions = vs
	}
	return ev, nil
}

// replay is what resume read of one room's change log: the changes after
// the client's position and the messages they touched, as they are now.
type replay struct {
	asked bool // the client gave the room's position
	after int64
	known int64 // the client's last seq: later messages come as new ones
	chs   []chat.Change
	more  bool
	msgs  map[int64]chat.Message
}

// readChanges reads room's change log after the client's position and the
// messages changed up to seq known. The log is read from the position
// itself: its entry must still be there, or the log no longer covers the
// gap (the client was away longer than its retention) and the client
// must reload the room (Reset, with the room's LastChg to go on from).
// Cost: one Query of the log (consistent; ~60 bytes an entry) and one
// BatchGetItem of the distinct messages (consistent).
func (s *Chat) readChanges(ctx context.Context, room *protocol.MissedRoom, rp *replay) error {
	chs, more, err := s.store.ChangesAfter(ctx, room.RoomID, max(rp.after-1, 0), protocol.ChangesPageSize+1)
	if err != nil {
		return storeErr(err, "read changes")
	}
	if rp.after > 0 {
		if len(chs) == 0 || chs[0].Chg != rp.after {
			r, err := s.store.GetRoom(ctx, room.RoomID)
			if err != nil {
				return roomLookupErr(err)
			}
			room.Reset, room.LastChg = true, r.LastChg
			return nil
		}
		chs = chs[1:]
	}
	if len(chs) > protocol.ChangesPageSize {
		chs, more = chs[:protocol.ChangesPageSize], true
	}
	rp.chs, rp.more = chs, more
	var seqs []int64
	for _, ch := range chs {
		if ch.Seq <= rp.known {
			seqs = append(seqs, ch.Seq)
		}
	}
	msgs, err := s.store.GetMessages(ctx, room.RoomID, seqs)
	if err != nil {
		return storeErr(err, "read changed messages")
	}
	rp.msgs = make(map[int64]chat.Message, len(msgs))
	for _, m := range msgs {
		rp.msgs[m.Seq] = m
	}
	return nil
}

// fitChanges fills room's Changed (by seq), LastChg and ChangesMore from
// rp within *budget: it walks the changes in order and stops before the
// first whose message does not fit, so LastChg never passes a change the
// client has not got.
func fitChanges(room *protocol.MissedRoom, rp *replay, budget *int) {
	if room.Reset {
		return
	}
	room.LastChg, room.ChangesMore = rp.after, rp.more
	included := map[int64]bool{}
	var out []chat.Message
	for _, ch := range rp.chs {
		m, ok := rp.msgs[ch.Seq]
		if ok && !included[ch.Seq] {
			if _, cut := fitBudget([]chat.Message{m}, budget); cut {
				room.ChangesMore = true
				break
			}
			included[ch.Seq] = true
			out = append(out, m)
		}
		room.LastChg = ch.Chg
	}
	slices.SortFunc(out, func(a, b chat.Message) int { return int(a.Seq - b.Seq) })
	room.Changed = out
}
