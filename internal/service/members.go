package service

import (
	"context"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// InviteToChannel adds users to a public channel the caller is a member
// of, or invites them to a private one (only its owners, moderators and
// admins may): each invitee gets an invitation to accept or decline
// (invites.go). Banned users are refused. Users who are members
// already are skipped; unknown users fail the whole request before anyone
// is added. It answers the room's member list.
func (s *Chat) InviteToChannel(ctx context.Context, c chat.Connection, r protocol.InviteRequest) (protocol.MembersEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActInviteToChannel, r.RoomID, true)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	room := ra.room
	ids, err := uniqueUserIDs(r.UserIDs, c.UserID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if len(ids) == 0 {
		return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "userIds must name someone other than you")
	}
	if err := noBots(ids, "bots join only by addBotToRoom, from the channel's owners and workspace admins"); err != nil { // bots.go
		return protocol.MembersEvent{}, err
	}
	if len(ids) > maxInvitees {
		return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "too many users: invite at most %d at a time", maxInvitees)
	}
	profiles, err := s.requireProfiles(ctx, ids)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	for _, id := range ids {
		switch _, err := s.store.GetBan(ctx, room.ID, id); chat.ErrorCode(err) {
		case "":
			name := profiles[id].DisplayName
			if name == "" {
				name = id
			}
			return protocol.MembersEvent{}, chat.Errorf(chat.Forbidden, "%s is banned from #%s: unban them first", name, room.Name)
		case chat.NotFound:
		default:
			return protocol.MembersEvent{}, storeErr(err, "get ban")
		}
	}
	// Invitees who blocked the caller are skipped silently (issue #15):
	// the caller is not told.
	if ids, err = s.deliverable(ctx, c.UserID, ids); err != nil {
		return protocol.MembersEvent{}, err
	}
	if len(ids) == 0 {
		return s.membersEvent(ctx, room.ID, c.UserID)
	}
	if err := s.encryptedMemberCap(room, room.MemberCount+len(ids)); err != nil { // e2ee_rooms.go
		return protocol.MembersEvent{}, err
	}
	if room.Kind == chat.KindPrivate {
		// Invitations, accepted or declined by each invitee.
		if err := s.invitePending(ctx, c, room, ids); err != nil {
			return protocol.MembersEvent{}, err
		}
		s.audit(ctx, c, chat.ActInviteToChannel, room.ID, strings.Join(ids, ","), 0, "", "")
		return s.membersEvent(ctx, room.ID, c.UserID)
	}
	now := s.clock()
	var added []chat.Member
	for _, id := range ids {
		m := chat.Member{RoomID: room.ID, UserID: id, Role: chat.RoleMember, JoinedAt: now, ReadSeq: room.LastSeq}
		switch err := s.store.AddMember(ctx, m); chat.ErrorCode(err) {
		case "":
			added = append(added, m)
		case chat.Conflict: // already a member
		default:
			return protocol.MembersEvent{}, storeErr(err, "add member")
		}
	}
	room.MemberCount += len(added)
	for _, m := range added {
		if err := s.welcome(ctx, room, m, profiles[m.UserID], chat.Actor{UserID: c.UserID, ConnectionID: c.ID}); err != nil {
			return protocol.MembersEvent{}, err
		}
	}
	if len(added) > 0 {
		line := chat.SystemLine{Kind: chat.SystemInvited}
		var names []string
		for _, m := range added {
			line.UserIDs = append(line.UserIDs, m.UserID)
			names = append(names, profiles[m.UserID].DisplayName)
		}
		s.systemLine(ctx, room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, line, names...)
	}
	return s.membersEvent(ctx, room.ID, c.UserID)
}

// ListMembers lists a room's members, for its members only.
func (s *Chat) ListMembers(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.MembersEvent, error) {
	if _, err := s.authorize(ctx, c, chat.ActListMembers, r.RoomID, false); err != nil {
		return protocol.MembersEvent{}, err
	}
	return s.membersEvent(ctx, r.RoomID, c.UserID)
}

// requireProfiles reads the profiles of ids, NotFound naming the first
// user that does not exist.
func (s *Chat) requireProfiles(ctx context.Context, ids []string) (map[string]chat.Profile, error) {
	ps, err := s.profilesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]chat.Profile, len(ps))
	for _, p := range ps {
		byID[p.UserID] = p
	}
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			return nil, chat.Errorf(chat.NotFound, "user %s not found", id)
		}
	}
	return byID, nil
}
