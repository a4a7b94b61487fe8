package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Invitations to private channels: inviting someone to a private channel
// leaves them an invitation (and an invited event) instead of making them
// a member; they accept (and join) or decline. Public channels, which
// anyone may join, take invitees in at once.

// invitePending leaves invitations to a private channel for ids (who are
// neither members nor banned: the caller checked) and tells each invitee.
func (s *Chat) invitePending(ctx context.Context, c chat.Connection, room chat.Room, ids []string) error {
	now := s.clock()
	for _, id := range ids {
		if _, err := s.store.GetMember(ctx, room.ID, id); err == nil {
			continue // a member already
		} else if chat.ErrorCode(err) != chat.NotFound {
			return storeErr(err, "get membership")
		}
		inv := chat.Invite{RoomID: room.ID, UserID: id, InvitedBy: c.UserID, InvitedAt: now}
		if err := s.store.PutInvite(ctx, inv); err != nil {
			return storeErr(err, "invite")
		}
		conns, err := s.store.UserConnections(ctx, id)
		if err != nil {
			return storeErr(err, "list connections")
		}
		s.push.send(ctx, conns, protocol.InvitedEvent{Head: protocol.Head{Type: protocol.EventInvited}, Invite: protocol.InviteInfo{Invite: inv, RoomName: room.Name}})
	}
	return nil
}

// authorizeInvite asks the policy about an invitation action, loading the
// caller's invitation and ban first.
func (s *Chat) authorizeInvite(ctx context.Context, c chat.Connection, action chat.Action, roomID string) (roomAccess, error) {
	return s.authorizeWith(ctx, c, action, roomID, true, func(ra *roomAccess) error {
		if ra.member != nil {
			return nil
		}
		switch _, err := s.store.GetInvite(ctx, roomID, c.UserID); chat.ErrorCode(err) {
		case "":
			ra.invited = true
		case chat.NotFound:
		default:
			return storeErr(err, "get invitation")
		}
		return s.loadBan(ctx, ra, c.UserID)
	})
}

// AcceptInvite makes the invitee a member of the private channel they were
// invited to: the room's members hear memberJoined and a joined line; the
// invitee's other connections get roomAdded.
func (s *Chat) AcceptInvite(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error) {
	ra, err := s.authorizeInvite(ctx, c, chat.ActAcceptInvite, r.RoomID)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	room := ra.room
	if ra.member != nil {
		_ = s.store.DeleteInvite(ctx, room.ID, c.UserID) // a stale one, if any
		return s.rejoin(ctx, room, *ra.member, c.UserID)
	}
	if err := s.encryptedMemberCap(room, room.MemberCount+1); err != nil { // e2ee_rooms.go
		return protocol.RoomEvent{}, err
	}
	return s.joinAsMember(ctx, c, room, "accept invitation", func() {
		if err := s.store.DeleteInvite(ctx, room.ID, c.UserID); err != nil && chat.ErrorCode(err) != chat.NotFound {
			s.log.WarnContext(ctx, "invitation not removed after accepting", "roomId", room.ID, "error", err)
		}
	})
}

// DeclineInvite drops an invitation; the reply lists those left.
func (s *Chat) DeclineInvite(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.InvitesEvent, error) {
	if _, err := s.authorizeInvite(ctx, c, chat.ActDeclineInvite, r.RoomID); err != nil {
		return protocol.InvitesEvent{}, err
	}
	if err := s.store.DeleteInvite(ctx, r.RoomID, c.UserID); err != nil && chat.ErrorCode(err) != chat.NotFound {
		return protocol.InvitesEvent{}, storeErr(err, "decline invitation")
	}
	invites, err := s.myInvites(ctx, c.UserID)
	if err != nil {
		return protocol.InvitesEvent{}, err
	}
	return protocol.InvitesEvent{Head: protocol.Head{Type: protocol.EventInvites}, Invites: invites}, nil
}

// myInvites lists a user's invitations with their rooms' names; those of
// rooms gone are left out.
func (s *Chat) myInvites(ctx context.Context, userID string) ([]protocol.InviteInfo, error) {
	invs, err := s.store.UserInvites(ctx, userID)
	if err != nil {
		return nil, storeErr(err, "list invitations")
	}
	out := []protocol.InviteInfo{}
	for _, inv := range invs {
		room, err := s.store.GetRoom(ctx, inv.RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			continue
		}
		if err != nil {
			return nil, storeErr(err, "get room")
		}
		out = append(out, protocol.InviteInfo{Invite: inv, RoomName: room.Name})
	}
	return out, nil
}
