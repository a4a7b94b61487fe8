package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// ensureProfile returns the user's profile, signing them up on first
// sign-in. #general is joined before the profile is written: the profile is
// the "signed up" marker, so a crash in between is repaired by the next
// connect instead of leaving a user outside #general forever.
func (s *Chat) ensureProfile(ctx context.Context, id chat.Identity) (chat.Profile, error) {
	p, err := s.store.GetProfile(ctx, id.UserID)
	if err == nil && id.IsVisitor() {
		return p, nil // no handle: nobody mentions or finds a visitor
	}
	if err == nil {
		return s.ensureHandle(ctx, p, id.Email), nil
	}
	if chat.ErrorCode(err) != chat.NotFound {
		return chat.Profile{}, storeErr(err, "get profile")
	}
	if id.IsBot() || chat.IsBotID(id.UserID) {
		// createBot made its profile; a bot without one was deleted.
		return chat.Profile{}, chat.Errorf(chat.Forbidden, "this bot has been deleted")
	}
	p = s.newProfile(id)
	if id.IsVisitor() {
		// A visitor (issue 17) joins no channel and gets no handle: it is
		// in its support rooms only.
		if !chat.IsVisitorID(id.UserID) {
			return chat.Profile{}, chat.Errorf(chat.Forbidden, "invalid visitor identity")
		}
		stored, _, err := s.store.EnsureProfile(ctx, p)
		if err != nil {
			return chat.Profile{}, storeErr(err, "create profile")
		}
		return stored, nil
	}
	if err := s.joinGeneral(ctx, p); err != nil {
		return chat.Profile{}, err
	}
	stored, _, err := s.store.EnsureProfile(ctx, p)
	if err != nil {
		return chat.Profile{}, storeErr(err, "create profile")
	}
	return s.ensureHandle(ctx, stored, id.Email), nil
}

// newProfile builds a first profile from the verified identity.
func (s *Chat) newProfile(id chat.Identity) chat.Profile {
	name := cleanName(id.DisplayName)
	if name == "" {
		name = cleanName(id.Username)
	}
	if name == "" {
		name = "user"
	}
	return chat.Profile{
		UserID:      id.UserID,
		Username:    id.Username,
		DisplayName: name,
		AvatarColor: avatarColor(id.UserID),
		CreatedAt:   s.clock(),
	}
}

// cleanName makes a token's name fit the display-name rules instead of
// refusing the sign-in.
func cleanName(raw string) string {
	name := strings.ToValidUTF8(raw, "")
	name = strings.Map(func(r rune) rune {
		if hasHidden(string(r)) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(norm.NFKC.String(name))
	for utf8.RuneCountInString(name) > protocol.MaxNameRunes {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return strings.TrimSpace(name)
}

// joinGeneral makes the user a member of #general, creating the channel
// when it does not exist yet. Joining twice is not an error.
func (s *Chat) joinGeneral(ctx context.Context, p chat.Profile) error {
	now := s.clock()
	general := chat.Room{
		ID: chat.GeneralRoomID, Kind: chat.KindPublic, Name: chat.GeneralRoomID,
		Topic: "Everyone, all together", CreatedBy: p.UserID, CreatedAt: now, MemberCount: 1,
	}
	member := chat.Member{RoomID: chat.GeneralRoomID, UserID: p.UserID, Role: chat.RoleMember, JoinedAt: now}
	actor := chat.Actor{UserID: p.UserID} // no connection yet
	err := s.store.CreateRoom(ctx, general, []chat.Member{member})
	if err == nil {
		s.publish(ctx, chat.RoomCreated{Actor: actor, Room: general}, chat.MemberJoined{Actor: actor, Member: member, WithRoom: true})
		return nil
	}
	if chat.ErrorCode(err) != chat.Conflict {
		return storeErr(err, "create #general")
	}
	room, err := s.store.GetRoom(ctx, chat.GeneralRoomID)
	if err != nil {
		return storeErr(err, "get #general")
	}
	// A newcomer starts with #general read, not with its whole history unread.
	member.ReadSeq = room.LastSeq
	err = s.store.AddMember(ctx, member)
	if chat.ErrorCode(err) == chat.Conflict {
		return nil
	}
	if err != nil {
		return storeErr(err, "join #general")
	}
	// The newcomer has no live connection yet: only the others hear of it.
	s.publish(ctx, chat.MemberJoined{Actor: actor, Member: member, Profile: p})
	return nil
}
