package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Calls (issue #18): a room's call is one item
//
//	call   pk CALL#<roomId> sk CALL   id, state, video, startedBy, startedAt, answeredAt?, participants[], rung[], joined[], declined[], maxSize, expiresMs, version, ttl
//
// written whole (a call holds at most chat.MaxCallMaxSize participants, a
// few hundred bytes each: one write unit or two) by conditional PutItem:
// CreateCall only when the room has no call or an expired one (expiresMs,
// Unix milliseconds, before now), UpdateCall only at the version read
// (so two joins at once cannot overfill it), DeleteCall likewise. ttl
// (expiresMs in seconds plus a day) lets DynamoDB's TTL delete a call
// whose participants all vanished; until then reads return it expired and
// the service ends it. The item is outside the stream's filter (no rule
// names CALL#) and holds no message text: who was in a call, from which
// connection, with which media, for as long as the call lasts.
const (
	prefixCall = "CALL#"
	skCall     = "CALL"
	// callTTLSlack keeps an expired call readable for a day, so the
	// service can still end it for the room (callEnded, the missed-call
	// line) when someone next acts there.
	callTTLSlack = 24 * time.Hour
)

func callPK(roomID string) string { return prefixCall + roomID }

type callParticipantItem struct {
	UserID       string    `dynamo:"userId"`
	ConnectionID string    `dynamo:"connectionId"`
	JoinedAt     time.Time `dynamo:"joinedAt"`
	SeenAt       time.Time `dynamo:"seenAt"`
	Audio        bool      `dynamo:"audio,omitempty"`
	Video        bool      `dynamo:"video,omitempty"`
	Screen       bool      `dynamo:"screen,omitempty"`
}

type callItem struct {
	PK           string                `dynamo:"pk"`
	SK           string                `dynamo:"sk"`
	ID           string                `dynamo:"id"`
	State        string                `dynamo:"state"`
	Video        bool                  `dynamo:"video,omitempty"`
	StartedBy    string                `dynamo:"startedBy"`
	StartedAt    time.Time             `dynamo:"startedAt"`
	AnsweredAt   time.Time             `dynamo:"answeredAt,omitempty"`
	Participants []callParticipantItem `dynamo:"participants"`
	Rung         []string              `dynamo:"rung,omitempty"`
	Joined       []string              `dynamo:"joined,omitempty"`
	Declined     []string              `dynamo:"declined,omitempty"`
	MaxSize      int                   `dynamo:"maxSize"`
	ExpiresMs    int64                 `dynamo:"expiresMs"`
	Version      int64                 `dynamo:"version"`
	TTL          int64                 `dynamo:"ttl"`
}

func newCallItem(c chat.Call) callItem {
	ps := make([]callParticipantItem, len(c.Participants))
	for i, p := range c.Participants {
		ps[i] = callParticipantItem{UserID: p.UserID, ConnectionID: p.ConnectionID, JoinedAt: utc(p.JoinedAt), SeenAt: utc(p.SeenAt),
			Audio: p.Audio, Video: p.Video, Screen: p.Screen}
	}
	return callItem{PK: callPK(c.RoomID), SK: skCall, ID: c.ID, State: string(c.State), Video: c.Video,
		StartedBy: c.StartedBy, StartedAt: utc(c.StartedAt), AnsweredAt: zeroUTC(c.AnsweredAt), Participants: ps,
		Rung: c.Rung, Joined: c.Joined, Declined: c.Declined, MaxSize: c.MaxSize,
		ExpiresMs: c.ExpiresAt.UnixMilli(), Version: c.Version, TTL: c.ExpiresAt.Add(callTTLSlack).Unix()}
}

func (it callItem) call(roomID string) chat.Call {
	ps := make([]chat.CallParticipant, len(it.Participants))
	for i, p := range it.Participants {
		ps[i] = chat.CallParticipant{UserID: p.UserID, ConnectionID: p.ConnectionID, JoinedAt: p.JoinedAt.UTC(), SeenAt: p.SeenAt.UTC(),
			CallMedia: chat.CallMedia{Audio: p.Audio, Video: p.Video, Screen: p.Screen}}
	}
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return chat.Call{ID: it.ID, RoomID: roomID, State: chat.CallState(it.State), Video: it.Video, StartedBy: it.StartedBy,
		StartedAt: it.StartedAt.UTC(), AnsweredAt: zeroUTC(it.AnsweredAt), Participants: ps,
		Rung: orEmpty(it.Rung), Joined: orEmpty(it.Joined), Declined: it.Declined, MaxSize: it.MaxSize,
		ExpiresAt: time.UnixMilli(it.ExpiresMs).UTC(), Version: it.Version}
}

var _ chat.CallStore = (*Store)(nil)

// CreateCall is one conditional PutItem: no call in the room, or an
// expired one.
func (s *Store) CreateCall(ctx context.Context, c chat.Call) error {
	ctx = withOp(ctx, "CreateCall")
	if c.RoomID == "" || c.ID == "" {
		return chat.Errorf(chat.Invalid, "a call needs a room and an id")
	}
	c.Version = 1
	err := s.table.Put(newCallItem(c)).
		If("attribute_not_exists($) OR $ < ?", AttrPK, "expiresMs", s.now().UnixMilli()).
		Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the room has a call already")
	}
	if err != nil {
		return internal(err, "create call")
	}
	return nil
}

// RoomCall is one consistent GetItem.
func (s *Store) RoomCall(ctx context.Context, roomID string) (chat.Call, error) {
	ctx = withOp(ctx, "RoomCall")
	if roomID == "" {
		return chat.Call{}, chat.Errorf(chat.Invalid, "roomId is required")
	}
	var it callItem
	err := s.table.Get(AttrPK, callPK(roomID)).Range(AttrSK, gdynamo.Equal, skCall).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Call{}, chat.Errorf(chat.NotFound, "no call in this room")
	}
	if err != nil {
		return chat.Call{}, internal(err, "get call")
	}
	return it.call(roomID), nil
}

// UpdateCall is one PutItem on condition that the item is still c.ID at
// c.Version.
func (s *Store) UpdateCall(ctx context.Context, c chat.Call) (chat.Call, error) {
	ctx = withOp(ctx, "UpdateCall")
	if c.RoomID == "" || c.ID == "" {
		return chat.Call{}, chat.Errorf(chat.Invalid, "a call needs a room and an id")
	}
	at := c.Version
	c.Version++
	err := s.table.Put(newCallItem(c)).If("$ = ? AND $ = ?", "id", c.ID, "version", at).Run(ctx)
	if isCondFailed(err) {
		return chat.Call{}, chat.Errorf(chat.Conflict, "the call changed meanwhile")
	}
	if err != nil {
		return chat.Call{}, internal(err, "update call")
	}
	return c, nil
}

// DeleteCall is one conditional DeleteItem (and, when its condition
// fails, a GetItem telling NotFound from Conflict).
func (s *Store) DeleteCall(ctx context.Context, c chat.Call) error {
	ctx = withOp(ctx, "DeleteCall")
	if c.RoomID == "" || c.ID == "" {
		return chat.Errorf(chat.Invalid, "a call needs a room and an id")
	}
	err := s.table.Delete(AttrPK, callPK(c.RoomID)).Range(AttrSK, skCall).
		If("$ = ? AND $ = ?", "id", c.ID, "version", c.Version).Run(ctx)
	if isCondFailed(err) {
		if _, gerr := s.RoomCall(ctx, c.RoomID); chat.ErrorCode(gerr) == chat.NotFound {
			return gerr
		}
		return chat.Errorf(chat.Conflict, "the call changed meanwhile")
	}
	if err != nil {
		return internal(err, "end call")
	}
	return nil
}

// SetConnectionCall is one UpdateItem of the connection item (SET callId),
// on condition that the connection is still there.
func (s *Store) SetConnectionCall(ctx context.Context, connectionID, callID string) error {
	ctx = withOp(ctx, "SetConnectionCall")
	if connectionID == "" || callID == "" {
		return chat.Errorf(chat.Invalid, "a connection id and a call id are required")
	}
	err := s.table.Update(AttrPK, connPK(connectionID)).Range(AttrSK, skMeta).
		Set("callId", callID).If("attribute_exists($)", AttrPK).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "set connection call")
	}
	return nil
}
