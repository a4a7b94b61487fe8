package service

import (
	"context"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Authorization: every use case asks the access policy (chat.Authorize);
// this file only loads what the policy reads. A non-member asking about a
// private channel or a direct room gets NotFound, exactly as for a room
// that does not exist, so ids cannot be probed; a public channel's
// non-member gets Forbidden with a hint to join (the policy's answers).

// roomAccess is what authorize loaded: the room (only its ID when the
// policy did not need it and the caller did not ask for it) and the
// caller's membership (nil when not a member).
type roomAccess struct {
	room   chat.Room
	member *chat.Member
	// now is when the access was checked: a mute that ended before it
	// does not count.
	now time.Time
	// What a prepare step of authorizeWith loaded for the policy.
	target    *chat.Member // the member a moderation action is about
	banned    bool         // the caller is banned from the room
	invited   bool         // the caller holds an invitation to the room
	lastOwner bool         // the caller is the room's only owner
	// directGone: the room is direct and every other member deleted their
	// account (chat.DirectGone; read only for a write, directreadonly.go).
	directGone int
	// support: the caller's place in a support room's team (read for
	// support rooms only, support.go).
	support chat.SupportAccess
}

// access builds the policy's input for c in the room.
func (ra roomAccess) access(c chat.Connection) chat.Access {
	acc := chat.Access{Groups: c.Groups, Room: ra.room, Banned: ra.banned, LastOwner: ra.lastOwner, Invited: ra.invited, DirectGone: ra.directGone,
		UserID: c.UserID, Support: ra.support}
	if ra.member != nil {
		acc.Role = ra.member.Role
		if ra.member.MutedAt(ra.now) {
			acc.MutedUntil = ra.member.MutedUntil
		}
	}
	if ra.target != nil {
		acc.Target = ra.target.Role
	}
	return acc
}

// authorize asks the policy whether c may do action in roomID. It reads
// the caller's membership, and the room when the caller is not a member,
// when the policy's answer depends on the room (chat.RoomKindMatters) or
// when needRoom. Cost: one GetItem for a member of a room whose kind does
// not matter, two otherwise.
func (s *Chat) authorize(ctx context.Context, c chat.Connection, action chat.Action, roomID string, needRoom bool) (roomAccess, error) {
	return s.authorizeWith(ctx, c, action, roomID, needRoom, nil)
}

// authorizeWith is authorize with a prepare step that loads more of what
// the policy reads (a ban, the target's membership, the owners) into ra
// before the policy is asked.
func (s *Chat) authorizeWith(ctx context.Context, c chat.Connection, action chat.Action, roomID string, needRoom bool, prepare func(*roomAccess) error) (roomAccess, error) {
	if err := checkRoomID(roomID); err != nil {
		return roomAccess{}, err
	}
	ra := roomAccess{room: chat.Room{ID: roomID}, now: s.clock()}
	// When the answer needs the room whatever the membership (a write
	// checks that the channel is not archived), both reads go out at once:
	// one round trip on the send path, not two.
	var (
		room    chat.Room
		roomErr error
		// A visitor's every room action reads the room: the policy lets it
		// act only in the support room whose visitor it is.
		roomRead = needRoom || chat.RoomKindMatters(action) || c.IsVisitor()
		wg       sync.WaitGroup
	)
	if roomRead {
		wg.Go(func() { room, roomErr = s.store.GetRoom(ctx, roomID) })
	}
	m, err := s.store.GetMember(ctx, roomID, c.UserID)
	wg.Wait()
	switch {
	case err == nil:
		ra.member = &m
	case chat.ErrorCode(err) != chat.NotFound:
		return roomAccess{}, storeErr(err, "get membership")
	}
	if ra.member == nil && !roomRead {
		room, roomErr = s.store.GetRoom(ctx, roomID)
		roomRead = true
	}
	if roomRead {
		if roomErr != nil {
			return roomAccess{}, roomLookupErr(roomErr)
		}
		ra.room = room
		if ra.directGone, err = s.directGone(ctx, c, action, room); err != nil { // directreadonly.go
			return roomAccess{}, err
		}
		if room.Kind == chat.KindSupport && room.Support != nil && !c.IsVisitor() && !c.IsBot() {
			if ra.support, err = s.supportAccessFor(ctx, c.UserID, room.Support.TeamID); err != nil { // support.go
				return roomAccess{}, err
			}
		}
	}
	if prepare != nil {
		if err := prepare(&ra); err != nil {
			return roomAccess{}, err
		}
	}
	if err := chat.Authorize(action, ra.access(c)); err != nil {
		return roomAccess{}, err
	}
	return ra, nil
}

// authorizeMessage asks the policy again once a message action has loaded
// its message: whether the caller may act on msg.
func authorizeMessage(c chat.Connection, action chat.Action, ra roomAccess, msg chat.Message) error {
	acc := ra.access(c)
	acc.Author = chat.AuthorOther
	if msg.SenderID == c.UserID {
		acc.Author = chat.AuthorSelf
	}
	return chat.Authorize(action, acc)
}

func roomLookupErr(err error) error {
	if chat.ErrorCode(err) == chat.NotFound {
		return errRoomNotFound()
	}
	return storeErr(err, "get room")
}

func errRoomNotFound() error { return chat.ErrRoomNotFound() }
