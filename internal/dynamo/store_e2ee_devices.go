package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// prefixE2EEDevice keys a person's encryption devices: pk USER#<userId>,
// sk E2EEDEV#<deviceId> (issue 19, e2ee_keys.go).
const prefixE2EEDevice = "E2EEDEV#"

func e2eeDeviceSK(deviceID string) string { return prefixE2EEDevice + deviceID }

// e2eeDeviceItem is one device of a person: its ECDH public key and, once
// trusted, its identity key's signature.
type e2eeDeviceItem struct {
	PK         string    `dynamo:"pk"`
	SK         string    `dynamo:"sk"`
	UserID     string    `dynamo:"userId"`
	DeviceID   string    `dynamo:"deviceId"`
	Name       string    `dynamo:"name"`
	PublicKey  string    `dynamo:"publicKey"`
	Signature  string    `dynamo:"signature,omitempty"`
	CreatedAt  time.Time `dynamo:"createdAt"`
	LastSeenAt time.Time `dynamo:"lastSeenAt,omitempty"`
}

func (it e2eeDeviceItem) device() chat.Device {
	return chat.Device{UserID: it.UserID, DeviceID: it.DeviceID, Name: it.Name, PublicKey: it.PublicKey,
		Signature: it.Signature, CreatedAt: it.CreatedAt, LastSeenAt: it.LastSeenAt}
}

// GetDevice is one strongly consistent GetItem.
func (s *Store) GetDevice(ctx context.Context, userID, deviceID string) (chat.Device, error) {
	ctx = withOp(ctx, "GetDevice")
	if userID == "" || deviceID == "" {
		return chat.Device{}, chat.Errorf(chat.Invalid, "a user id and a device id are required")
	}
	var it e2eeDeviceItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, e2eeDeviceSK(deviceID)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	if err != nil {
		return chat.Device{}, internal(err, "get device")
	}
	return it.device(), nil
}
