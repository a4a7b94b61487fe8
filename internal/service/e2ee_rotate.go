package service

import "context"

// rotateRoomsOf marks every encrypted room the person is a member of as
// needing a new room key (Room.RotateKey), after one of their devices was
// removed or their identity was reset.
// SKELETON: the "e2ee-rooms" helper writes it.
func (s *Chat) rotateRoomsOf(ctx context.Context, userID string) error {
	return nil
}
