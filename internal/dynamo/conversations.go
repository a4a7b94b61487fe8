package dynamo

import (
	"context"
	"math"
	"slices"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Conversations: reactions and pins live on the message item; the room's
// pinned set and change counter on its META#SEQ item; the change log,
// earlier versions and saved messages are items of their own:
//
//	change log   pk MSG#<roomId>  sk CHG#<chg, 20 digits>           seq, ttl
//	version      pk MSG#<roomId>  sk VER#<seq, 20 digits>#<at>      text, at
//	saved        pk USER#<userId> sk SAVED#<roomId>#<seq, 20 digits> roomId, seq, savedAt
//	             gsi1 (SAVED#<userId>, <savedAt>#<roomId>#<seq>)
//
// The change log and versions share the message partition, after the
// message sort keys (letters sort after digits), so history ranges never
// see them, the stream's message filter (sk begins with "0") ignores them
// and the room purge removes them with the messages.
const (
	prefixChg   = "CHG#"
	prefixVer   = "VER#"
	prefixSaved = "SAVED#"
)

func chgSK(chg int64) string { return prefixChg + seqSK(chg) }
func verPrefix(seq int64) string {
	return prefixVer + seqSK(seq) + "#"
}
func savedSK(roomID string, seq int64) string { return prefixSaved + roomID + "#" + seqSK(seq) }
func savedGSIPK(userID string) string         { return prefixSaved + userID }

// sortableTime formats t so that text order is time order (fixed width).
func sortableTime(t time.Time) string { return t.UTC().Format("20060102T150405.000000000Z") }

type changeItem struct {
	PK  string `dynamo:"pk"`
	SK  string `dynamo:"sk"`
	Chg int64  `dynamo:"chg"`
	Seq int64  `dynamo:"seq"`
	TTL int64  `dynamo:"ttl"`
}

type versionItem struct {
	PK   string    `dynamo:"pk"`
	SK   string    `dynamo:"sk"`
	Text string    `dynamo:"text,omitempty"`
	At   time.Time `dynamo:"at"`
	// Enc: the earlier ciphertext of an encrypted room's message.
	Enc *encryptedItem `dynamo:"enc,omitempty"`
	TTL int64          `dynamo:"ttl,omitempty"` // its message's (retention.go)
}

type savedItem struct {
	PK      string    `dynamo:"pk"`
	SK      string    `dynamo:"sk"`
	GSI1PK  string    `dynamo:"gsi1pk"`
	GSI1SK  string    `dynamo:"gsi1sk"`
	RoomID  string    `dynamo:"roomId"`
	Seq     int64     `dynamo:"seq"`
	SavedAt time.Time `dynamo:"savedAt"`
}

func (it savedItem) saved(userID string) chat.SavedItem {
	return chat.SavedItem{UserID: userID, RoomID: it.RoomID, Seq: it.Seq, SavedAt: it.SavedAt}
}

// RecordChange numbers a change (ADD 1 to the room's lastChg on its
// META#SEQ item) and logs it (a put of a ~100-byte item with a TTL):
// 2 WCU.
func (s *Store) RecordChange(ctx context.Context, roomID string, seq int64) (int64, error) {
	ctx = withOp(ctx, "RecordChange")
	var room roomSeqItem
	err := retryConflicts(ctx, func() error {
		return s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq).
			Add("lastChg", 1).
			If("attribute_exists($)", AttrPK).
			OnlyUpdatedValue(ctx, &room)
	})
	if isCondFailed(err) {
		return 0, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return 0, internal(err, "number change")
	}
	it := changeItem{PK: msgPK(roomID), SK: chgSK(room.LastChg), Chg: room.LastChg, Seq: seq,
		TTL: s.now().Add(chat.ChangeRetention).Unix()}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return 0, internal(err, "log change")
	}
	return room.LastChg, nil
}

// ChangesAfter is one strongly consistent Query of the change log.
func (s *Store) ChangesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Change, bool, error) {
	ctx = withOp(ctx, "ChangesAfter")
	limit = pageSize(limit)
	var items []changeItem
	err := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.Between, chgSK(max(after, 0)+1), chgSK(math.MaxInt64)).
		Consistent(true).Limit(limit+1).All(ctx, &items)
	if err != nil {
		return nil, false, internal(err, "read changes")
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	out := make([]chat.Change, len(items))
	for i, it := range items {
		out[i] = chat.Change{Chg: it.Chg, Seq: it.Seq}
	}
	return out, more, nil
}

// GetMessages is one strongly consistent BatchGetItem (per 100 keys).
func (s *Store) GetMessages(ctx context.Context, roomID string, seqs []int64) ([]chat.Message, error) {
	ctx = withOp(ctx, "GetMessages")
	if len(seqs) == 0 {
		return []chat.Message{}, nil
	}
	seqs = slices.Compact(slices.Sorted(slices.Values(seqs)))
	keys := make([]gdynamo.Keyed, len(seqs))
	for i, seq := range seqs {
		keys[i] = gdynamo.Keys{msgPK(roomID), seqSK(seq)}
	}
	var items []messageItem
	err := s.table.Batch(AttrPK, AttrSK).Get(keys...).Consistent(true).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "read messages")
	}
	out := make([]chat.Message, 0, len(items))
	for _, it := range items {
		if !s.expiredItem(it.TTL) {
			out = append(out, it.message())
		}
	}
	slices.SortFunc(out, func(a, b chat.Message) int { return int(a.Seq - b.Seq) })
	return out, nil
}

func (s *Store) getMessageItem(ctx context.Context, roomID string, seq int64) (messageItem, error) {
	var it messageItem
	err := s.table.Get(AttrPK, msgPK(roomID)).Range(AttrSK, gdynamo.Equal, seqSK(seq)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return it, chat.Errorf(chat.NotFound, "message %d not found in %s", seq, roomID)
	}
	if err != nil {
		return it, internal(err, "get message")
	}
	if s.expiredItem(it.TTL) {
		return messageItem{}, errMessageExpired(roomID, seq)
	}
	return it, nil
}

// React reads the message (1 RCU, consistent), applies the reaction and
// writes the reactions back only if their version rv is unchanged (one
// UpdateItem: the message's size in WCU); a concurrent reaction makes it
// read and try again.
func (s *Store) React(ctx context.Context, roomID string, seq int64, userID, emoji string, on bool) (chat.Message, bool, error) {
	ctx = withOp(ctx, "React")
	for attempt := 0; ; attempt++ {
		it, err := s.getMessageItem(ctx, roomID, seq)
		if err != nil {
			return chat.Message{}, false, err
		}
		m := it.message()
		if it.Deleted {
			return chat.Message{}, false, errMessageDeleted(m)
		}
		rs, changed, err := chat.ApplyReaction(m.Reactions, userID, emoji, on)
		if err != nil || !changed {
			return m, false, err
		}
		u := s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK).Set("rv", it.RV+1)
		if len(rs) == 0 {
			u.Remove("rx")
		} else {
			u.Set("rx", reactionItems(rs))
		}
		if it.RV == 0 {
			u.If("attribute_exists($) AND attribute_not_exists($) AND attribute_not_exists(rv)", AttrPK, "deleted")
		} else {
			u.If("rv = ? AND attribute_not_exists($)", it.RV, "deleted")
		}
		var stored messageItem
		err = u.Value(ctx, &stored)
		if err == nil {
			return stored.message(), true, nil
		}
		if !isCondFailed(err) {
			return chat.Message{}, false, internal(err, "react")
		}
		if attempt == 5 || ctx.Err() != nil {
			return chat.Message{}, false, chat.Errorf(chat.Conflict, "the message is changing too fast: try again")
		}
	}
}

// SetPinned writes the message's pin and the room's pinned set in one
// transaction (2 items: 4 WCU at real prices) after a consistent read.
func (s *Store) SetPinned(ctx context.Context, roomID string, seq int64, by string, at time.Time, on bool) (chat.Message, error) {
	ctx = withOp(ctx, "SetPinned")
	it, err := s.getMessageItem(ctx, roomID, seq)
	if err != nil {
		return chat.Message{}, err
	}
	m := it.message()
	if it.Deleted && on {
		return chat.Message{}, errMessageDeleted(m)
	}
	if (it.PinnedBy != "") == on {
		return m, nil
	}
	msgU := s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK)
	roomU := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq)
	if on {
		at = utc(at)
		msgU.Set("pinnedBy", by).Set("pinnedAt", at).If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "deleted")
		roomU.AddIntsToSet("pins", int(seq)).
			If("attribute_exists($) AND (attribute_not_exists(pins) OR size(pins) < ? OR contains(pins, ?))", AttrPK, chat.MaxPins, seq)
		m.PinnedBy, m.PinnedAt = by, at
	} else {
		msgU.Remove("pinnedBy", "pinnedAt").If("attribute_exists($)", AttrPK)
		roomU.DeleteIntsFromSet("pins", int(seq)).If("attribute_exists($)", AttrPK)
		m.PinnedBy, m.PinnedAt = "", time.Time{}
	}
	err = s.db.WriteTx().Update(msgU).Update(roomU).Run(ctx)
	switch {
	case err == nil:
		return m, nil
	case txCondFailedAt(err, 1) && on:
		return chat.Message{}, chat.Errorf(chat.Invalid, "a room keeps at most %d pinned messages: unpin one first", chat.MaxPins)
	case isCondFailed(err):
		if _, err := s.getMessageItem(ctx, roomID, seq); err != nil {
			return chat.Message{}, err
		}
		return chat.Message{}, errMessageDeleted(m)
	}
	return chat.Message{}, internal(err, "pin message")
}

// PinnedSeqs reads the room's META#SEQ item (consistent).
func (s *Store) PinnedSeqs(ctx context.Context, roomID string) ([]int64, error) {
	ctx = withOp(ctx, "PinnedSeqs")
	var it roomSeqItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, skRoomSeq).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return nil, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return nil, internal(err, "read pins")
	}
	seqs := slices.Clone(it.Pins)
	slices.Sort(seqs)
	slices.Reverse(seqs)
	return seqs, nil
}

// SetMembersCanPin updates the room's META item.
func (s *Store) SetMembersCanPin(ctx context.Context, roomID string, on bool) (chat.Room, error) {
	ctx = withOp(ctx, "SetMembersCanPin")
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
		If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "deleted")
	if on {
		u.Set("membersPin", true)
	} else {
		u.Remove("membersPin")
	}
	err := u.Run(ctx)
	if isCondFailed(err) {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return chat.Room{}, internal(err, "update room")
	}
	return s.GetRoom(ctx, roomID)
}

// PutVersion puts one version item.
func (s *Store) PutVersion(ctx context.Context, roomID string, seq int64, v chat.MessageVersion) error {
	ctx = withOp(ctx, "PutVersion")
	it := versionItem{PK: msgPK(roomID), SK: verPrefix(seq) + sortableTime(v.At), Text: v.Text, At: utc(v.At), TTL: unixOrZero(v.ExpiresAt), Enc: newEncryptedItem(v.Encrypted)}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "keep version")
	}
	return nil
}

// MessageVersions is one Query (begins_with VER#<seq>#).
func (s *Store) MessageVersions(ctx context.Context, roomID string, seq int64) ([]chat.MessageVersion, error) {
	ctx = withOp(ctx, "MessageVersions")
	var items []versionItem
	err := s.table.Get(AttrPK, msgPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, verPrefix(seq)).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "read versions")
	}
	out := make([]chat.MessageVersion, len(items))
	for i, it := range items {
		out[i] = chat.MessageVersion{Text: it.Text, At: it.At, Encrypted: it.Enc.content()}
	}
	return out, nil
}

// DeleteVersions queries the version keys and deletes them in batches.
func (s *Store) DeleteVersions(ctx context.Context, roomID string, seq int64) error {
	ctx = withOp(ctx, "DeleteVersions")
	var items []keyItem
	err := s.table.Get(AttrPK, msgPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, verPrefix(seq)).
		Project(AttrPK, AttrSK).Consistent(true).All(ctx, &items)
	if err != nil {
		return internal(err, "list versions")
	}
	if err := s.deleteKeys(ctx, items); err != nil {
		return internal(err, "delete versions")
	}
	return nil
}

// SaveMessage puts the saved item unless it exists (then reads it).
func (s *Store) SaveMessage(ctx context.Context, sv chat.SavedItem) (chat.SavedItem, error) {
	ctx = withOp(ctx, "SaveMessage")
	if sv.UserID == "" || sv.RoomID == "" || sv.Seq <= 0 {
		return chat.SavedItem{}, chat.Errorf(chat.Invalid, "a saved message needs a user, a room and a seq")
	}
	if sv.SavedAt.IsZero() {
		sv.SavedAt = s.now()
	}
	it := savedItem{PK: userPK(sv.UserID), SK: savedSK(sv.RoomID, sv.Seq),
		GSI1PK: savedGSIPK(sv.UserID), GSI1SK: sortableTime(sv.SavedAt) + "#" + sv.RoomID + "#" + seqSK(sv.Seq),
		RoomID: sv.RoomID, Seq: sv.Seq, SavedAt: utc(sv.SavedAt)}
	var first savedItem
	wrote, err := s.table.Put(it).If("attribute_not_exists($)", AttrPK).CurrentValue(ctx, &first)
	if err != nil {
		return chat.SavedItem{}, internal(err, "save message")
	}
	if wrote {
		return it.saved(sv.UserID), nil
	}
	if first.RoomID == "" {
		if err := s.table.Get(AttrPK, it.PK).Range(AttrSK, gdynamo.Equal, it.SK).Consistent(true).One(ctx, &first); err != nil {
			return chat.SavedItem{}, internal(err, "read saved message")
		}
	}
	return first.saved(sv.UserID), nil
}

// UnsaveMessage deletes the saved item.
func (s *Store) UnsaveMessage(ctx context.Context, userID, roomID string, seq int64) error {
	ctx = withOp(ctx, "UnsaveMessage")
	if err := s.table.Delete(AttrPK, userPK(userID)).Range(AttrSK, savedSK(roomID, seq)).Run(ctx); err != nil {
		return internal(err, "unsave message")
	}
	return nil
}

// ListSaved queries gsi1 (SAVED#<userId>) newest first.
func (s *Store) ListSaved(ctx context.Context, userID, cursor string, limit int) ([]chat.SavedItem, string, error) {
	ctx = withOp(ctx, "ListSaved")
	limit = pageSize(limit)
	q := s.table.Get(AttrGSI1PK, savedGSIPK(userID)).Index(IndexGSI1).Order(gdynamo.Descending)
	if cursor != "" {
		before, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Range(AttrGSI1SK, gdynamo.Less, before)
	}
	var items []savedItem
	if err := q.Limit(limit+1).All(ctx, &items); err != nil {
		return nil, "", internal(err, "list saved")
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(items[limit-1].GSI1SK)
	}
	out := make([]chat.SavedItem, len(items))
	for i, it := range items {
		out[i] = it.saved(userID)
	}
	return out, next, nil
}
