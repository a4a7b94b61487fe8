package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Conversations (issue 14): reactions, pins, saved messages, edit history.
const (
	ActionReact           = "react"
	ActionPinMessage      = "pinMessage"
	ActionListPins        = "listPins"
	ActionSaveMessage     = "saveMessage"
	ActionListSaved       = "listSaved"
	ActionMessageVersions = "messageVersions"
)

const (
	EventPins       = "pins"
	EventSaved      = "saved"
	EventSavedItems = "savedItems"
	EventVersions   = "versions"
)

// Page sizes of the conversation listings.
const (
	SavedPageSize = 30
	// ChangesPageSize is how many logged changes resume replays per room
	// at a time (ChangesMore: resume again from LastChg).
	ChangesPageSize = 100
)

// ReactRequest adds (On) or removes a reaction: one emoji (a grapheme
// cluster of emoji) or a :shortcode: the server maps.
type ReactRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Emoji  string `json:"emoji"`
	On     bool   `json:"on"`
}

// PinMessageRequest pins (Pinned) or unpins a message of the room.
type PinMessageRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Pinned bool   `json:"pinned"`
}

// SaveMessageRequest saves (Saved) a message for the caller, or forgets it.
type SaveMessageRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Saved  bool   `json:"saved"`
}

type ListSavedRequest struct {
	// Cursor is the previous page's Cursor ("" starts).
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// PinsEvent lists a room's pinned messages, most recently sent first.
type PinsEvent struct {
	Head
	RoomID   string         `json:"roomId"`
	Messages []chat.Message `json:"messages"`
}

// SavedEvent answers saveMessage.
type SavedEvent struct {
	Head
	RoomID  string    `json:"roomId"`
	Seq     int64     `json:"seq"`
	Saved   bool      `json:"saved"`
	SavedAt time.Time `json:"savedAt,omitzero"`
}

// SavedItem is one saved message: Message as it is now (a tombstone if it
// was deleted); Unavailable when its room is gone or no longer the
// caller's (then no message).
type SavedItem struct {
	RoomID      string        `json:"roomId"`
	Seq         int64         `json:"seq"`
	SavedAt     time.Time     `json:"savedAt"`
	RoomName    string        `json:"roomName,omitempty"`
	Message     *chat.Message `json:"message,omitempty"`
	Unavailable bool          `json:"unavailable,omitempty"`
}

// SavedItemsEvent answers listSaved, newest saved first.
type SavedItemsEvent struct {
	Head
	Items  []SavedItem `json:"items"`
	Cursor string      `json:"cursor,omitempty"`
}

// VersionsEvent answers messageVersions: the message's earlier texts,
// oldest first (the current one is the message itself).
type VersionsEvent struct {
	Head
	RoomID   string                `json:"roomId"`
	Seq      int64                 `json:"seq"`
	Versions []chat.MessageVersion `json:"versions"`
}
