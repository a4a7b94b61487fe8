package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The event flow: a use case stores its change, then describes what
// happened as domain events (chat.Event) and publishes them to its
// in-process subscribers (Chat.publish). The WebSocket push below is one
// subscriber: it maps each event to today's protocol event and recipients.
// Side effects that must not run inside a request (EventBridge, later
// search and notifications) are not subscribers: they consume the same
// events decoded from the table's DynamoDB stream (functions/stream).
//
// Ephemeral signals that are not domain events stay direct pushes through
// the same Push: typing, presence, read receipts, roomAdded/roomRemoved to
// the connections of the user whose room list changed, and member lists.
//
// Pushes never fail the caller's request: the action is done and stored by
// then, and clients catch up from history on resume. Failures are logged.

// publish hands events to every subscriber in order and returns the
// connections they were delivered to (the WebSocket push's count).
func (s *Chat) publish(ctx context.Context, events ...chat.Event) int {
	delivered := 0
	for _, ev := range events {
		for _, sub := range s.subscribers {
			delivered += sub.Notify(ctx, ev)
		}
	}
	return delivered
}

// PushStore is what the push reads: connection indexes, memberships and
// profiles.
type PushStore interface {
	RoomConnections(ctx context.Context, roomID string) ([]chat.RoomConnection, error)
	UserConnections(ctx context.Context, userID string) ([]string, error)
	UserRooms(ctx context.Context, userID string) ([]chat.Member, error)
	GetProfile(ctx context.Context, userID string) (chat.Profile, error)
}

// Push is the WebSocket push: the subscriber of domain events that tells
// the clients connected to the deployment, in the protocol's events. It
// skips the actor's connection (which gets the reply) and, for membership
// events, the member's own connections.
type Push struct {
	store  PushStore
	fanout chat.Fanout
	log    *slog.Logger
}

var _ chat.EventSubscriber = (*Push)(nil)

// NewPush builds the WebSocket push over a store and a fan-out.
func NewPush(store PushStore, fanout chat.Fanout, log *slog.Logger) *Push {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Push{store: store, fanout: fanout, log: log}
}

// Notify maps ev to its protocol event and recipients and fans it out:
//
//	MessageCreated  -> message        to the room, but the actor's connection
//	MessageEdited   -> messageUpdated to the room, but the actor's connection
//	MessageDeleted  -> messageUpdated to the room, but the actor's connection
//	MessageReacted  -> messageUpdated to the room, but the actor's connection
//	MessagePinned   -> messageUpdated to the room, but the actor's connection
//	PollChanged     -> messageUpdated to the room, but the actor's connection (the tally: no one's own choice)
//	ThreadUpdated   -> messageUpdated (the parent) to the room, but the actor's connection
//	MessagePreviewed -> messageUpdated to the room, but the actor's connection (the worker's: everyone)
//	MemberJoined    -> memberJoined   to the room, but the actor's connection and the member (none WithRoom)
//	MemberLeft      -> memberLeft     to the room, but the actor's connection and the member
//	MemberUpdated   -> memberUpdated  to the room (the member too), but the actor's connection
//	RoomCreated     -> roomAdded      to the room (its first members), but the actor's connection
//	RoomUpdated     -> roomUpdated    to the room, but the actor's connection
//	ProfileUpdated  -> userUpdated    to everyone sharing a room with the user and the user's other connections
func (p *Push) Notify(ctx context.Context, ev chat.Event) int {
	var res chat.FanoutResult
	switch e := ev.(type) {
	case chat.MessageCreated:
		res = p.toRoomFor(ctx, e.Message.RoomID, protocol.MessageEvent{
			Head: protocol.Head{Type: protocol.EventMessage}, Message: e.Message,
		}, e.Actor.ConnectionID, "", e.Message.Internal)
	case chat.MessageEdited:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.MessageDeleted:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.MessageReacted:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.MessagePinned:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.PollChanged:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.ThreadUpdated:
		res = p.messageUpdated(ctx, e.Actor, e.Parent, e.Chg)
	case chat.MessagePreviewed:
		res = p.messageUpdated(ctx, e.Actor, e.Message, e.Chg)
	case chat.MemberJoined:
		if e.WithRoom {
			return 0
		}
		prof := e.Profile
		if prof.UserID == "" {
			prof = p.profileOrStub(ctx, e.Member.UserID)
		}
		res = p.toRoom(ctx, e.Member.RoomID, protocol.MemberEvent{
			Head: protocol.Head{Type: protocol.EventMemberJoined}, RoomID: e.Member.RoomID, User: prof,
		}, e.Actor.ConnectionID, e.Member.UserID)
	case chat.MemberLeft:
		res = p.toRoom(ctx, e.RoomID, protocol.MemberEvent{
			Head: protocol.Head{Type: protocol.EventMemberLeft}, RoomID: e.RoomID, User: p.profileOrStub(ctx, e.UserID),
		}, e.Actor.ConnectionID, e.UserID)
	case chat.MemberUpdated:
		m := e.Member
		info := protocol.MemberInfo{Profile: p.profileOrStub(ctx, m.UserID), Role: m.Role, ReadSeq: m.ReadSeq, MutedUntil: m.MutedUntil}
		res = p.toRoom(ctx, m.RoomID, protocol.MemberUpdatedEvent{
			Head: protocol.Head{Type: protocol.EventMemberUpdated}, RoomID: m.RoomID, Member: info,
		}, e.Actor.ConnectionID, "")
	case chat.RoomCreated:
		res = p.toRoom(ctx, e.Room.ID, protocol.RoomEvent{
			Head: protocol.Head{Type: protocol.EventRoomAdded}, Room: protocol.RoomState{Room: e.Room},
		}, e.Actor.ConnectionID, "")
	case chat.RoomUpdated:
		// Room fields only: read positions differ per member, so clients
		// keep their own readSeq/unread on roomUpdated.
		res = p.toRoom(ctx, e.Room.ID, protocol.RoomEvent{
			Head: protocol.Head{Type: protocol.EventRoomUpdated}, Room: protocol.RoomState{Room: e.Room},
		}, e.Actor.ConnectionID, "")
	case chat.ProfileUpdated:
		res = p.profileUpdated(ctx, e)
	}
	return res.Delivered
}

// messageUpdated tells the room about a changed message, with the room's
// change number of the change.
func (p *Push) messageUpdated(ctx context.Context, actor chat.Actor, m chat.Message, chg int64) chat.FanoutResult {
	return p.toRoomFor(ctx, m.RoomID, protocol.MessageEvent{
		Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: m, Chg: chg,
	}, actor.ConnectionID, "", m.Internal)
}

// profileUpdated tells everyone sharing a room with the user, and the
// user's other connections.
func (p *Push) profileUpdated(ctx context.Context, e chat.ProfileUpdated) chat.FanoutResult {
	userID := e.Profile.UserID
	ms, err := p.store.UserRooms(ctx, userID)
	if err != nil {
		p.log.WarnContext(ctx, "profile broadcast skipped", "error", err)
		return chat.FanoutResult{}
	}
	roomIDs := make([]string, len(ms))
	for i, m := range ms {
		roomIDs[i] = m.RoomID
	}
	// Others see the person's presence as chat.PresenceSeenBy says (issue
	// #15); the person's own connections see it as it is.
	res := p.send(ctx, p.sharedAudience(ctx, userID, roomIDs), protocol.ProfileEvent{Head: protocol.Head{Type: protocol.EventUserUpdated}, Profile: chat.PresenceSeenBy(e.Profile, "")})
	if own, err := p.store.UserConnections(ctx, userID); err == nil {
		r := p.send(ctx, without(own, e.Actor.ConnectionID), protocol.ProfileEvent{Head: protocol.Head{Type: protocol.EventUserUpdated}, Profile: e.Profile})
		res.Recipients += r.Recipients
		res.Delivered += r.Delivered
		res.Gone += r.Gone
		res.Failed += r.Failed
		res.Queued += r.Queued
	}
	return res
}

// send marshals ev (a protocol event with its type set) and fans it out.
func (p *Push) send(ctx context.Context, connIDs []string, ev any) chat.FanoutResult {
	if len(connIDs) == 0 {
		return chat.FanoutResult{}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		p.log.ErrorContext(ctx, "marshal event", slog.Any("error", err))
		return chat.FanoutResult{Recipients: len(connIDs), Failed: len(connIDs)}
	}
	res := p.fanout.Send(ctx, connIDs, payload)
	p.log.DebugContext(ctx, "fan-out",
		slog.String("event", eventType(payload)),
		slog.Int("recipients", res.Recipients), slog.Int("delivered", res.Delivered),
		slog.Int("gone", res.Gone), slog.Int("failed", res.Failed))
	return res
}

// toRoom sends ev to the room's live connections except those of skipUser
// (when not "") and the connection skipConn.
func (p *Push) toRoom(ctx context.Context, roomID string, ev any, skipConn, skipUser string) chat.FanoutResult {
	return p.toRoomFor(ctx, roomID, ev, skipConn, skipUser, false)
}

// toRoomFor is toRoom, leaving visitors' connections out when
// agentsOnly (an internal note of a support room, issue 17: never
// delivered to a visitor).
func (p *Push) toRoomFor(ctx context.Context, roomID string, ev any, skipConn, skipUser string, agentsOnly bool) chat.FanoutResult {
	rcs, err := p.roomConnections(ctx, roomID)
	if err != nil {
		p.log.WarnContext(ctx, "room connections", slog.String("roomId", roomID), slog.Any("error", err))
		return chat.FanoutResult{}
	}
	ids := make([]string, 0, len(rcs))
	for _, rc := range rcs {
		if rc.ConnectionID == skipConn || (skipUser != "" && rc.UserID == skipUser) || (agentsOnly && chat.IsVisitorID(rc.UserID)) {
			continue
		}
		ids = append(ids, rc.ConnectionID)
	}
	return p.send(ctx, ids, ev)
}

// sharedAudience lists the connections of everyone sharing one of roomIDs
// with userID.
func (p *Push) sharedAudience(ctx context.Context, userID string, roomIDs []string) []string {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		out  []string
	)
	_ = forEach(len(roomIDs), func(i int) error {
		rcs, err := p.store.RoomConnections(ctx, roomIDs[i])
		if err != nil {
			p.log.WarnContext(ctx, "room connections", slog.String("roomId", roomIDs[i]), slog.Any("error", err))
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rc := range rcs {
			if rc.UserID != userID && !seen[rc.ConnectionID] {
				seen[rc.ConnectionID] = true
				out = append(out, rc.ConnectionID)
			}
		}
		return nil
	})
	return out
}

// profileOrStub returns the user's profile, or one with only the id when it
// cannot be read: events about a user should not fail on their profile.
func (p *Push) profileOrStub(ctx context.Context, userID string) chat.Profile {
	prof, err := p.store.GetProfile(ctx, userID)
	if err != nil {
		p.log.DebugContext(ctx, "profile unavailable", slog.String("userId", userID), slog.Any("error", err))
		return chat.Profile{UserID: userID}
	}
	return prof
}

func without(ids []string, skip string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != skip {
			out = append(out, id)
		}
	}
	return out
}

func eventType(payload []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(payload, &head)
	return head.Type
}
