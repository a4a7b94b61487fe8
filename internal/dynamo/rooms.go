package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// maxTransactItems is DynamoDB's limit on items in one transaction.
const maxTransactItems = 100

// CreateRoom writes the room, its message counter, its name claim (channels
// only, see nameClaimItem) and its first members in one transaction. The
// stored member count is len(members). Conflict if the room exists or the
// name is taken.
func (s *Store) CreateRoom(ctx context.Context, r chat.Room, members []chat.Member) error {
	ctx = withOp(ctx, "CreateRoom")
	if r.ID == "" {
		return chat.Errorf(chat.Invalid, "room needs an id")
	}
	fixed := 2 // room and counter
	claim := claimsName(r.Kind, r.Name)
	if claim {
		fixed++
	}
	if len(members)+fixed > maxTransactItems {
		return chat.Errorf(chat.Invalid, "at most %d first members", maxTransactItems-fixed)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	r.MemberCount = len(members)
	tx := s.db.WriteTx().
		Put(s.table.Put(newRoomItem(r)).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(roomSeqItem{PK: roomPK(r.ID), SK: skRoomSeq, LastSeq: r.LastSeq}).If("attribute_not_exists($)", AttrPK))
	if claim {
		tx.Put(s.putClaim(r.Name, r.ID, r.Kind)) // item 2: the name
	}
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if m.UserID == "" || seen[m.UserID] {
			return chat.Errorf(chat.Invalid, "members must be distinct users")
		}
		seen[m.UserID] = true
		m.RoomID = r.ID
		if m.JoinedAt.IsZero() {
			m.JoinedAt = r.CreatedAt
		}
		tx.Put(s.table.Put(newMemberItem(m)).If("attribute_not_exists($)", AttrPK))
	}
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	switch {
	case err == nil:
		return nil
	case claim && !txCondFailedAt(err, 0) && txCondFailedAt(err, 2):
		return s.nameTaken(ctx, r.Name)
	case isCondFailed(err):
		return chat.Errorf(chat.Conflict, "room %s exists", r.ID)
	}
	return internal(err, "create room")
}

// GetRoom reads a room and its counter: one Query for the sort keys that
// begin with META (the room and its META#SEQ counter).
func (s *Store) GetRoom(ctx context.Context, roomID string) (chat.Room, error) {
	ctx = withOp(ctx, "GetRoom")
	var rows []gdynamo.Item
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, skMeta).Consistent(true).All(ctx, &rows)
	if err != nil {
		return chat.Room{}, internal(err, "get room")
	}
	var meta roomItem
	var seq roomSeqItem
	var conv *supConvItem // a support room's conversation (support.go)
	found := false
	for _, row := range rows {
		sk, _ := row[AttrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == skMeta:
			found = true
			err = gdynamo.UnmarshalItem(row, &meta)
		case sk.Value == skRoomSeq:
			err = gdynamo.UnmarshalItem(row, &seq)
		case sk.Value == skSupportConv:
			conv = &supConvItem{}
			err = gdynamo.UnmarshalItem(row, conv)
		}
		if err != nil {
			return chat.Room{}, internal(err, "decode room")
		}
	}
	if !found || meta.Deleted {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	r := meta.room()
	r.LastSeq, r.LastChg = seq.LastSeq, seq.LastChg
	if conv != nil && r.Kind == chat.KindSupport {
		c, err := conv.conversation()
		if err != nil {
			return chat.Room{}, err
		}
		r.Support = &c
	}
	return r, nil
}

// UpdateRoom sets the non-nil fields (an empty topic removes it) and
// returns the room as stored. A rename of a channel moves its name claim
// in the same transaction (see renameRoom): Conflict if the name is taken.
func (s *Store) UpdateRoom(ctx context.Context, roomID string, name, topic *string) (chat.Room, error) {
	ctx = withOp(ctx, "UpdateRoom")
	if name != nil && *name == "" {
		return chat.Room{}, chat.Errorf(chat.Invalid, "room name must not be empty")
	}
	var err error
	switch {
	case name != nil:
		err = s.renameRoom(ctx, roomID, *name, topic)
	case topic != nil:
		err = s.updateRoomItem(ctx, roomID, nil, topic)
	}
	if err != nil {
		return chat.Room{}, err
	}
	return s.GetRoom(ctx, roomID)
}

// updateRoomItem writes the non-nil fields to the room's META item without
// touching name claims: for topics, direct rooms and same-name renames.
func (s *Store) updateRoomItem(ctx context.Context, roomID string, name, topic *string) error {
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).If("attribute_exists($)", AttrPK)
	setRoomFields(u, name, topic, roomID)
	err := retryConflicts(ctx, func() error { return u.Run(ctx) })
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return internal(err, "update room")
	}
	return nil
}

// setRoomFields adds the non-nil fields to an update of a room's META item.
func setRoomFields(u *gdynamo.Update, name, topic *string, roomID string) {
	if name != nil {
		// gsi1sk orders public rooms by name. Setting it on other rooms is
		// harmless: without gsi1pk an item stays out of the sparse index,
		// and it saves reading the kind first.
		u.Set("name", *name).Set(AttrGSI1SK, publicRoomGSISK(*name, roomID))
	}
	setOrRemove(u, "topic", topic)
}

// ListPublicRooms pages through public rooms by name: a Query on gsi1
// partition PUBLIC, which only public rooms carry. LastSeq is not filled:
// the counter is a separate item (see skRoomSeq).
func (s *Store) ListPublicRooms(ctx context.Context, cursor string, limit int) ([]chat.Room, string, error) {
	ctx = withOp(ctx, "ListPublicRooms")
	items, next, err := pageGSI(ctx, s, gsiPublic, cursor, limit, func(it roomItem) string { return it.GSI1SK })
	if err != nil {
		return nil, "", err
	}
	rooms := make([]chat.Room, 0, len(items))
	for _, it := range items {
		rooms = append(rooms, it.room())
	}
	return rooms, next, nil
}

// GetMember reads a membership with a strongly consistent read: it
// authorizes actions, so a fresh join or removal must count at once.
func (s *Store) GetMember(ctx context.Context, roomID, userID string) (chat.Member, error) {
	ctx = withOp(ctx, "GetMember")
	var it memberItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, memberSK(userID)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Member{}, chat.Errorf(chat.NotFound, "%s is not a member of %s", userID, roomID)
	}
	if err != nil {
		return chat.Member{}, internal(err, "get member")
	}
	return it.member(), nil
}

// AddMember puts the membership and bumps the member count in one
// transaction: Conflict if already a member, NotFound if no such room.
func (s *Store) AddMember(ctx context.Context, m chat.Member) error {
	ctx = withOp(ctx, "AddMember")
	if m.JoinedAt.IsZero() {
		m.JoinedAt = s.now()
	}
	tx := s.db.WriteTx().
		Put(s.table.Put(newMemberItem(m)).If("attribute_not_exists($)", AttrPK)).
		Update(s.table.Update(AttrPK, roomPK(m.RoomID)).Range(AttrSK, skMeta).
			Add("memberCount", 1).If("attribute_exists($) AND attribute_not_exists(deleted)", AttrPK))
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	switch {
	case err == nil:
		return nil
	case txCondFailedAt(err, 1):
		return chat.Errorf(chat.NotFound, "room %s not found", m.RoomID)
	case isCondFailed(err):
		return chat.Errorf(chat.Conflict, "%s is already a member of %s", m.UserID, m.RoomID)
	}
	return internal(err, "add member")
}

// RemoveMember deletes the membership, lowers the member count and puts
// the person's "left room" marker (USER#<id> / LEFT#<roomId>, leftrooms.go)
// in one transaction: NotFound if there was no membership (and no marker).
func (s *Store) RemoveMember(ctx context.Context, roomID, userID string) error {
	ctx = withOp(ctx, "RemoveMember")
	return s.removeMember(ctx, roomID, userID, true)
}

// removeMember is RemoveMember; the erasure removes without the marker (it
// deletes the person's USER# items and must not write one back).
func (s *Store) removeMember(ctx context.Context, roomID, userID string, marker bool) error {
	tx := s.db.WriteTx().
		Delete(s.table.Delete(AttrPK, roomPK(roomID)).Range(AttrSK, memberSK(userID)).If("attribute_exists($)", AttrPK)).
		Update(s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
			Add("memberCount", -1).If("attribute_exists($)", AttrPK))
	if marker {
		tx = tx.Put(s.table.Put(newLeftItem(roomID, userID, s.now())))
	}
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	switch {
	case err == nil:
		return nil
	case isCondFailed(err):
		return chat.Errorf(chat.NotFound, "%s is not a member of %s", userID, roomID)
	}
	return internal(err, "remove member")
}

// ListMembers lists a room's memberships: one Query (all pages) on the
// room's partition, MEMBER# items only.
func (s *Store) ListMembers(ctx context.Context, roomID string) ([]chat.Member, error) {
	ctx = withOp(ctx, "ListMembers")
	var items []memberItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixMember).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list members")
	}
	return members(items), nil
}

// UserRooms lists a user's memberships: one Query (all pages) on gsi1
// partition MEMBER#<userId>. The index is eventually consistent: a join
// shows up within moments, not necessarily at once.
func (s *Store) UserRooms(ctx context.Context, userID string) ([]chat.Member, error) {
	ctx = withOp(ctx, "UserRooms")
	var items []memberItem
	err := s.table.Get(AttrGSI1PK, memberGSIPK(userID)).Index(IndexGSI1).
		Range(AttrGSI1SK, gdynamo.BeginsWith, prefixRoom).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "user rooms")
	}
	return members(items), nil
}

// AdvanceReadSeq moves a read position forward only: the condition
// readSeq < seq makes concurrent advances safe without reading first.
func (s *Store) AdvanceReadSeq(ctx context.Context, roomID, userID string, seq int64) (bool, error) {
	ctx = withOp(ctx, "AdvanceReadSeq")
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, memberSK(userID)).
		Set("readSeq", seq).
		If("attribute_exists($) AND $ < ?", AttrPK, "readSeq", seq).
		IncludeItemInCondCheckFail(true).
		Run(ctx)
	if err == nil {
		return true, nil
	}
	if !isCondFailed(err) {
		return false, internal(err, "advance read position")
	}
	// Failed: either no membership or already at or past seq. The old item,
	// when returned with the failure, tells which without another read.
	var cfe *types.ConditionalCheckFailedException
	if errors.As(err, &cfe) && cfe.Item != nil {
		return false, nil
	}
	if _, err := s.GetMember(ctx, roomID, userID); err != nil {
		return false, err
	}
	return false, nil
}

func members(items []memberItem) []chat.Member {
	out := make([]chat.Member, 0, len(items))
	for _, it := range items {
		out = append(out, it.member())
	}
	return out
}
