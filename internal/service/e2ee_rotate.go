package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// rotateRoomsOf marks every encrypted room the person is a member of as
// needing a new room key (Room.RotateKey), after one of their devices was
// removed or their identity was reset, and tells each room's members
// (roomUpdated). Only the encrypted rooms are written: one read of the
// person's memberships and one of each room, one write per encrypted room.
func (s *Chat) rotateRoomsOf(ctx context.Context, userID string) error {
	ms, err := s.store.UserRooms(ctx, userID)
	if err != nil {
		return storeErr(err, "list rooms")
	}
	return forEach(len(ms), func(i int) error {
		room, err := s.store.GetRoom(ctx, ms[i].RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			return nil
		}
		if err != nil {
			return storeErr(err, "get room")
		}
		if !room.Encrypted {
			return nil
		}
		return s.rotateRoom(ctx, chat.Actor{UserID: userID}, room)
	})
}

// rotateRoom sets RotateKey on an encrypted room (someone joined or left,
// a device went) and tells its members; a plain room is left alone. room
// may be only its id (Kind empty): it is then written conditionally (the
// store leaves a plain room alone).
func (s *Chat) rotateRoom(ctx context.Context, actor chat.Actor, room chat.Room) error {
	if room.Kind != "" && !room.Encrypted {
		return nil
	}
	if room.Encrypted && room.RotateKey {
		return nil // marked already: the next sender makes the new epoch
	}
	ks, err := s.roomKeys()
	if err != nil {
		return err
	}
	stored, err := ks.SetRotateKey(ctx, room.ID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		return storeErr(err, "mark room for a new key")
	}
	if stored.Encrypted {
		s.publish(ctx, chat.RoomUpdated{Actor: actor, Room: stored})
	}
	return nil
}

// rotateAfterMemberChange is rotateRoom for a join or a leave: a failure
// is logged (the membership changed; the next member change or device
// removal marks the room again).
func (s *Chat) rotateAfterMemberChange(ctx context.Context, actor chat.Actor, room chat.Room) {
	if err := s.rotateRoom(ctx, actor, room); err != nil {
		s.log.WarnContext(ctx, "room not marked for a new key", slog.String("roomId", room.ID), slog.Any("error", err))
	}
}
