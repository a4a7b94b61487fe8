package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// AppendMessage stamps m.Seq from the room's counter and stores it, at most
// once per (room, sender, clientId):
//  1. read the idempotency item; if it exists, return the stored message;
//  2. ADD 1 to the room's counter item (NotFound for unknown rooms);
//  3. in one transaction, put the message and the idempotency item, each
//     only if absent. If a concurrent retry won the idempotency item, its
//     message is returned and the seq taken in step 2 stays unused.
//
// Seqs are therefore strictly increasing per room but may have gaps. A
// message without a clientId is not deduplicated.
func (s *Store) AppendMessage(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	ctx = withOp(ctx, "AppendMessage")
	if m.RoomID == "" || m.SenderID == "" {
		return chat.Message{}, false, chat.Errorf(chat.Invalid, "message needs a room and a sender")
	}
	if m.ClientID != "" {
		// Eventually consistent is enough: step 3's condition is the real
		// guard, this read only spares a retry its seq.
		stored, found, err := s.messageByClientID(ctx, m, false)
		if err != nil || found {
			return stored, false, err
		}
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

	tx := s.db.WriteTx().Put(s.table.Put(newMessageItem(m)).If("attribute_not_exists($)", AttrPK))
	if m.ClientID != "" {
		idem := clientItem{PK: msgPK(m.RoomID), SK: clientSK(m.SenderID, m.ClientID), Seq: m.Seq}
		tx.Put(s.table.Put(idem).If("attribute_not_exists($)", AttrPK))
	}
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if err == nil {
		return m, true, nil
	}
	if m.ClientID != "" && txCondFailedAt(err, 1) {
		stored, found, getErr := s.messageByClientID(ctx, m, true)
		if getErr != nil {
			return chat.Message{}, false, getErr
		}
		if found {
			return stored, false, nil
		}
	}
	if isCondFailed(err) {
		// The message key itself existed: only possible if the room's
		// counter was reset under existing messages.
		return chat.Message{}, false, chat.Wrap(err, "message %s/%d exists", m.RoomID, m.Seq)
	}
	return chat.Message{}, false, internal(err, "store message")
}

// messageByClientID finds the message an idempotency item points to.
func (s *Store) messageByClientID(ctx context.Context, m chat.Message, consistent bool) (chat.Message, bool, error) {
	var idem clientItem
	err := s.table.Get(AttrPK, msgPK(m.RoomID)).Range(AttrSK, gdynamo.Equal, clientSK(m.SenderID, m.ClientID)).
		Consistent(consistent).One(ctx, &idem)
	if isNotFound(err) {
		return chat.Message{}, false, nil
	}
	if err != nil {
		return chat.Message{}, false, internal(err, "find message by client id")
	}
	// The transaction wrote both items, so the message exists: read it
	// consistently.
	stored, err := s.getMessage(ctx, m.RoomID, idem.Seq)
	if err != nil {
		return chat.Message{}, false, err
	}
	return stored, true, nil
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
	return it.message(), nil
}

// ReplaceMessage overwrites an existing message (edit, tombstone);
// NotFound if there is none at m.Seq, Conflict if it is deleted already:
// the condition makes the tombstone final, so an edit that read the
// message before a concurrent delete cannot overwrite it.
func (s *Store) ReplaceMessage(ctx context.Context, m chat.Message) error {
	ctx = withOp(ctx, "ReplaceMessage")
	err := s.table.Put(newMessageItem(m)).
		If("attribute_exists($) AND (attribute_not_exists($) OR $ = ?)", AttrPK, "deleted", "deleted", false).
		IncludeItemInCondCheckFail(true).
		Run(ctx)
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
	return s.messagePage(ctx, q, limit)
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
	return s.messagePage(ctx, q, limit)
}

// messagePage runs q for limit+1 messages: the extra one only says whether
// more exist.
func (s *Store) messagePage(ctx context.Context, q *gdynamo.Query, limit int) ([]chat.Message, bool, error) {
	limit = pageSize(limit)
	var items []messageItem
	if err := q.Limit(limit+1).All(ctx, &items); err != nil {
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
