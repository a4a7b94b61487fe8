package eventbus

import (
	"fmt"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SchemaVersion is the version of every detail schema below; it changes
// only with an incompatible change (fields may be added at any time).
const SchemaVersion = 1

// The detail of each event type, as documented in docs/EVENTS.md. Times are
// RFC 3339 in UTC. No message text unless the deployment opts in
// (EVENTS_INCLUDE_TEXT=true): then "text" is there (also "" for a
// tombstone).

// ActorDetail is who caused the event, as far as the producer knows.
type ActorDetail struct {
	UserID string `json:"userId,omitempty"`
}

// MessageDetail is the detail of message.created, message.edited and
// message.deleted.
type MessageDetail struct {
	SchemaVersion int                `json:"schemaVersion"`
	Actor         ActorDetail        `json:"actor"`
	RoomID        string             `json:"roomId"`
	Seq           int64              `json:"seq"`
	SenderID      string             `json:"senderId"`
	SenderName    string             `json:"senderName,omitempty"`
	ClientID      string             `json:"clientId,omitempty"`
	CreatedAt     time.Time          `json:"createdAt"`
	EditedAt      *time.Time         `json:"editedAt,omitempty"`
	Deleted       bool               `json:"deleted"`
	DeletedBy     string             `json:"deletedBy,omitempty"`
	TextLength    int                `json:"textLength"` // in Unicode code points
	Text          *string            `json:"text,omitempty"`
	TextOmitted   string             `json:"textOmitted,omitempty"` // "tooLarge" when the opt-in text did not fit
	Mentions      []string           `json:"mentions"`
	Attachments   []AttachmentDetail `json:"attachments"`
	// Integration marks a message an integration posted (an incoming
	// webhook's, a slash command's room reply); absent otherwise.
	Integration *IntegrationDetail `json:"integration,omitempty"`
	// Bot: the sender is a bot account. Bots listening on the bus skip
	// messages with integration or bot set (no loops between bots).
	Bot bool `json:"bot,omitempty"`
}

// IntegrationDetail names the integration that posted a message.
type IntegrationDetail struct {
	Kind string `json:"kind"` // "webhook" or "command"
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AttachmentDetail describes a file of a message (never its content).
type AttachmentDetail struct {
	Key      string `json:"key"`
	Name     string `json:"name,omitempty"`
	Size     int64  `json:"size"`
	Type     string `json:"type,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
	ThumbKey string `json:"thumbKey,omitempty"`
}

// MemberJoinedDetail is the detail of member.joined.
type MemberJoinedDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	RoomID        string      `json:"roomId"`
	UserID        string      `json:"userId"`
	Role          string      `json:"role"`
	JoinedAt      time.Time   `json:"joinedAt"`
}

// MemberLeftDetail is the detail of member.left.
type MemberLeftDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	RoomID        string      `json:"roomId"`
	UserID        string      `json:"userId"`
	At            time.Time   `json:"at"`
}

// MemberUpdatedDetail is the detail of member.updated: the member's role
// and, while muted, until when.
type MemberUpdatedDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	RoomID        string      `json:"roomId"`
	UserID        string      `json:"userId"`
	Role          string      `json:"role"`
	MutedUntil    *time.Time  `json:"mutedUntil,omitempty"`
}

// RoomDetail is the detail of room.created and room.updated.
type RoomDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	RoomID        string      `json:"roomId"`
	Kind          string      `json:"kind"`
	Name          string      `json:"name,omitempty"`
	Topic         string      `json:"topic,omitempty"`
	CreatedBy     string      `json:"createdBy,omitempty"`
	CreatedAt     time.Time   `json:"createdAt"`
	MemberCount   int         `json:"memberCount"`
	MemberIDs     []string    `json:"memberIds,omitempty"` // direct rooms only
	Archived      bool        `json:"archived,omitempty"`
}

// RoomDeletedDetail is the detail of room.deleted: the channel as it was
// when an admin deleted it. Its messages and files are removed after, in
// the background (their message.deleted events follow).
type RoomDeletedDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	RoomID        string      `json:"roomId"`
	Kind          string      `json:"kind"`
	Name          string      `json:"name,omitempty"`
	CreatedBy     string      `json:"createdBy,omitempty"`
	CreatedAt     time.Time   `json:"createdAt"`
	DeletedAt     time.Time   `json:"deletedAt"`
}

// ProfileDetail is the detail of profile.updated.
type ProfileDetail struct {
	SchemaVersion int         `json:"schemaVersion"`
	Actor         ActorDetail `json:"actor"`
	UserID        string      `json:"userId"`
	Username      string      `json:"username,omitempty"`
	DisplayName   string      `json:"displayName,omitempty"`
	AvatarColor   string      `json:"avatarColor,omitempty"`
	AvatarKey     string      `json:"avatarKey,omitempty"`
}

// Detail is the EventBridge detail of ev (one of the structs above) and
// the time the event happened (the entry's Time). includeText puts message
// text in.
func Detail(ev chat.Event, includeText bool) (detail any, at time.Time, err error) {
	actor := func(a chat.Actor) ActorDetail { return ActorDetail{UserID: a.UserID} }
	switch e := ev.(type) {
	case chat.MessageCreated:
		return messageDetail(actor(e.Actor), e.Message, includeText), e.Message.CreatedAt, nil
	case chat.MessageEdited:
		return messageDetail(actor(e.Actor), e.Message, includeText), e.Message.EditedAt, nil
	case chat.MessageDeleted:
		return messageDetail(actor(e.Actor), e.Message, includeText), e.Message.EditedAt, nil
	case chat.MemberJoined:
		m := e.Member
		return MemberJoinedDetail{SchemaVersion: SchemaVersion, Actor: actor(e.Actor),
			RoomID: m.RoomID, UserID: m.UserID, Role: string(m.Role), JoinedAt: m.JoinedAt.UTC()}, m.JoinedAt, nil
	case chat.MemberLeft:
		return MemberLeftDetail{SchemaVersion: SchemaVersion, Actor: actor(e.Actor),
			RoomID: e.RoomID, UserID: e.UserID, At: e.At.UTC()}, e.At, nil
	case chat.MemberUpdated:
		m := e.Member
		d := MemberUpdatedDetail{SchemaVersion: SchemaVersion, Actor: actor(e.Actor),
			RoomID: m.RoomID, UserID: m.UserID, Role: string(m.Role)}
		if !m.MutedUntil.IsZero() {
			t := m.MutedUntil.UTC()
			d.MutedUntil = &t
		}
		return d, time.Time{}, nil
	case chat.RoomCreated:
		return roomDetail(actor(e.Actor), e.Room), e.Room.CreatedAt, nil
	case chat.RoomUpdated:
		return roomDetail(actor(e.Actor), e.Room), time.Time{}, nil
	case chat.RoomDeleted:
		r := e.Room
		return RoomDeletedDetail{SchemaVersion: SchemaVersion, Actor: actor(e.Actor),
			RoomID: r.ID, Kind: string(r.Kind), Name: r.Name, CreatedBy: r.CreatedBy,
			CreatedAt: r.CreatedAt.UTC(), DeletedAt: e.At.UTC()}, e.At, nil
	case chat.ProfileUpdated:
		p := e.Profile
		return ProfileDetail{SchemaVersion: SchemaVersion, Actor: actor(e.Actor),
			UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName,
			AvatarColor: p.AvatarColor, AvatarKey: p.AvatarKey}, time.Time{}, nil
	}
	return nil, time.Time{}, fmt.Errorf("eventbus: no detail schema for %T", ev)
}

func messageDetail(actor ActorDetail, m chat.Message, includeText bool) MessageDetail {
	d := MessageDetail{
		SchemaVersion: SchemaVersion, Actor: actor,
		RoomID: m.RoomID, Seq: m.Seq, SenderID: m.SenderID, SenderName: m.SenderName,
		ClientID: m.ClientID, CreatedAt: m.CreatedAt.UTC(), Deleted: m.Deleted, DeletedBy: m.DeletedBy,
		TextLength: len([]rune(m.Text)),
		Mentions:   m.Mentions, Attachments: []AttachmentDetail{},
	}
	if d.Mentions == nil {
		d.Mentions = []string{}
	}
	if !m.EditedAt.IsZero() {
		t := m.EditedAt.UTC()
		d.EditedAt = &t
	}
	if includeText {
		text := m.Text
		d.Text = &text
	}
	if i := m.Integration; i != nil {
		d.Integration = &IntegrationDetail{Kind: i.Kind, ID: i.ID, Name: i.Name}
	}
	d.Bot = chat.IsBotID(m.SenderID)
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, AttachmentDetail{
			Key: a.Key, Name: a.Name, Size: a.Size, Type: a.Type, Width: a.Width, Height: a.Height, ThumbKey: a.ThumbKey,
		})
	}
	return d
}

func roomDetail(actor ActorDetail, r chat.Room) RoomDetail {
	return RoomDetail{
		SchemaVersion: SchemaVersion, Actor: actor,
		RoomID: r.ID, Kind: string(r.Kind), Name: r.Name, Topic: r.Topic,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		MemberCount: r.MemberCount, MemberIDs: r.MemberIDs, Archived: r.Archived,
	}
}
