package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Authorization of room actions. A non-member asking about a private
// channel or a direct room gets NotFound, exactly as for a room that does
// not exist, so ids cannot be probed; a public channel's non-member gets
// Forbidden with a hint to join.

// requireMember returns the caller's membership of roomID. The room is
// read only when the membership is missing, to choose the refusal.
func (s *Chat) requireMember(ctx context.Context, roomID, userID string) (chat.Member, error) {
	if err := checkRoomID(roomID); err != nil {
		return chat.Member{}, err
	}
	m, err := s.store.GetMember(ctx, roomID, userID)
	if err == nil {
		return m, nil
	}
	if chat.ErrorCode(err) != chat.NotFound {
		return chat.Member{}, storeErr(err, "get membership")
	}
	room, err := s.store.GetRoom(ctx, roomID)
	if err != nil {
		return chat.Member{}, roomLookupErr(err)
	}
	return chat.Member{}, notMemberErr(room)
}

// requireMemberRoom is requireMember that also returns the room.
func (s *Chat) requireMemberRoom(ctx context.Context, roomID, userID string) (chat.Room, chat.Member, error) {
	m, err := s.requireMember(ctx, roomID, userID)
	if err != nil {
		return chat.Room{}, chat.Member{}, err
	}
	room, err := s.store.GetRoom(ctx, roomID)
	if err != nil {
		return chat.Room{}, chat.Member{}, roomLookupErr(err)
	}
	return room, m, nil
}

// visibleRoom returns a room the caller may see: any public channel, and
// private or direct rooms only to members (member is nil for public rooms
// the caller has not joined).
func (s *Chat) visibleRoom(ctx context.Context, roomID, userID string) (chat.Room, *chat.Member, error) {
	if err := checkRoomID(roomID); err != nil {
		return chat.Room{}, nil, err
	}
	room, err := s.store.GetRoom(ctx, roomID)
	if err != nil {
		return chat.Room{}, nil, roomLookupErr(err)
	}
	m, err := s.store.GetMember(ctx, roomID, userID)
	switch {
	case err == nil:
		return room, &m, nil
	case chat.ErrorCode(err) != chat.NotFound:
		return chat.Room{}, nil, storeErr(err, "get membership")
	case room.Kind == chat.KindPublic:
		return room, nil, nil
	default:
		return chat.Room{}, nil, errRoomNotFound()
	}
}

func notMemberErr(room chat.Room) error {
	if room.Kind == chat.KindPublic {
		return chat.Errorf(chat.Forbidden, "you are not a member of #%s: join it first", room.Name)
	}
	return errRoomNotFound()
}

func roomLookupErr(err error) error {
	if chat.ErrorCode(err) == chat.NotFound {
		return errRoomNotFound()
	}
	return storeErr(err, "get room")
}

func errRoomNotFound() error { return chat.Errorf(chat.NotFound, "room not found") }
