package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Room keys of end-to-end encrypted rooms (issue #19, docs/E2EE.md): one
// item per (room, recipient device, epoch) under the room's partition,
//
//	pk ROOM#<roomId>, sk RKEY#<deviceId>#<epoch, 10 digits>
//
// so that a device's keys of a room are one Query (a range of its sort
// keys: getRoomKeys), they go with the room when it is purged (PurgeRoom
// deletes the partition's rows after META), and GetRoom (begins_with META)
// never reads them. gsi1 (RKEYU#<userId>, <roomId>#<deviceId>#<epoch>)
// finds every key wrapped for a person, in rooms they have left too
// (erasure, removeDevice). An item is about 300 bytes: 1 WCU (+1 for the
// index). The server cannot read a wrapped key: only the recipient
// device's private key (never sent) can unwrap it.
const (
	prefixRoomKey     = "RKEY#"
	prefixRoomKeyUser = "RKEYU#"
)

func roomKeySK(deviceID string, epoch int) string {
	return fmt.Sprintf("%s%s#%010d", prefixRoomKey, deviceID, epoch)
}

type roomKeyItem struct {
	PK           string    `dynamo:"pk"`
	SK           string    `dynamo:"sk"`
	GSI1PK       string    `dynamo:"gsi1pk"`
	GSI1SK       string    `dynamo:"gsi1sk"`
	RoomID       string    `dynamo:"roomId"`
	Epoch        int       `dynamo:"epoch"`
	UserID       string    `dynamo:"userId"`
	DeviceID     string    `dynamo:"deviceId"`
	SenderUserID string    `dynamo:"senderUserId"`
	SenderDevice string    `dynamo:"senderDevice"`
	Wrapped      string    `dynamo:"wrapped"`
	CreatedAt    time.Time `dynamo:"createdAt"`
}

func newRoomKeyItem(k chat.WrappedRoomKey) roomKeyItem {
	return roomKeyItem{
		PK: roomPK(k.RoomID), SK: roomKeySK(k.DeviceID, k.Epoch),
		GSI1PK: prefixRoomKeyUser + k.UserID, GSI1SK: fmt.Sprintf("%s#%s#%010d", k.RoomID, k.DeviceID, k.Epoch),
		RoomID: k.RoomID, Epoch: k.Epoch, UserID: k.UserID, DeviceID: k.DeviceID,
		SenderUserID: k.SenderUserID, SenderDevice: k.SenderDevice, Wrapped: k.Wrapped, CreatedAt: utc(k.CreatedAt),
	}
}

func (it roomKeyItem) key() chat.WrappedRoomKey {
	return chat.WrappedRoomKey{
		RoomID: it.RoomID, Epoch: it.Epoch, UserID: it.UserID, DeviceID: it.DeviceID,
		SenderUserID: it.SenderUserID, SenderDevice: it.SenderDevice, Wrapped: it.Wrapped, CreatedAt: it.CreatedAt,
	}
}

var _ chat.RoomKeyStore = (*Store)(nil)

// ShareRoomKeys: with advance, one transaction of the room's META update
// (conditioned on e2ee and keyEpoch = epoch-1) and the keys' puts (at most
// protocol.MaxRoomKeysPerShare + 1 = 65 items, under the 100 limit); the
// loser of a race fails the condition and writes nothing. Without advance,
// a batch write.
func (s *Store) ShareRoomKeys(ctx context.Context, roomID string, epoch int, advance bool, keys []chat.WrappedRoomKey) (chat.Room, error) {
	ctx = withOp(ctx, "ShareRoomKeys")
	items := make([]any, 0, len(keys))
	for _, k := range keys {
		if k.RoomID != roomID || k.Epoch != epoch || k.DeviceID == "" || k.UserID == "" {
			return chat.Room{}, chat.Errorf(chat.Invalid, "a room key names another room, epoch or no device")
		}
		items = append(items, newRoomKeyItem(k))
	}
	if !advance {
		// Keys of an existing epoch only fill in devices that have none:
		// a wrap already stored is never replaced (a late maker of the
		// same epoch would put a different key under it), all or nothing.
		if len(items) > 0 {
			tx := s.db.WriteTx()
			for _, it := range items {
				tx.Put(s.table.Put(it).If("attribute_not_exists($)", AttrPK))
			}
			err := tx.Run(ctx)
			if isCondFailed(err) {
				return chat.Room{}, chat.Errorf(chat.Conflict, "a key of epoch %d is already stored for one of these devices", epoch)
			}
			if err != nil {
				return chat.Room{}, internal(err, "store room keys")
			}
		}
		return s.GetRoom(ctx, roomID)
	}
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
		Set("keyEpoch", epoch).Remove("rotateKey")
	if epoch == 1 {
		u.If("attribute_exists($) AND e2ee = ? AND attribute_not_exists(deleted) AND (attribute_not_exists(keyEpoch) OR keyEpoch = ?)", AttrPK, true, 0)
	} else {
		u.If("attribute_exists($) AND e2ee = ? AND attribute_not_exists(deleted) AND keyEpoch = ?", AttrPK, true, epoch-1)
	}
	tx := s.db.WriteTx().Update(u)
	for _, it := range items {
		tx.Put(s.table.Put(it))
	}
	err := tx.Run(ctx)
	if isCondFailed(err) {
		return chat.Room{}, chat.Errorf(chat.Conflict, "the room's key epoch moved meanwhile: read the room keys and use the newest epoch")
	}
	if err != nil {
		return chat.Room{}, internal(err, "advance room key epoch")
	}
	return s.GetRoom(ctx, roomID)
}

// RoomKeys is one Query of the device's range of sort keys.
func (s *Store) RoomKeys(ctx context.Context, roomID, deviceID string, sinceEpoch int) ([]chat.WrappedRoomKey, error) {
	ctx = withOp(ctx, "RoomKeys")
	var items []roomKeyItem
	err := s.table.Get(AttrPK, roomPK(roomID)).
		Range(AttrSK, gdynamo.Between, roomKeySK(deviceID, max(sinceEpoch, 0)), roomKeySK(deviceID, 9999999999)).
		Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "read room keys")
	}
	out := make([]chat.WrappedRoomKey, 0, len(items))
	for _, it := range items {
		out = append(out, it.key())
	}
	return out, nil
}

// SetRotateKey: a conditional update (the room exists and is encrypted).
func (s *Store) SetRotateKey(ctx context.Context, roomID string) (chat.Room, error) {
	ctx = withOp(ctx, "SetRotateKey")
	if err := s.markRotate(ctx, roomID); err != nil {
		return chat.Room{}, err
	}
	return s.GetRoom(ctx, roomID)
}

// markRotate sets rotateKey on the room if it is encrypted (a plain room
// fails the condition, which is no error).
func (s *Store) markRotate(ctx context.Context, roomID string) error {
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Set("rotateKey", true).
		If("attribute_exists($) AND e2ee = ?", AttrPK, true).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "mark room for a new key")
	}
	return nil
}

// DeleteUserRoomKeys queries the person's keys (gsi1, all rooms) and
// deletes them in batches.
func (s *Store) DeleteUserRoomKeys(ctx context.Context, userID, deviceID string) (int, error) {
	ctx = withOp(ctx, "DeleteUserRoomKeys")
	var items []roomKeyItem
	err := s.table.Get(AttrGSI1PK, prefixRoomKeyUser+userID).Index(IndexGSI1).
		Project(AttrPK, AttrSK, "deviceId").All(ctx, &items)
	if err != nil {
		return 0, internal(err, "list room keys")
	}
	keys := make([]keyItem, 0, len(items))
	for _, it := range items {
		if deviceID == "" || it.DeviceID == deviceID {
			keys = append(keys, keyItem{PK: it.PK, SK: it.SK})
		}
	}
	if err := s.deleteKeys(ctx, keys); err != nil {
		return 0, internal(err, "delete room keys")
	}
	return len(keys), nil
}

// eraseRoomKey is the erasure of one room key item (erasure.go): a key
// wrapped for one of the person's devices is deleted; a key they wrapped
// for someone else stays (its recipient may need it for the history) but
// no longer names them (senderUserId becomes chat.DeletedActor).
func (s *Store) eraseRoomKey(ctx context.Context, userID, pk, sk string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	switch userID {
	case str(item, "userId"):
		if err := s.table.Delete(AttrPK, pk).Range(AttrSK, sk).Run(ctx); err != nil {
			return internal(err, "erase room key")
		}
		res.Deleted++
	case str(item, "senderUserId"):
		err := s.table.Update(AttrPK, pk).Range(AttrSK, sk).Set("senderUserId", chat.DeletedActor).If("attribute_exists($)", AttrPK).Run(ctx)
		if err != nil && !isCondFailed(err) {
			return internal(err, "unlink room key sender")
		}
		res.Updated++
	}
	return nil
}
