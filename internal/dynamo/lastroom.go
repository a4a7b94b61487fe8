package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"
)

// lastRoomItem is the room a user last had open: pk USER#<userId>, sk
// LASTROOM. An item of its own, not an attribute of the profile: profile
// writes are domain events (the stream publishes profile.updated), a room
// switch is not news to anyone.
type lastRoomItem struct {
	PK     string    `dynamo:"pk"`
	SK     string    `dynamo:"sk"`
	RoomID string    `dynamo:"roomId"`
	At     time.Time `dynamo:"at"`
}

const skLastRoom = "LASTROOM"

// SetLastRoom puts the item (PutItem, 1 WCU).
func (s *Store) SetLastRoom(ctx context.Context, userID, roomID string, at time.Time) error {
	ctx = withOp(ctx, "SetLastRoom")
	if err := s.table.Put(lastRoomItem{PK: userPK(userID), SK: skLastRoom, RoomID: roomID, At: utc(at)}).Run(ctx); err != nil {
		return internal(err, "set last room")
	}
	return nil
}

// LastRoom reads it (GetItem, eventually consistent: 0.5 RCU); "" if none.
func (s *Store) LastRoom(ctx context.Context, userID string) (string, time.Time, error) {
	ctx = withOp(ctx, "LastRoom")
	var it lastRoomItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skLastRoom).One(ctx, &it)
	if isNotFound(err) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, internal(err, "get last room")
	}
	return it.RoomID, it.At, nil
}
