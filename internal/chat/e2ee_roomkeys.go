package chat

import "context"

// RoomKeyStore keeps the room keys of end-to-end encrypted rooms, wrapped
// for each recipient device (issue #19, docs/E2EE.md), and the rooms'
// epoch state (Room.KeyEpoch, Room.RotateKey). internal/dynamo implements
// it (store_e2ee_roomkeys.go) and so does chattest.
type RoomKeyStore interface {
	// ShareRoomKeys stores keys (all of roomID and epoch). With advance
	// the room's epoch moves to epoch atomically with the write: only if
	// the room is encrypted and its KeyEpoch is epoch-1, then KeyEpoch =
	// epoch and RotateKey = false; Conflict otherwise (another device
	// advanced it first) and nothing is written. Without advance the keys
	// join an existing epoch (epoch <= KeyEpoch, checked by the caller)
	// for devices that have none yet: if any of them already has a key of
	// that epoch, Conflict and nothing is written (a late maker of the
	// same epoch must not put a different key over the winner's). It
	// returns the room as stored afterwards.
	ShareRoomKeys(ctx context.Context, roomID string, epoch int, advance bool, keys []WrappedRoomKey) (Room, error)
	// RoomKeys lists the keys of roomID wrapped for deviceID with an epoch
	// >= sinceEpoch, oldest epoch first.
	RoomKeys(ctx context.Context, roomID, deviceID string, sinceEpoch int) ([]WrappedRoomKey, error)
	// SetRotateKey sets RotateKey on an encrypted room (a member or a
	// device left or joined) and returns the room; NotFound if there is
	// none; a plain room is left alone (returned unchanged).
	SetRotateKey(ctx context.Context, roomID string) (Room, error)
	// DeleteUserRoomKeys deletes every room key wrapped for the person's
	// devices, in every room (erasure), and answers how many; with
	// deviceID set only that device's (removeDevice).
	DeleteUserRoomKeys(ctx context.Context, userID, deviceID string) (int, error)
}

// DeviceReader reads one registered encryption device of a person:
// NotFound when there is none. The key directory's store implements it.
type DeviceReader interface {
	GetDevice(ctx context.Context, userID, deviceID string) (Device, error)
}
