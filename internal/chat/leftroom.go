package chat

import "time"

// LeftRoom is a room a person was a member of and is no longer (they left,
// were removed or banned): the marker USER#<id> / LEFT#<roomId> the store
// writes with the removal, so the export finds the messages they wrote
// there (docs/ARCHITECTURE.md "Export"). Rejoining leaves it in place;
// the export lists a room they are in again as a member, once.
type LeftRoom struct {
	RoomID string
	LeftAt time.Time
}
