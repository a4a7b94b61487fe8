package dynamo

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// BurnSeq takes a seq from a room's counter without storing a message, as
// a lost race between two retries does: tests use it to make gaps.
func (s *Store) BurnSeq(ctx context.Context, roomID string) error {
	return s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq).Add("lastSeq", 1).Run(ctx)
}

// RoomConnPK is the partition key of connection connID in a room's index.
func RoomConnPK(roomID, connID string) string { return roomConnPK(roomID, connID) }

// RoomConnShard is the shard of a connection id.
func RoomConnShard(connID string) int { return roomConnShard(connID) }

// CrashAfterClaim runs the first two steps of AppendMessage (the seq, the
// client-id claim) and stops, as a send that crashed between its claim and
// its message would; it returns the claimed seq.
func (s *Store) CrashAfterClaim(ctx context.Context, roomID, senderID, clientID string) (int64, error) {
	var room roomSeqItem
	if err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq).Add("lastSeq", 1).OnlyUpdatedValue(ctx, &room); err != nil {
		return 0, err
	}
	idem := clientItem{PK: msgPK(roomID), SK: clientSK(senderID, clientID), Seq: room.LastSeq}
	return room.LastSeq, s.table.Put(idem).Run(ctx)
}

// PutProfileWithoutIndex stores a profile as the store did before the
// name index existed: no UNAME# items.
func (s *Store) PutProfileWithoutIndex(ctx context.Context, p chat.Profile) error {
	return s.table.Put(newProfileItem(p)).Run(ctx)
}

// BackfillStale runs the backfill of one profile as the Scan read it
// (userID with these names), which may be out of date by now.
func (s *Store) BackfillStale(ctx context.Context, userID, username, displayName string) (BackfillStats, error) {
	var st BackfillStats
	it := newProfileItem(chat.Profile{UserID: userID, Username: username, DisplayName: displayName})
	err := s.backfillProfile(ctx, it, false, func(context.Context) error { return nil }, &st)
	return st, err
}
