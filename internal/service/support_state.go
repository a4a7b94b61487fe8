package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// visitorState is a visitor's getState (issue 17): its connection, its
// own profile, its support rooms with their conversations (as it sees
// them) and the limits. No people, channels, invitations, groups or
// preferences.
func (s *Chat) visitorState(ctx context.Context, c chat.Connection, me chat.Profile) (protocol.StateEvent, error) {
	ev := protocol.StateEvent{
		Head: protocol.Head{Type: protocol.EventState}, ConnectionID: c.ID, Me: me,
		Rooms: []protocol.RoomState{}, Users: []chat.Profile{}, Invites: []protocol.InviteInfo{},
		Limits: s.limits(), Support: []chat.SupportConversation{},
	}
	memberships, err := s.store.UserRooms(ctx, c.UserID)
	if err != nil {
		return protocol.StateEvent{}, storeErr(err, "list rooms")
	}
	rooms := make([]*protocol.RoomState, len(memberships))
	convs := make([]*chat.SupportConversation, len(memberships))
	err = forEach(len(memberships), func(i int) error {
		room, err := s.store.GetRoom(ctx, memberships[i].RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			return nil
		}
		if err != nil {
			return storeErr(err, "get room")
		}
		if room.Kind != chat.KindSupport || room.Support == nil || room.Support.Visitor.ID != c.UserID {
			return nil // never any other room
		}
		conv := room.Support.ForVisitor()
		rs, err := s.visitorRoomState(ctx, room, memberships[i])
		if err != nil {
			return err
		}
		rooms[i], convs[i] = &rs, &conv
		return nil
	})
	if err != nil {
		return protocol.StateEvent{}, err
	}
	for i := range rooms {
		if rooms[i] != nil {
			ev.Rooms = append(ev.Rooms, *rooms[i])
			ev.Support = append(ev.Support, *convs[i])
		}
	}
	return ev, nil
}
