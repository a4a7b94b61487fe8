package service

import (
	"context"
	"log/slog"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Room keys of end-to-end encrypted rooms (issue #19, docs/E2EE.md): a
// room key (32 random bytes, one per epoch) is wrapped by a member's
// device for each recipient device (ECDH + HKDF + AES-GCM, client-side);
// the server stores the wrapped keys, which it cannot open, and hands each
// device its own. A new epoch is accepted only as exactly keyEpoch+1, in
// the same transaction as its keys (the loser of a race gets Conflict and
// uses the winner's); keys of an epoch <= keyEpoch may be added later
// for devices that have none of it (a device that was missing one asked
// for it), never over a stored one (Conflict).

// Shapes of a wrapped key: iv (12) || AES-GCM(32-byte key) with its tag
// (16) is 60 bytes, 80 base64url characters; room for a longer format.
const (
	minWrappedKeyChars = 60
	maxWrappedKeyChars = 512
)

// roomKeys is the store's RoomKeyStore (internal/dynamo and chattest
// implement it).
func (s *Chat) roomKeys() (chat.RoomKeyStore, error) {
	ks, ok := s.store.(chat.RoomKeyStore)
	if !ok {
		return nil, chat.Errorf(chat.Internal, "this deployment's store keeps no room keys")
	}
	return ks, nil
}

// device reads a registered encryption device (the key directory's).
func (s *Chat) device(ctx context.Context, userID, deviceID string) (chat.Device, error) {
	dr, ok := s.store.(chat.DeviceReader)
	if !ok {
		return chat.Device{}, chat.Errorf(chat.Internal, "this deployment's store keeps no devices")
	}
	return dr.GetDevice(ctx, userID, deviceID)
}

// ownDevice checks that deviceID is the caller's: their connection's
// device when it registered one, and a registered device of theirs.
func (s *Chat) ownDevice(ctx context.Context, c chat.Connection, deviceID, field string) error {
	if !chat.ValidDeviceID(deviceID) {
		return chat.Errorf(chat.Invalid, "%s must be a device id (dev_ and 26 of a-z, 2-7)", field)
	}
	if c.DeviceID != "" && c.DeviceID != deviceID {
		return chat.Errorf(chat.Forbidden, "%s must be this connection's device (%s)", field, c.DeviceID)
	}
	_, err := s.device(ctx, c.UserID, deviceID)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Errorf(chat.Forbidden, "%s is not one of your registered devices: registerDevice first", field)
	}
	if err != nil {
		return storeErr(err, "get device")
	}
	return nil
}

// encryptedRoom authorizes a room-key action and answers the room, which
// must be encrypted.
func (s *Chat) encryptedRoom(ctx context.Context, c chat.Connection, action chat.Action, roomID string) (chat.Room, error) {
	ra, err := s.encryptedRoomAccess(ctx, c, action, roomID)
	return ra.room, err
}

// encryptedRoomAccess is encryptedRoom with the caller's membership.
func (s *Chat) encryptedRoomAccess(ctx context.Context, c chat.Connection, action chat.Action, roomID string) (roomAccess, error) {
	ra, err := s.authorize(ctx, c, action, roomID, true)
	if err != nil {
		return roomAccess{}, err
	}
	if !ra.room.Encrypted {
		return roomAccess{}, chat.Errorf(chat.Invalid, "this conversation is not end-to-end encrypted: it has no room keys")
	}
	return ra, nil
}

// ShareRoomKeys stores a room key of one epoch wrapped for the given
// devices of the room's members, advancing the room's epoch when it is the
// next one, and tells the recipients to fetch it.
func (s *Chat) ShareRoomKeys(ctx context.Context, c chat.Connection, r protocol.ShareRoomKeysRequest) (protocol.RoomKeysSharedEvent, error) {
	if r.Epoch < 1 {
		return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "epoch must be at least 1")
	}
	if len(r.Keys) == 0 {
		return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "keys must hold at least one wrapped key")
	}
	if len(r.Keys) > protocol.MaxRoomKeysPerShare {
		return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.TooLarge, "too many keys: at most %d per call", protocol.MaxRoomKeysPerShare)
	}
	seen := map[string]bool{}
	for _, k := range r.Keys {
		if !chat.ValidDeviceID(k.DeviceID) || !chat.ValidDeviceID(k.SenderDevice) {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "each key's deviceId and senderDevice must be device ids")
		}
		if err := checkUserID(k.UserID); err != nil {
			return protocol.RoomKeysSharedEvent{}, err
		}
		if len(k.Wrapped) < minWrappedKeyChars || len(k.Wrapped) > maxWrappedKeyChars || !isB64(k.Wrapped) {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "each key's wrapped must be base64url (iv || AES-GCM of the room key), %d to %d characters", minWrappedKeyChars, maxWrappedKeyChars)
		}
		if k.SenderDevice != r.Keys[0].SenderDevice {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "every key of one call comes from one senderDevice")
		}
		if seen[k.DeviceID] {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Invalid, "device %s has two keys in this call", k.DeviceID)
		}
		seen[k.DeviceID] = true
	}
	ks, err := s.roomKeys()
	if err != nil {
		return protocol.RoomKeysSharedEvent{}, err
	}
	room, err := s.encryptedRoom(ctx, c, chat.ActShareRoomKeys, r.RoomID)
	if err != nil {
		return protocol.RoomKeysSharedEvent{}, err
	}
	advance := r.Epoch == room.KeyEpoch+1
	if !advance && r.Epoch > room.KeyEpoch {
		return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Conflict, "the room's key is epoch %d: share epoch %d (a new key) or an existing epoch", room.KeyEpoch, room.KeyEpoch+1)
	}
	if err := s.ownDevice(ctx, c, r.Keys[0].SenderDevice, "senderDevice"); err != nil {
		return protocol.RoomKeysSharedEvent{}, err
	}
	// Recipients: members of the room now, each key for a registered
	// device of its person.
	members, err := s.store.ListMembers(ctx, room.ID)
	if err != nil {
		return protocol.RoomKeysSharedEvent{}, storeErr(err, "list members")
	}
	memberOf := map[string]chat.Member{}
	for _, m := range members {
		memberOf[m.UserID] = m
	}
	for _, k := range r.Keys {
		m, ok := memberOf[k.UserID]
		if !ok {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Forbidden, "%s is not a member of this conversation: keys go to members only", k.UserID)
		}
		if r.Epoch < m.KeyEpochFrom {
			return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Forbidden, "%s joined at key epoch %d: the keys of earlier epochs are not theirs", k.UserID, m.KeyEpochFrom)
		}
	}
	err = forEach(len(r.Keys), func(i int) error {
		k := r.Keys[i]
		if k.UserID == c.UserID && k.DeviceID == k.SenderDevice {
			return nil // the sender's own device, checked above
		}
		_, err := s.device(ctx, k.UserID, k.DeviceID)
		if chat.ErrorCode(err) == chat.NotFound {
			return chat.Errorf(chat.Invalid, "device %s is not a registered device of %s", k.DeviceID, k.UserID)
		}
		if err != nil {
			return storeErr(err, "get device")
		}
		return nil
	})
	if err != nil {
		return protocol.RoomKeysSharedEvent{}, err
	}
	now := s.clock()
	keys := make([]chat.WrappedRoomKey, len(r.Keys))
	for i, k := range r.Keys {
		keys[i] = chat.WrappedRoomKey{RoomID: room.ID, Epoch: r.Epoch, UserID: k.UserID, DeviceID: k.DeviceID,
			SenderUserID: c.UserID, SenderDevice: k.SenderDevice, Wrapped: k.Wrapped, CreatedAt: now}
	}
	stored, err := ks.ShareRoomKeys(ctx, room.ID, r.Epoch, advance, keys)
	if chat.ErrorCode(err) == chat.Conflict {
		return protocol.RoomKeysSharedEvent{}, chat.Errorf(chat.Conflict, "another device made epoch %d first: fetch the room keys (getRoomKeys) and use its key", r.Epoch)
	}
	if err != nil {
		return protocol.RoomKeysSharedEvent{}, storeErr(err, "store room keys")
	}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	if advance {
		// The members' rooms show the new epoch (and rotateKey off).
		s.publish(ctx, chat.RoomUpdated{Actor: actor, Room: stored})
	}
	s.tellRoomKeys(ctx, c, room.ID, r.Epoch, stored.KeyEpoch, keys)
	s.log.DebugContext(ctx, "room keys shared", slog.String("roomId", room.ID), slog.Int("epoch", r.Epoch), slog.Int("keys", len(keys)), slog.Bool("advanced", advance))
	return protocol.RoomKeysSharedEvent{Head: protocol.Head{Type: protocol.EventRoomKeysShared}, RoomID: room.ID, Epoch: r.Epoch, KeyEpoch: stored.KeyEpoch}, nil
}

// tellRoomKeys pushes roomKeys {roomId, epoch, keyEpoch} (no keys) to the
// recipients' connections, but the sending one: each device then fetches
// its own with getRoomKeys. A connection that registered a device hears
// only of keys for it; one that has not (yet) hears of every key of its
// person.
func (s *Chat) tellRoomKeys(ctx context.Context, c chat.Connection, roomID string, epoch, keyEpoch int, keys []chat.WrappedRoomKey) {
	devices := map[string][]string{} // user -> devices
	for _, k := range keys {
		devices[k.UserID] = append(devices[k.UserID], k.DeviceID)
	}
	ev := protocol.RoomKeysEvent{Head: protocol.Head{Type: protocol.EventRoomKeys}, RoomID: roomID, Epoch: epoch, KeyEpoch: keyEpoch, Keys: []chat.WrappedRoomKey{}}
	var conns []string
	for uid, devs := range devices {
		ids, err := s.store.UserConnections(ctx, uid)
		if err != nil {
			s.log.WarnContext(ctx, "room keys not told", slog.String("userId", uid), slog.Any("error", err))
			continue
		}
		for _, id := range ids {
			if id == c.ID {
				continue
			}
			if conn, err := s.store.GetConnection(ctx, id); err == nil && conn.DeviceID != "" && !slices.Contains(devs, conn.DeviceID) {
				continue
			}
			conns = append(conns, id)
		}
	}
	if len(conns) > 0 {
		s.push.send(ctx, conns, ev)
	}
}

// GetRoomKeys answers the room keys wrapped for one of the caller's own
// devices (from sinceEpoch on), with the room's epoch state.
func (s *Chat) GetRoomKeys(ctx context.Context, c chat.Connection, r protocol.GetRoomKeysRequest) (protocol.RoomKeysEvent, error) {
	if r.SinceEpoch < 0 {
		return protocol.RoomKeysEvent{}, chat.Errorf(chat.Invalid, "sinceEpoch must not be negative")
	}
	ks, err := s.roomKeys()
	if err != nil {
		return protocol.RoomKeysEvent{}, err
	}
	ra, err := s.encryptedRoomAccess(ctx, c, chat.ActGetRoomKeys, r.RoomID)
	if err != nil {
		return protocol.RoomKeysEvent{}, err
	}
	room := ra.room
	if err := s.ownDevice(ctx, c, r.DeviceID, "deviceId"); err != nil {
		return protocol.RoomKeysEvent{}, err
	}
	keys, err := ks.RoomKeys(ctx, room.ID, r.DeviceID, r.SinceEpoch)
	if err != nil {
		return protocol.RoomKeysEvent{}, storeErr(err, "read room keys")
	}
	// Only the caller's own (the device is theirs; defence in depth), and
	// none from before their join.
	from := 0
	if ra.member != nil {
		from = ra.member.KeyEpochFrom
	}
	keys = slices.DeleteFunc(keys, func(k chat.WrappedRoomKey) bool { return k.UserID != c.UserID || k.Epoch < from })
	if keys == nil {
		keys = []chat.WrappedRoomKey{}
	}
	return protocol.RoomKeysEvent{Head: protocol.Head{Type: protocol.EventRoomKeys}, RoomID: room.ID,
		KeyEpoch: room.KeyEpoch, RotateKey: room.RotateKey, Keys: keys}, nil
}
