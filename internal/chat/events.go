package chat

import (
	"context"
	"time"
)

// Domain events: what happened, as the use case that made it happen
// describes it. The service publishes them in-process (the WebSocket push is
// one subscriber); the stream function decodes the same events from the
// table's DynamoDB stream (internal/dynamo.DecodeStreamRecord) and hands them
// to the consumers that must not run inline in a request (the EventBridge
// bus, later search, notifications, analytics).
//
// Events carry the stored entities, not wire types: a consumer decides what
// to expose (the EventBridge detail leaves message text out unless the
// deployment opts in).

// EventType names an event on every transport: the EventBridge detail-type,
// the log field, the stream decoder's output.
type EventType string

const (
	EventMessageCreated EventType = "message.created"
	EventMessageEdited  EventType = "message.edited"
	EventMessageDeleted EventType = "message.deleted"
	EventMemberJoined   EventType = "member.joined"
	EventMemberLeft     EventType = "member.left"
	EventMemberUpdated  EventType = "member.updated"
	EventRoomCreated    EventType = "room.created"
	EventRoomUpdated    EventType = "room.updated"
	EventRoomDeleted    EventType = "room.deleted"
	EventProfileUpdated EventType = "profile.updated"
)

// EventTypes lists every domain event type, for table tests and docs.
var EventTypes = []EventType{
	EventMessageCreated, EventMessageEdited, EventMessageDeleted,
	EventMemberJoined, EventMemberLeft, EventMemberUpdated,
	EventRoomCreated, EventRoomUpdated, EventRoomDeleted,
	EventProfileUpdated,
}

// EventMessageReacted and EventMessagePinned are in-process events only
// (not in EventTypes, never on the bus): the service publishes them for
// the WebSocket push. The stream makes none: a reaction or a pin leaves a
// message's text as it was, which is all the stream's consumers (search,
// the bus) care about.
const (
	EventMessageReacted EventType = "message.reacted"
	EventMessagePinned  EventType = "message.pinned"
	// EventMessagePreviewed: the unfurl worker stored link previews on a
	// message, or its sender removed one (in-process only, like the two
	// above).
	EventMessagePreviewed EventType = "message.previewed"
)

// EventRoomPurgeContinued is not a domain event (not in EventTypes, never
// on the bus): the stream's cue to the room purger (internal/roompurge) to
// remove the next batch of a deleted room's items.
const EventRoomPurgeContinued EventType = "room.purgeContinued"

// Event is one domain event. Type says which of the structs below it is.
type Event interface {
	Type() EventType
}

// Actor is who caused an event, as far as the producer knows: the service
// knows the user and the connection; the stream decoder knows the user from
// the item (sender, member) and never the connection.
type Actor struct {
	UserID       string `json:"userId,omitempty"`
	ConnectionID string `json:"-"`
}

// MessageCreated: a message was stored (never for an idempotent retry).
type MessageCreated struct {
	Actor   Actor
	Message Message
}

// MessageEdited: a message's text (and mentions) changed.
type MessageEdited struct {
	Actor   Actor
	Message Message
	// Previous is the message before the edit, when known (the stream's
	// old image; the in-process publisher leaves it zero): the search
	// index removes the words it lost.
	Previous Message `json:"-"`
	// Chg is the room's change number of the edit (the in-process
	// publisher's; the stream decoder leaves it zero).
	Chg int64 `json:"-"`
}

// MessageDeleted: a message became a tombstone. Message is the tombstone
// (Message.DeletedBy says who removed it); Files are the object keys of
// the files it had (originals and thumbnails), which a stream consumer
// deletes from the bucket.
type MessageDeleted struct {
	Actor   Actor
	Message Message
	Files   []string `json:"-"`
	// Previous is the message before it was deleted, when known (the
	// stream's old image): the search index removes its words.
	Previous Message `json:"-"`
	// Chg is the room's change number of the delete (in-process only).
	Chg int64 `json:"-"`
}

// MessageReacted: someone added or removed a reaction. Message is the
// message with its reactions as stored; Chg the room's change number.
type MessageReacted struct {
	Actor   Actor
	Message Message
	Chg     int64
}

// MessagePinned: a message was pinned or unpinned (Message.PinnedBy).
type MessagePinned struct {
	Actor   Actor
	Message Message
	Chg     int64
}

// MessagePreviewed: a message's link previews changed (the unfurl
// worker's, with no actor, or the sender's removal).
type MessagePreviewed struct {
	Actor   Actor
	Message Message
	Chg     int64
}

// AttachmentKeys lists the object keys of a message's files: originals
// and thumbnails.
func AttachmentKeys(atts []Attachment) []string {
	var keys []string
	for _, a := range atts {
		keys = append(keys, a.Key)
		if a.ThumbKey != "" {
			keys = append(keys, a.ThumbKey)
		}
	}
	return keys
}

// MemberJoined: a user became a member of a room (created with it, joined,
// invited, or added to a direct room).
type MemberJoined struct {
	Actor  Actor
	Member Member
	// Profile is the member's profile as the producer knows it, Online set
	// (the service fills it; the stream decoder leaves it zero).
	Profile Profile `json:"-"`
	// WithRoom: the member came with a new room, which RoomCreated
	// announces; the WebSocket push announces no join for it.
	WithRoom bool `json:"-"`
}

// MemberLeft: a user stopped being a member of a room.
type MemberLeft struct {
	Actor  Actor
	RoomID string
	UserID string
	At     time.Time
}

// MemberUpdated: a member's role changed, or they were muted or unmuted.
type MemberUpdated struct {
	Actor  Actor
	Member Member
}

// RoomCreated: a channel or direct room was created with its first members.
type RoomCreated struct {
	Actor Actor
	Room  Room
}

// RoomUpdated: a room's name, topic or archived state changed (member counts and message
// counters are not updates of the room).
type RoomUpdated struct {
	Actor Actor
	Room  Room
}

// RoomDeleted: a channel was deleted. It is gone for everyone at once (the
// room is marked deleted, its name freed, its members removed); its
// messages, files, bans, invitations and fan-out index are removed after,
// in the background (internal/roompurge), in bounded batches.
type RoomDeleted struct {
	Actor Actor
	Room  Room // as it was before the delete
	At    time.Time
}

// RoomPurgeContinued: the room purger stopped with a deleted room's items
// left and asked (through the stream) to be invoked again. Internal: see
// EventRoomPurgeContinued.
type RoomPurgeContinued struct {
	RoomID string
	Pass   int
}

// ProfileUpdated: a user's display name, colour or picture changed
// (last-seen times are not updates of the profile).
type ProfileUpdated struct {
	Actor   Actor
	Profile Profile
}

func (MessageCreated) Type() EventType { return EventMessageCreated }
func (MessageEdited) Type() EventType  { return EventMessageEdited }
func (MessageDeleted) Type() EventType { return EventMessageDeleted }
func (MemberJoined) Type() EventType   { return EventMemberJoined }
func (MemberLeft) Type() EventType     { return EventMemberLeft }
func (MemberUpdated) Type() EventType  { return EventMemberUpdated }
func (RoomCreated) Type() EventType    { return EventRoomCreated }
func (RoomUpdated) Type() EventType    { return EventRoomUpdated }
func (RoomDeleted) Type() EventType    { return EventRoomDeleted }
func (ProfileUpdated) Type() EventType { return EventProfileUpdated }

func (RoomPurgeContinued) Type() EventType { return EventRoomPurgeContinued }
func (MessageReacted) Type() EventType     { return EventMessageReacted }
func (MessagePinned) Type() EventType      { return EventMessagePinned }
func (MessagePreviewed) Type() EventType   { return EventMessagePreviewed }

// EventConsumer is a subscriber of domain events that leave through the
// stream (internal/eventbus publishes them to EventBridge). Consume returns
// an error to have the batch item retried.
type EventConsumer interface {
	Consume(ctx context.Context, events []Event) error
}
