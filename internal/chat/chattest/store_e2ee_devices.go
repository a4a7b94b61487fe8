package chattest

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The encryption devices the room keys check (chat.DeviceReader). The
// "e2ee-rooms" helper added this small directory; the key directory's
// in-memory store replaces it at merge (SeedDevice then registers a
// device there).

var _ chat.DeviceReader = (*Store)(nil)

// SeedDevice stores d as a registered device of d.UserID.
func (s *Store) SeedDevice(d chat.Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.devs == nil {
		s.devs = map[string]chat.Device{}
	}
	s.devs[d.UserID+"|"+d.DeviceID] = d
}

func (s *Store) GetDevice(ctx context.Context, userID, deviceID string) (chat.Device, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetDevice", userID, deviceID); err != nil {
		return chat.Device{}, err
	}
	d, ok := s.devs[userID+"|"+deviceID]
	if !ok {
		return chat.Device{}, chat.Errorf(chat.NotFound, "device not found")
	}
	return d, nil
}
