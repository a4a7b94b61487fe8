package service

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// OpenDirect finds or creates the direct conversation of the caller and
// r.UserIDs. Its id is derived from the sorted member set, so the same pair
// or group always lands in the same room, and two people opening it at
// once meet in one room (the loser of CreateRoom's race reads the winner's).
func (s *Chat) OpenDirect(ctx context.Context, c chat.Connection, r protocol.OpenDirectRequest) (protocol.RoomEvent, error) {
	others, err := uniqueUserIDs(r.UserIDs, c.UserID)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	if len(others) == 0 {
		return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "userIds must name someone other than you")
	}
	if err := noBots(others, "bots are not in direct conversations: add the bot to a channel instead"); err != nil { // bots.go
		return protocol.RoomEvent{}, err
	}
	if len(others)+1 > protocol.MaxDirectMembers {
		return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "a direct conversation has at most %d people, you included", protocol.MaxDirectMembers)
	}
	if r.Encrypted && len(others)+1 > s.e2eeMaxMembers() {
		return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "an end-to-end encrypted conversation has at most %d people, you included", s.e2eeMaxMembers())
	}
	profiles, err := s.requireProfiles(ctx, others)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	memberIDs := append(slices.Clone(others), c.UserID)
	slices.Sort(memberIDs)
	id := directRoomID(memberIDs)
	if r.Encrypted {
		id = encryptedDirectRoomID(memberIDs) // e2ee_rooms.go
	}

	if ev, found, err := s.existingDirect(ctx, c, id); found || err != nil {
		return ev, err
	}
	// The room does not exist yet: creating it is a workspace action.
	if err := chat.Authorize(chat.ActOpenDirect, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.RoomEvent{}, err
	}
	// And the others' privacy: who may start one with them, and blocks.
	if err := s.checkDirect(ctx, c, others, profiles); err != nil {
		return protocol.RoomEvent{}, err
	}
	now := s.clock()
	room := chat.Room{
		ID: id, Kind: chat.KindDirect, CreatedBy: c.UserID, CreatedAt: now,
		MemberCount: len(memberIDs), MemberIDs: memberIDs,
		// Encrypted for good; it has no key until a member shares epoch 1.
		Encrypted: r.Encrypted,
	}
	members := make([]chat.Member, len(memberIDs))
	for i, uid := range memberIDs {
		members[i] = chat.Member{RoomID: id, UserID: uid, Role: chat.RoleMember, JoinedAt: now}
	}
	err = s.store.CreateRoom(ctx, room, members)
	if chat.ErrorCode(err) == chat.Conflict {
		ev, found, err := s.existingDirect(ctx, c, id)
		if err == nil && !found {
			err = chat.Errorf(chat.Internal, "direct conversation %s exists but cannot be read", id)
		}
		return ev, err
	}
	if err != nil {
		return protocol.RoomEvent{}, storeErr(err, "create direct conversation")
	}
	// Index every member's connections, then publish: the RoomCreated push
	// sends roomAdded to the room's connections (but the caller's). If an
	// index fails, the members indexed so far still hear of the room.
	var indexErr error
	for _, m := range members {
		if _, indexErr = s.indexMember(ctx, id, m.UserID); indexErr != nil {
			break
		}
	}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	events := []chat.Event{chat.RoomCreated{Actor: actor, Room: room}}
	for _, m := range members {
		events = append(events, chat.MemberJoined{Actor: actor, Member: m, WithRoom: true})
	}
	s.publish(ctx, events...)
	if indexErr != nil {
		return protocol.RoomEvent{}, indexErr
	}
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: protocol.RoomState{Room: room}}, nil
}

// existingDirect answers the direct room id if it exists and the caller is
// in it (always so for a derived id, checked anyway), repairing the
// caller's connection index like a rejoin.
func (s *Chat) existingDirect(ctx context.Context, c chat.Connection, id string) (protocol.RoomEvent, bool, error) {
	room, err := s.store.GetRoom(ctx, id)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.RoomEvent{}, false, nil
	}
	if err != nil {
		return protocol.RoomEvent{}, false, storeErr(err, "get direct conversation")
	}
	acc := chat.Access{Groups: c.Groups, Room: room}
	m, err := s.store.GetMember(ctx, id, c.UserID)
	switch {
	case err == nil:
		acc.Role = m.Role
	case chat.ErrorCode(err) != chat.NotFound:
		return protocol.RoomEvent{}, false, storeErr(err, "get membership")
	}
	if err := chat.Authorize(chat.ActOpenDirect, acc); err != nil {
		return protocol.RoomEvent{}, false, err
	}
	ev, err := s.rejoin(ctx, room, m, c.UserID)
	return ev, true, err
}
