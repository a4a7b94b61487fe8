package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// AppendMessage stamps m.Seq from the room's counter and stores it, at most
// once per (room, sender, clientId), in three single-item writes and no
// transaction:
//  1. ADD 1 to the room's counter item (NotFound for unknown rooms): the
//     seq;
//  2. claim the clientId: put the idempotency item (pointing at the seq)
//     only if absent. If it exists, this is a retry: its seq is the first
//     attempt's (returned with the failed condition), and the seq of step 1
//     stays unused;
//  3. put the message only if absent.
//
// A retry reads the first attempt's message. If it is missing, the first
// attempt stopped between steps 2 and 3 (a crash, a timeout) or is still
// between them: the retry repairs it, putting its own copy of the message
// at the claimed seq (only if absent), and whichever of the two puts lands
// first stores and announces the message (created=true); the other returns
// it with created=false. So a clientId maps to one seq and one message
// forever, as with the former transaction, for 3 WCU instead of 5 and one
// fewer request.
//
// Seqs are therefore strictly increasing per room but may have gaps (a
// retry, a failed write). A message without a clientId is not
// deduplicated.
func (s *Store) AppendMessage(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	ctx = withOp(ctx, "AppendMessage")
	if m.RoomID == "" || m.SenderID == "" {
		return chat.Message{}, false, chat.Errorf(chat.Invalid, "message needs a room and a sender")
	}
	var room roomSeqItem
	err := retryConflicts(ctx, func() error {
		return s.table.Update(AttrPK, roomPK(m.RoomID)).Range(AttrSK, skRoomSeq).
			Add("lastSeq", 1).
			If("attribute_exists($)", AttrPK).
			OnlyUpdatedValue(ctx, &room)
	})
	if isCondFailed(err) {
		return chat.Message{}, false, chat.Errorf(chat.NotFound, "room %s not found", m.RoomID)
	}
	if err != nil {
		return chat.Message{}, false, internal(err, "stamp message")
	}
	m.Seq = room.LastSeq
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.CreatedAt = utc(m.CreatedAt)

	if m.ClientID != "" {
		idem := clientItem{PK: msgPK(m.RoomID), SK: clientSK(m.SenderID, m.ClientID), Seq: m.Seq, TTL: unixOrZero(m.ExpiresAt)}
		var first clientItem
		wrote, err := s.table.Put(idem).If("attribute_not_exists($)", AttrPK).CurrentValue(ctx, &first)
		if err != nil {
			return chat.Message{}, false, internal(err, "claim client id")
		}
		if !wrote {
			if first.Seq == 0 {
				// The emulator may not return the item with the failure.
				if err := s.table.Get(AttrPK, idem.PK).Range(AttrSK, gdynamo.Equal, idem.SK).Consistent(true).One(ctx, &first); err != nil {
					return chat.Message{}, false, internal(err, "read client id")
				}
			}
			m.Seq = first.Seq
			return s.putMessage(ctx, m, true)
		}
	}
	return s.putMessage(ctx, m, false)
}

// putMessage puts m at its seq unless a message is there. When one is, a
// retry (retry=true) returns it with created=false; for a first attempt it
// is either a retry that repaired this very send while it was between its
// claim and its put (returned with created=false too), or a counter reset
// under existing messages (an error).
func (s *Store) putMessage(ctx context.Context, m chat.Message, retry bool) (chat.Message, bool, error) {
	if retry {
		// The usual retry finds the first attempt's message: read before
		// writing, so the common case costs a read, not a failed write.
		stored, err := s.getMessage(ctx, m.RoomID, m.Seq)
		if err == nil {
			return stored, false, nil
		}
		if chat.ErrorCode(err) != chat.NotFound {
			return chat.Message{}, false, err
		}
	}
	err := s.table.Put(newMessageItem(m)).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if err == nil {
		return m, true, nil
	}
	if !isCondFailed(err) {
		return chat.Message{}, false, internal(err, "store message")
	}
	stored, getErr := s.getMessage(ctx, m.RoomID, m.Seq)
	if getErr != nil {
		return chat.Message{}, false, getErr
	}
	if stored.SenderID != m.SenderID || stored.ClientID != m.ClientID {
		return chat.Message{}, false, chat.Wrap(err, "message %s/%d exists", m.RoomID, m.Seq)
	}
	return stored, false, nil
}

// GetMessage reads one message.
func (s *Store) GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	return s.getMessage(withOp(ctx, "GetMessage"), roomID, seq)
}

func (s *Store) getMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	var it messageItem
	err := s.table.Get(AttrPK, msgPK(roomID)).Range(AttrSK, gdynamo.Equal, seqSK(seq)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message %d not found in %s", seq, roomID)
	}
	if err != nil {
		return chat.Message{}, internal(err, "get message")
	}
	if s.expiredItem(it.TTL) {
		return chat.Message{}, errMessageExpired(roomID, seq)
	}
	return it.message(), nil
}

// ReplaceMessage stores an edit or a tombstone: it sets the message's
// content (text, mentions, attachments, times, deleted) and leaves its
// reactions and pin alone, which React and SetPinned write concurrently;
// a tombstone loses them. NotFound if there is no message at m.Seq,
// Conflict if it is deleted already: the condition makes the tombstone
// final, so an edit that read the message before a concurrent delete
// cannot overwrite it.
func (s *Store) ReplaceMessage(ctx context.Context, m chat.Message) error {
	ctx = withOp(ctx, "ReplaceMessage")
	it := newMessageItem(m)
	u := s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK).
		If("attribute_exists($) AND (attribute_not_exists($) OR $ = ?)", AttrPK, "deleted", "deleted", false).
		IncludeItemInCondCheckFail(true)
	setOrRemoveValue(u, "senderName", it.SenderName, it.SenderName == "")
	setOrRemoveValue(u, "text", it.Text, it.Text == "")
	setOrRemoveValue(u, "mentions", it.Mentions, len(it.Mentions) == 0)
	setOrRemoveValue(u, "attachments", it.Attachments, len(it.Attachments) == 0)
	setOrRemoveValue(u, "gif", it.Gif, it.Gif == nil)
	setOrRemoveValue(u, "enc", it.Enc, it.Enc == nil)
	setOrRemoveValue(u, "editedAt", it.EditedAt, it.EditedAt.IsZero())
	setOrRemoveValue(u, "deletedBy", it.DeletedBy, it.DeletedBy == "")
	if m.Deleted {
		u.Set("deleted", true).Remove("rx", "rv", "pinnedBy", "pinnedAt", "poll", "lp", "lpx")
	}
	err := u.Run(ctx)
	if err == nil {
		return nil
	}
	if !isCondFailed(err) {
		return internal(err, "replace message")
	}
	// Failed: either no message or a tombstone. The old item, when returned
	// with the failure, tells which without another read.
	var cfe *types.ConditionalCheckFailedException
	if errors.As(err, &cfe) && cfe.Item != nil {
		return errMessageDeleted(m)
	}
	if _, err := s.GetMessage(ctx, m.RoomID, m.Seq); err != nil {
		return err
	}
	return errMessageDeleted(m)
}

// setOrRemoveValue sets attribute name to v, or removes it when empty.
func setOrRemoveValue(u *gdynamo.Update, name string, v any, empty bool) {
	if empty {
		u.Remove(name)
		return
	}
	u.Set(name, v)
}

func errMessageDeleted(m chat.Message) error {
	return chat.Errorf(chat.Conflict, "message %d in %s was deleted", m.Seq, m.RoomID)
}

// MessagesBefore returns up to limit messages with seq < before (before <=
// 0: the newest), newest first, and whether older ones exist. One Query,
// descending, over the digit-only sort-key range, for limit+1 items.
// Eventually consistent: this is scrollback, not resume.
func (s *Store) MessagesBefore(ctx context.Context, roomID string, before int64, limit int) ([]chat.Message, bool, error) {
	ctx = withOp(ctx, "MessagesBefore")
	upper := seqSKMax
	if before > 0 {
		if before == 1 {
			return []chat.Message{}, false, nil
		}
		upper = seqSK(before - 1)
	}
	q := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.Between, seqSKMin, upper).
		Order(gdynamo.Descending)
	return s.timelinePage(ctx, q, limit)
}

// MessagesAfter returns up to limit messages with seq > after, oldest
// first, and whether newer ones exist. Strongly consistent: resume after a
// reconnect must see every message stored before it asked.
func (s *Store) MessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error) {
	ctx = withOp(ctx, "MessagesAfter")
	if after < 0 {
		after = 0
	}
	q := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.Between, seqSK(after+1), seqSKMax).
		Order(gdynamo.Ascending).
		Consistent(true)
	return s.timelinePage(ctx, q, limit)
}

// timelinePage runs q with the timeline's filter (no thread reply that
// was not also sent to the room) for limit+1 messages. A filter applies
// after DynamoDB's Limit, so each request evaluates limit+1 items
// (SearchLimit, never a whole 1 MB page) and the loop asks again from
// where it stopped until it has limit+1 or the range ends: a page costs
// the read units of the replies between its messages too.
func (s *Store) timelinePage(ctx context.Context, q *gdynamo.Query, limit int) ([]chat.Message, bool, error) {
	limit = pageSize(limit)
	want := limit + 1
	q.Filter("attribute_not_exists($) OR $ = ?", "parentSeq", "toRoom", true).SearchLimit(want)
	s.filterLive(q)
	var items []messageItem
	for {
		var page []messageItem
		lek, err := q.AllWithLastEvaluatedKey(ctx, &page)
		if err != nil {
			return nil, false, internal(err, "read history")
		}
		items = append(items, page...)
		if len(items) >= want || lek == nil {
			break
		}
		q.StartFrom(lek)
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	msgs := make([]chat.Message, 0, len(items))
	for _, it := range items {
		msgs = append(msgs, it.message())
	}
	return msgs, more, nil
}

// messagePage runs q for limit+1 messages: the extra one only says whether
// more exist.
func (s *Store) messagePage(ctx context.Context, q *gdynamo.Query, limit int) ([]chat.Message, bool, error) {
	limit = pageSize(limit)
	var items []messageItem
	if err := s.filterLive(q).Limit(limit+1).All(ctx, &items); err != nil {
		return nil, false, internal(err, "read history")
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	msgs := make([]chat.Message, 0, len(items))
	for _, it := range items {
		msgs = append(msgs, it.message())
	}
	return msgs, more, nil
}
