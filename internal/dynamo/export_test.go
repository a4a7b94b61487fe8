package dynamo

import "context"

// BurnSeq takes a seq from a room's counter without storing a message, as
// a lost race between two retries does: tests use it to make gaps.
func (s *Store) BurnSeq(ctx context.Context, roomID string) error {
	return s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skRoomSeq).Add("lastSeq", 1).Run(ctx)
}
