package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// indexMember adds the user's live connections to the room's connection
// index (the fan-out query), so a new member hears the room at once
// instead of after reconnecting, and returns those connections.
//
// A connection opened while this runs may miss the room until its next
// reconnect: Connect read the memberships before the join, and this read
// the connections before the Connect stored its own.
func (s *Chat) indexMember(ctx context.Context, roomID, userID string) ([]string, error) {
	conns, err := s.store.UserConnections(ctx, userID)
	if err != nil {
		return nil, storeErr(err, "list connections")
	}
	if len(conns) == 0 {
		return nil, nil
	}
	if err := s.store.AddRoomConnections(ctx, roomID, userID, conns); err != nil {
		return nil, storeErr(err, "index room connections")
	}
	return conns, nil
}

// welcome indexes a new member's connections, sends them roomAdded (but
// not on the actor's connection, which gets the reply; a direct push: the
// member's own room list changed) and publishes MemberJoined.
func (s *Chat) welcome(ctx context.Context, room chat.Room, m chat.Member, p chat.Profile, actor chat.Actor) error {
	conns, err := s.indexMember(ctx, room.ID, m.UserID)
	if err != nil {
		return err
	}
	s.push.send(ctx, without(conns, actor.ConnectionID), protocol.RoomEvent{
		Head: protocol.Head{Type: protocol.EventRoomAdded},
		Room: protocol.RoomState{Room: room, ReadSeq: m.ReadSeq},
	})
	p.Online = len(conns) > 0
	p = chat.PresenceSeenBy(p, "") // the room hears of it
	s.publish(ctx, chat.MemberJoined{Actor: actor, Member: m, Profile: p})
	return nil
}

// profileOrStub returns the user's profile, or one with only the id when it
// cannot be read: events about a user should not fail on their profile.
func (s *Chat) profileOrStub(ctx context.Context, userID string) chat.Profile {
	p, err := s.store.GetProfile(ctx, userID)
	if err != nil {
		s.log.DebugContext(ctx, "profile unavailable", slog.String("userId", userID), slog.Any("error", err))
		return chat.Profile{UserID: userID}
	}
	return p
}

// membersEvent lists a room's members with their profiles and presence.
//
// Cost: one ListMembers Query, one RoomConnections Query and one
// BatchGetItem per 100 members.
//
// As viewerID sees them (issue #15): presence hidden for those who appear
// offline, read positions (readSeq 0) for those who hide receipts, and for
// everyone but the viewer when the viewer hides theirs.
func (s *Chat) membersEvent(ctx context.Context, roomID, viewerID string) (protocol.MembersEvent, error) {
	now := s.clock()
	ms, err := s.store.ListMembers(ctx, roomID)
	if err != nil {
		return protocol.MembersEvent{}, storeErr(err, "list members")
	}
	rcs, err := s.store.RoomConnections(ctx, roomID)
	if err != nil {
		return protocol.MembersEvent{}, storeErr(err, "room connections")
	}
	online := map[string]bool{}
	for _, rc := range rcs {
		online[rc.UserID] = true
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	ps, err := s.profilesOf(ctx, ids)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	byID := make(map[string]chat.Profile, len(ps))
	for _, p := range ps {
		byID[p.UserID] = p
	}
	ev := protocol.MembersEvent{Head: protocol.Head{Type: protocol.EventMembers}, RoomID: roomID, Members: []protocol.MemberInfo{}}
	for _, m := range ms {
		p, ok := byID[m.UserID]
		if !ok {
			p = chat.Profile{UserID: m.UserID}
		}
		p.Online = online[m.UserID]
		p = chat.PresenceSeenBy(p, viewerID)
		info := protocol.MemberInfo{Profile: p, Role: m.Role, ReadSeq: m.ReadSeq}
		if !chat.ReceiptVisible(m.UserID, p.HideReceipts, viewerID, byID[viewerID].HideReceipts) {
			info.ReadSeq = 0
		}
		if m.MutedAt(now) {
			info.MutedUntil = m.MutedUntil
		}
		ev.Members = append(ev.Members, info)
	}
	return ev, nil
}
