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
