package chattest

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// GetDevice reads one device of a person (chat.KeyStore): NotFound if they
// have none with that id.
func (s *Store) GetDevice(ctx context.Context, userID, deviceID string) (chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetDevice", userID, deviceID); err != nil {
		return chat.Device{}, err
	}
	d, ok := s.keyDir().Devices[userID][deviceID]
	if !ok {
		return chat.Device{}, chat.Errorf(chat.NotFound, "no such device")
	}
	return d, nil
}

// SeedDevice stores d as a registered device of d.UserID (tests of room
// keys that need recipients' devices without the key directory's flow).
func (s *Store) SeedDevice(d chat.Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyDir()
	if k.Devices[d.UserID] == nil {
		k.Devices[d.UserID] = map[string]chat.Device{}
	}
	k.Devices[d.UserID][d.DeviceID] = d
}
