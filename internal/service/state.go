package service

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// maxStateUsers caps the co-members a state event carries; clients fetch
// the rest with listMembers. Direct-room partners and online users first.
const maxStateUsers = 500

// GetState answers what a client needs after (re)connecting: its profile,
// its rooms with read positions and unread counts, and the people it shares
// rooms with, with presence.
//
// Presence of Users comes from the rooms' connection indexes (a user with
// a live connection is in the index of each of their rooms), which saves a
// UserConnections query per user.
//
// Cost: per room one GetRoom, one RoomConnections and one ListMembers
// Query, plus one MessagesAfter Query when the room has unread messages;
// run storeConcurrency at a time; one GetItem of the last open room and
// one of the preferences.
func (s *Chat) GetState(ctx context.Context, c chat.Connection) (protocol.StateEvent, error) {
	if err := chat.Authorize(chat.ActGetState, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.StateEvent{}, err
	}
	me, err := s.ensureProfile(ctx, c.Identity)
	if err != nil {
		return protocol.StateEvent{}, err
	}
	me.Online = true
	if c.IsVisitor() {
		return s.visitorState(ctx, c, me) // support_state.go
	}
	terms, err := s.termsState(ctx, c.UserID)
	if err != nil {
		return protocol.StateEvent{}, err
	}
	if terms != nil && terms.Required {
		return s.gatedState(ctx, c, me, terms)
	}
	// The preferences first: their block list leaves blocked people's
	// messages out of the unread counts (unread.go).
	prefs, err := s.preferencesOf(ctx, c.UserID)
	if err != nil {
		return protocol.StateEvent{}, err
	}
	memberships, err := s.store.UserRooms(ctx, c.UserID)
	if err != nil {
		return protocol.StateEvent{}, storeErr(err, "list rooms")
	}
	var (
		mu       sync.Mutex
		states   = make([]*protocol.RoomState, len(memberships))
		online   = map[string]bool{}
		priority = map[string]bool{} // direct partners
		others   = map[string]bool{}
	)
	err = forEach(len(memberships), func(i int) error {
		m := memberships[i]
		room, err := s.store.GetRoom(ctx, m.RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			return nil // a membership outliving its room: nothing to show
		}
		if err != nil {
			return storeErr(err, "get room")
		}
		if room.Kind == chat.KindSupport {
			return nil // the support inbox shows them (issue 17), not the team chat's lists
		}
		st, err := s.roomState(ctx, room, m, c.UserID, prefs.Blocked)
		if err != nil {
			return err
		}
		rcs, err := s.store.RoomConnections(ctx, room.ID)
		if err != nil {
			return storeErr(err, "room connections")
		}
		ms, err := s.store.ListMembers(ctx, room.ID)
		if err != nil {
			return storeErr(err, "list members")
		}
		mu.Lock()
		defer mu.Unlock()
		states[i] = &st
		for _, rc := range rcs {
			online[rc.UserID] = true
		}
		for _, om := range ms {
			if om.UserID == c.UserID {
				continue
			}
			if room.Kind == chat.KindDirect {
				priority[om.UserID] = true
			} else {
				others[om.UserID] = true
			}
		}
		if room.Kind == chat.KindDirect {
			// A deleted account left the room but stays in its memberIds:
			// its tombstone profile names it "Deleted user".
			for _, id := range room.MemberIDs {
				if id != c.UserID {
					priority[id] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return protocol.StateEvent{}, err
	}
	ev := protocol.StateEvent{
		Head: protocol.Head{Type: protocol.EventState}, ConnectionID: c.ID, Me: me,
		Rooms: []protocol.RoomState{}, Users: []chat.Profile{},
		Limits: s.limits(), Groups: c.Groups, Gifs: s.gifs != nil,
	}
	if s.gifs != nil {
		ev.GifProvider = s.gifs.Provider()
	}
	for _, st := range states {
		if st != nil {
			ev.Rooms = append(ev.Rooms, *st)
		}
	}
	if ev.Invites, err = s.myInvites(ctx, c.UserID); err != nil {
		return protocol.StateEvent{}, err
	}
	ev.LastRoomID, ev.LastRoomAt = s.lastRoom(ctx, c.UserID, ev.Rooms)
	ev.Preferences = prefs
	ev.Terms = terms
	ids := pickStateUsers(priority, others, online)
	users, err := s.profilesOf(ctx, ids)
	if err != nil {
		return protocol.StateEvent{}, err
	}
	for i := range users {
		users[i].Online = online[users[i].UserID]
		users[i] = chat.PresenceSeenBy(users[i], c.UserID)
	}
	ev.Users = users
	return ev, nil
}

// gatedState is getState while the caller has not accepted the current
// terms (getState is answered before acceptance, protocol.ActionSpec
// BeforeTerms): only what the terms dialog and the page around it need
// (the connection, the caller's own profile and groups, the limits, the
// preferences for language and theme, the terms), and nothing of the
// workspace (no rooms, people, invitations or last room: the gate's
// allow-list reads nothing else either). The client asks getState again
// once the acceptance is recorded.
func (s *Chat) gatedState(ctx context.Context, c chat.Connection, me chat.Profile, terms *protocol.TermsState) (protocol.StateEvent, error) {
	prefs, err := s.preferencesOf(ctx, c.UserID)
	if err != nil {
		return protocol.StateEvent{}, err
	}
	return protocol.StateEvent{
		Head: protocol.Head{Type: protocol.EventState}, ConnectionID: c.ID, Me: me,
		Rooms: []protocol.RoomState{}, Users: []chat.Profile{}, Invites: []protocol.InviteInfo{},
		Limits: s.limits(), Groups: c.Groups, Preferences: prefs, Terms: terms,
	}, nil
}

// pickStateUsers orders candidate ids (direct partners, then online, then
// the rest) and keeps at most maxStateUsers.
func pickStateUsers(priority, others, online map[string]bool) []string {
	var first, second, rest []string
	for id := range priority {
		first = append(first, id)
	}
	for id := range others {
		switch {
		case priority[id]:
		case online[id]:
			second = append(second, id)
		default:
			rest = append(rest, id)
		}
	}
	for _, l := range [][]string{first, second, rest} {
		slices.Sort(l)
	}
	ids := append(append(first, second...), rest...)
	if len(ids) > maxStateUsers {
		ids = ids[:maxStateUsers]
	}
	return ids
}

// roomState is a room as member m sees it: read position, unread count and
// unread mentions.
//
// blocked are the people userID blocked: their messages count neither as
// unread nor as mentions (the blocker's client counts the same way).
func (s *Chat) roomState(ctx context.Context, room chat.Room, m chat.Member, userID string, blocked []string) (protocol.RoomState, error) {
	st := protocol.RoomState{Room: room, ReadSeq: m.ReadSeq, Role: m.Role}
	if m.MutedAt(s.clock()) {
		st.MutedUntil = m.MutedUntil
	}
	if room.LastSeq <= m.ReadSeq {
		return st, nil
	}
	msgs, _, err := s.store.MessagesAfter(ctx, room.ID, m.ReadSeq, unreadCap)
	if err != nil {
		return st, storeErr(err, "count unread")
	}
	st.Unread, st.Mentions = countUnread(msgs, userID, blocked)
	return st, nil
}

// unreadCap is where unread counts stop ("99+" in the client).
const unreadCap = 100

// countUnread counts messages by others (not by userID nor by anyone in
// blocked) that are not deleted or system lines, and those of them that
// mention userID.
func countUnread(msgs []chat.Message, userID string, blocked []string) (unread, mentions int) {
	for _, msg := range msgs {
		if msg.SenderID == userID || msg.Deleted || msg.System != nil || slices.Contains(blocked, msg.SenderID) {
			continue
		}
		unread++
		if slices.Contains(msg.Mentions, userID) {
			mentions++
		}
	}
	return unread, mentions
}

// lastRoom is the room the user last had open on any device, if it is
// still one of rooms; a failed read is logged and answered with none (the
// client then falls back to what this browser remembers).
func (s *Chat) lastRoom(ctx context.Context, userID string, rooms []protocol.RoomState) (string, int64) {
	id, at, err := s.store.LastRoom(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "could not read the last open room", slog.String("userId", userID), slog.Any("error", err))
		return "", 0
	}
	if id != "" && slices.ContainsFunc(rooms, func(r protocol.RoomState) bool { return r.ID == id }) {
		return id, at.UnixMilli()
	}
	return "", 0
}
