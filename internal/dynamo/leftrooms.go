package dynamo

import (
	"context"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// leftItem is USER#<id> / LEFT#<roomId>: the person stopped being a member
// of the room (left, removed, banned) at leftAt. Written in RemoveMember's
// transaction; read by the export (LeftRooms); deleted with every other
// USER#<id> item by the erasure. The room's name is not copied: the
// export reads the room (its current name; a deleted room's messages are
// gone with it).
type leftItem struct {
	PK     string    `dynamo:"pk"`
	SK     string    `dynamo:"sk"`
	RoomID string    `dynamo:"roomId"`
	LeftAt time.Time `dynamo:"leftAt"`
}

const prefixLeft = "LEFT#"

func leftSK(roomID string) string { return prefixLeft + roomID }

func newLeftItem(roomID, userID string, at time.Time) leftItem {
	return leftItem{PK: userPK(userID), SK: leftSK(roomID), RoomID: roomID, LeftAt: at.UTC()}
}

// LeftRooms lists the rooms userID has left (one Query, all pages, on the
// person's partition, LEFT# items only), oldest room id first. Rooms left
// before the marker existed are not in it.
func (s *Store) LeftRooms(ctx context.Context, userID string) ([]chat.LeftRoom, error) {
	ctx = withOp(ctx, "LeftRooms")
	var items []leftItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.BeginsWith, prefixLeft).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list left rooms")
	}
	out := make([]chat.LeftRoom, 0, len(items))
	for _, it := range items {
		id := it.RoomID
		if id == "" {
			id = strings.TrimPrefix(it.SK, prefixLeft)
		}
		out = append(out, chat.LeftRoom{RoomID: id, LeftAt: it.LeftAt.UTC()})
	}
	return out, nil
}
