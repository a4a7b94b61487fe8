package service

import (
	"context"
	"fmt"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// CreateChannel creates a public or private channel with the caller as its
// owner and only member. Names are unique across public and private
// channels (the store claims them atomically); "general" is reserved for
// #general even before it exists.
func (s *Chat) CreateChannel(ctx context.Context, c chat.Connection, r protocol.CreateChannelRequest) (protocol.RoomEvent, error) {
	name, err := channelName(r.Name)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	if name == chat.GeneralRoomID {
		return protocol.RoomEvent{}, errGeneralTaken()
	}
	topic, err := channelTopic(r.Topic)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	if err := chat.Authorize(chat.ActCreateChannel, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.RoomEvent{}, err
	}
	kind := chat.KindPublic
	if r.Private {
		kind = chat.KindPrivate
	}
	if r.Encrypted && !r.Private {
		return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "only a private channel can be end-to-end encrypted: set private too")
	}
	now := s.clock()
	room := chat.Room{
		ID: newChannelID(), Kind: kind, Name: name, Topic: topic,
		CreatedBy: c.UserID, CreatedAt: now, MemberCount: 1,
		Encrypted: r.Encrypted, // for good (e2ee_rooms.go)
	}
	owner := chat.Member{RoomID: room.ID, UserID: c.UserID, Role: chat.RoleOwner, JoinedAt: now}
	if err := s.store.CreateRoom(ctx, room, []chat.Member{owner}); err != nil {
		return protocol.RoomEvent{}, channelNameErr(err, &name, "create channel")
	}
	if _, err := s.indexMember(ctx, room.ID, c.UserID); err != nil {
		// The channel exists; a retry would create a second one. The caller's
		// connections pick the room up on their next reconnect.
		s.log.WarnContext(ctx, "index creator connections", "roomId", room.ID, "error", err)
	}
	// The RoomCreated push sends roomAdded to the creator's other
	// connections (the room's index holds only theirs).
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	s.publish(ctx, chat.RoomCreated{Actor: actor, Room: room}, chat.MemberJoined{Actor: actor, Member: owner, WithRoom: true})
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: protocol.RoomState{Room: room}}, nil
}

// ListChannels pages through the public channels by name. Private channels
// and direct rooms never appear here; a member finds them in its state.
func (s *Chat) ListChannels(ctx context.Context, c chat.Connection, r protocol.ListChannelsRequest) (protocol.ChannelsEvent, error) {
	if len(r.Cursor) > maxCursorLen {
		return protocol.ChannelsEvent{}, chat.Errorf(chat.Invalid, "cursor is malformed")
	}
	if err := chat.Authorize(chat.ActListChannels, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ChannelsEvent{}, err
	}
	if r.Query != "" {
		return s.searchChannels(ctx, r.Query)
	}
	rooms, next, err := s.store.ListPublicRooms(ctx, r.Cursor, channelsPageSize)
	if err != nil {
		return protocol.ChannelsEvent{}, storeErr(err, "list channels")
	}
	out := make([]chat.Room, 0, len(rooms))
	for _, room := range rooms {
		if room.Kind == chat.KindPublic { // defence in depth: never leak others
			out = append(out, room)
		}
	}
	return protocol.ChannelsEvent{Head: protocol.Head{Type: protocol.EventChannels}, Rooms: out, Cursor: next}, nil
}

// searchChannels answers ListChannels with a query: the public channels
// whose name and topic words match every query word (search.NameWords),
// by name, at most channelsPageSize. It reads the public-channel index
// (the PUBLIC partition of gsi1) in pages of channelsScanPage, at most
// channelScanLimit channels: a workspace's public channels are few, and a
// channel item is about 300 bytes, so 1,000 channels are about 37 read
// units (eventually consistent). docs/ARCHITECTURE.md has the trade-off.
func (s *Chat) searchChannels(ctx context.Context, q string) (protocol.ChannelsEvent, error) {
	ev := protocol.ChannelsEvent{Head: protocol.Head{Type: protocol.EventChannels}, Rooms: []chat.Room{}}
	words, _, err := nameQuery(q)
	if err != nil || len(words) == 0 {
		return ev, err
	}
	cursor := ""
	for read := 0; read < channelScanLimit; {
		rooms, next, err := s.store.ListPublicRooms(ctx, cursor, channelsScanPage)
		if err != nil {
			return protocol.ChannelsEvent{}, storeErr(err, "search channels")
		}
		read += len(rooms)
		for _, room := range rooms {
			if room.Kind == chat.KindPublic && search.MatchNameQuery(words, search.NameWords(room.Name, room.Topic)) {
				ev.Rooms = append(ev.Rooms, room)
				if len(ev.Rooms) == channelsPageSize {
					return ev, nil
				}
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return ev, nil
}

// JoinChannel makes the caller a member of a public channel. Joining a
// channel one is in already answers the room again. Private channels are
// joined by invitation only (a non-member gets NotFound, as for a room that
// does not exist).
func (s *Chat) JoinChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error) {
	ra, err := s.authorizeWith(ctx, c, chat.ActJoinChannel, r.RoomID, true, func(ra *roomAccess) error {
		if ra.member != nil {
			return nil
		}
		return s.loadBan(ctx, ra, c.UserID)
	})
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	room := ra.room
	if ra.member != nil {
		return s.rejoin(ctx, room, *ra.member, c.UserID)
	}
	return s.joinAsMember(ctx, c, room, "join channel", nil)
}

// rejoin answers a join by a member: no broadcast, but the connection index
// is repaired in case an earlier join failed half-way.
func (s *Chat) rejoin(ctx context.Context, room chat.Room, m chat.Member, userID string) (protocol.RoomEvent, error) {
	if _, err := s.indexMember(ctx, room.ID, userID); err != nil {
		return protocol.RoomEvent{}, err
	}
	st, err := s.roomState(ctx, room, m, userID, s.blockedBy(ctx, userID))
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: st}, nil
}

// LeaveChannel removes the caller from a channel. Nobody leaves #general or
// a direct conversation.
func (s *Chat) LeaveChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomRemovedEvent, error) {
	ra, err := s.authorizeWith(ctx, c, chat.ActLeaveChannel, r.RoomID, true, func(ra *roomAccess) error {
		if ra.member == nil || ra.member.Role != chat.RoleOwner {
			return nil
		}
		n, err := s.owners(ctx, r.RoomID)
		ra.lastOwner = n <= 1
		return err
	})
	if err != nil {
		return protocol.RoomRemovedEvent{}, err
	}
	room := ra.room
	ev := protocol.RoomRemovedEvent{Head: protocol.Head{Type: protocol.EventRoomRemoved}, RoomID: room.ID}
	err = s.store.RemoveMember(ctx, room.ID, c.UserID)
	if chat.ErrorCode(err) == chat.NotFound {
		return ev, nil // a concurrent leave won and announced it
	}
	if err != nil {
		return protocol.RoomRemovedEvent{}, storeErr(err, "leave channel")
	}
	conns, err := s.store.UserConnections(ctx, c.UserID)
	if err != nil {
		return protocol.RoomRemovedEvent{}, storeErr(err, "list connections")
	}
	if len(conns) > 0 {
		if err := s.store.RemoveRoomConnections(ctx, room.ID, conns); err != nil {
			return protocol.RoomRemovedEvent{}, storeErr(err, "unindex room connections")
		}
	}
	s.publish(ctx, chat.MemberLeft{
		Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, RoomID: room.ID, UserID: c.UserID, At: s.clock(),
	})
	if room.Encrypted { // who left reads nothing new (e2ee_rotate.go)
		s.rotateAfterMemberChange(ctx, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, room)
	}
	s.systemLine(ctx, room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: chat.SystemLeft, UserIDs: []string{c.UserID}})
	// The caller's own room list changed: a direct push, not an event.
	s.push.send(ctx, without(conns, c.ID), ev)
	return ev, nil
}

// UpdateChannel renames a channel or changes its topic: its owners and
// moderators and workspace admins may (audited, and noted in the
// timeline). #general keeps its name; direct rooms have none.
func (s *Chat) UpdateChannel(ctx context.Context, c chat.Connection, r protocol.UpdateChannelRequest) (protocol.RoomEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActUpdateChannel, r.RoomID, true)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	room := ra.room
	old := room
	if r.Name == nil && r.Topic == nil && r.Private == nil && r.MembersCanPin == nil {
		return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "nothing to update: give name, topic, private or membersCanPin")
	}
	kind := room.Kind
	if r.Private != nil && room.Kind != chat.KindDirect {
		kind = chat.KindPublic
		if *r.Private {
			kind = chat.KindPrivate
		}
		if kind != room.Kind && room.Encrypted {
			return protocol.RoomEvent{}, chat.Errorf(chat.Invalid, "an end-to-end encrypted channel stays private: it cannot be made public")
		}
		if kind != room.Kind {
			if err := chat.Authorize(chat.ActChangeKind, ra.access(c)); err != nil {
				return protocol.RoomEvent{}, err
			}
		}
	}
	var name, topic *string
	if r.Name != nil {
		n, err := channelName(*r.Name)
		if err != nil {
			return protocol.RoomEvent{}, err
		}
		if n != room.Name {
			if err := chat.Authorize(chat.ActRenameChannel, ra.access(c)); err != nil {
				return protocol.RoomEvent{}, err
			}
		}
		if room.ID != chat.GeneralRoomID && n == chat.GeneralRoomID {
			return protocol.RoomEvent{}, errGeneralTaken()
		}
		name = &n
	}
	if r.Topic != nil {
		t, err := channelTopic(*r.Topic)
		if err != nil {
			return protocol.RoomEvent{}, err
		}
		topic = &t
	}
	if name != nil || topic != nil {
		room, err = s.store.UpdateRoom(ctx, room.ID, name, topic)
		if err != nil {
			return protocol.RoomEvent{}, channelNameErr(err, name, "update channel")
		}
	}
	if kind != room.Kind {
		if room, err = s.store.SetKind(ctx, room.ID, kind); err != nil {
			return protocol.RoomEvent{}, storeErr(err, "change channel kind")
		}
	}
	if r.MembersCanPin != nil && *r.MembersCanPin != room.MembersCanPin {
		if room, err = s.store.SetMembersCanPin(ctx, room.ID, *r.MembersCanPin); err != nil {
			return protocol.RoomEvent{}, storeErr(err, "change pin setting")
		}
		s.audit(ctx, c, chat.ActUpdateChannel, room.ID, "", 0, "", fmt.Sprintf("membersCanPin: %v", room.MembersCanPin))
	}
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	s.publish(ctx, chat.RoomUpdated{Actor: actor, Room: room})
	if room.Name != old.Name {
		s.systemLine(ctx, room.ID, actor, chat.SystemLine{Kind: chat.SystemRenamed, Name: room.Name})
		s.audit(ctx, c, chat.ActRenameChannel, room.ID, "", 0, "", old.Name+" -> "+room.Name)
	}
	if room.Kind != old.Kind {
		s.systemLine(ctx, room.ID, actor, chat.SystemLine{Kind: chat.SystemKindChange, RoomKind: room.Kind})
		s.audit(ctx, c, chat.ActChangeKind, room.ID, "", 0, "", string(old.Kind)+" -> "+string(room.Kind))
	}
	if room.Topic != old.Topic {
		s.systemLine(ctx, room.ID, actor, chat.SystemLine{Kind: chat.SystemTopic, Topic: room.Topic})
		s.audit(ctx, c, chat.ActUpdateChannel, room.ID, "", 0, "", "topic: "+room.Topic)
	}
	st := protocol.RoomState{Room: room}
	if ra.member != nil {
		st.ReadSeq, st.Role = ra.member.ReadSeq, ra.member.Role
	}
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: st}, nil
}

// loadBan tells the policy whether userID is banned from ra's room.
func (s *Chat) loadBan(ctx context.Context, ra *roomAccess, userID string) error {
	_, err := s.store.GetBan(ctx, ra.room.ID, userID)
	switch chat.ErrorCode(err) {
	case "":
		ra.banned = true
	case chat.NotFound:
	default:
		return storeErr(err, "get ban")
	}
	return nil
}

// joinAsMember makes the caller a member of room (joining a public channel,
// accepting an invitation): the membership at the room's last seq, then
// added (if any) once it is stored, the welcome (roomAdded, memberJoined)
// and the joined line. A membership that exists already, or appears
// concurrently, rejoins instead; op names the store error.
func (s *Chat) joinAsMember(ctx context.Context, c chat.Connection, room chat.Room, op string, added func()) (protocol.RoomEvent, error) {
	m := chat.Member{RoomID: room.ID, UserID: c.UserID, Role: chat.RoleMember, JoinedAt: s.clock(), ReadSeq: room.LastSeq}
	if room.Encrypted {
		// The join rotates the key: the newcomer holds keys from the next
		// epoch on, never an older one (ShareRoomKeys, GetRoomKeys).
		m.KeyEpochFrom = room.KeyEpoch + 1
	}
	switch err := s.store.AddMember(ctx, m); chat.ErrorCode(err) {
	case "":
	case chat.Conflict: // a concurrent join or accept won
		m, err := s.store.GetMember(ctx, room.ID, c.UserID)
		if err != nil {
			return protocol.RoomEvent{}, storeErr(err, "get membership")
		}
		return s.rejoin(ctx, room, m, c.UserID)
	case chat.NotFound:
		return protocol.RoomEvent{}, errRoomNotFound()
	default:
		return protocol.RoomEvent{}, storeErr(err, op)
	}
	if added != nil {
		added()
	}
	room.MemberCount++
	actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
	if room.Encrypted { // a newcomer reads from their join on (e2ee_rotate.go)
		s.rotateAfterMemberChange(ctx, actor, room)
		room.RotateKey = true
	}
	if err := s.welcome(ctx, room, m, s.profileOrStub(ctx, c.UserID), actor); err != nil {
		return protocol.RoomEvent{}, err
	}
	s.systemLine(ctx, room.ID, actor, chat.SystemLine{Kind: chat.SystemJoined, UserIDs: []string{c.UserID}})
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: protocol.RoomState{Room: room, ReadSeq: m.ReadSeq, Role: m.Role}}, nil
}
