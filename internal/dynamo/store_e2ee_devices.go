package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// GetDevice reads one encryption device of a person: pk USER#<userId>,
// sk E2EEDEV#<deviceId> (the key directory's item, written by
// registerDevice). The "e2ee-rooms" helper added this reader so that
// shareRoomKeys can check recipients' devices; when the key directory's
// store lands with its own GetDevice, this file is dropped.
func (s *Store) GetDevice(ctx context.Context, userID, deviceID string) (chat.Device, error) {
	ctx = withOp(ctx, "GetDevice")
	var it struct {
		UserID     string    `dynamo:"userId"`
		DeviceID   string    `dynamo:"deviceId"`
		Name       string    `dynamo:"name"`
		PublicKey  string    `dynamo:"publicKey"`
		Signature  string    `dynamo:"signature"`
		CreatedAt  time.Time `dynamo:"createdAt"`
		LastSeenAt time.Time `dynamo:"lastSeenAt"`
	}
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, "E2EEDEV#"+deviceID).One(ctx, &it)
	if isNotFound(err) {
		return chat.Device{}, chat.Errorf(chat.NotFound, "device %s of %s not found", deviceID, userID)
	}
	if err != nil {
		return chat.Device{}, internal(err, "get device")
	}
	return chat.Device{UserID: userID, DeviceID: deviceID, Name: it.Name, PublicKey: it.PublicKey,
		Signature: it.Signature, CreatedAt: it.CreatedAt, LastSeenAt: it.LastSeenAt}, nil
}
