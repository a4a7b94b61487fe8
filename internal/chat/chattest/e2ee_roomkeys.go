package chattest

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.RoomKeyStore = (*Store)(nil)

func roomKeyKey(roomID, deviceID string, epoch int) string {
	return fmt.Sprintf("%s|%s|%010d", roomID, deviceID, epoch)
}

func (s *Store) ShareRoomKeys(ctx context.Context, roomID string, epoch int, advance bool, keys []chat.WrappedRoomKey) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ShareRoomKeys", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		if advance {
			return chat.Room{}, chat.Errorf(chat.Conflict, "room not found")
		}
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	for _, k := range keys {
		if k.RoomID != roomID || k.Epoch != epoch || k.DeviceID == "" || k.UserID == "" {
			return chat.Room{}, chat.Errorf(chat.Invalid, "a room key names another room, epoch or no device")
		}
	}
	if !advance {
		for _, k := range keys {
			if _, ok := s.rkeys[roomKeyKey(roomID, k.DeviceID, epoch)]; ok {
				return chat.Room{}, chat.Errorf(chat.Conflict, "a key of epoch %d is already stored for one of these devices", epoch)
			}
		}
	}
	if advance {
		if !r.Encrypted || r.KeyEpoch != epoch-1 {
			return chat.Room{}, chat.Errorf(chat.Conflict, "the room's key epoch moved meanwhile")
		}
		r.KeyEpoch, r.RotateKey = epoch, false
		s.rooms[roomID] = r
	}
	if s.rkeys == nil {
		s.rkeys = map[string]chat.WrappedRoomKey{}
	}
	for _, k := range keys {
		s.rkeys[roomKeyKey(roomID, k.DeviceID, epoch)] = k
	}
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

func (s *Store) RoomKeys(ctx context.Context, roomID, deviceID string, sinceEpoch int) ([]chat.WrappedRoomKey, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RoomKeys", roomID, deviceID); err != nil {
		return nil, err
	}
	out := []chat.WrappedRoomKey{}
	for _, k := range s.rkeys {
		if k.RoomID == roomID && k.DeviceID == deviceID && k.Epoch >= sinceEpoch {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b chat.WrappedRoomKey) int { return cmp.Compare(a.Epoch, b.Epoch) })
	return out, nil
}

func (s *Store) SetRotateKey(ctx context.Context, roomID string) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetRotateKey", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if r.Encrypted {
		r.RotateKey = true
		s.rooms[roomID] = r
	}
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

func (s *Store) DeleteUserRoomKeys(ctx context.Context, userID, deviceID string) (int, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteUserRoomKeys", userID); err != nil {
		return 0, err
	}
	n := 0
	for id, k := range s.rkeys {
		if k.UserID == userID && (deviceID == "" || k.DeviceID == deviceID) {
			delete(s.rkeys, id)
			n++
		}
	}
	return n, nil
}
