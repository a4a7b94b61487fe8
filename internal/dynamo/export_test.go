package dynamo

import "context"

// BurnSeq takes a seq from a room's counter without storing a message, as
// a lost race between two retries does: tests use it to make gaps.
func (s *Store) BurnSeq(ctx context.Context, roomID string) error {
	return s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq).Add("lastSeq", 1).Run(ctx)
}

// RoomConnPK is the partition key of connection connID in a room's index.
func RoomConnPK(roomID, connID string) string { return roomConnPK(roomID, connID) }

// RoomConnShard is the shard of a connection id.
func RoomConnShard(connID string) int { return roomConnShard(connID) }
