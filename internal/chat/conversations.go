package chat

import (
	"context"
	"slices"
	"time"
)

// Conversations (issue 14, first part): reactions, pins, saved messages,
// edit history, and the per-room change sequence that resume replays.

// Limits of reactions and pins.
const (
	// MaxReactionEmoji is how many distinct emoji one message carries.
	MaxReactionEmoji = 20
	// MaxReactions is how many reactions (person and emoji) one message
	// carries in all: it bounds the message item (about 40 bytes each).
	MaxReactions = 500
	// MaxPins is how many messages a room keeps pinned.
	MaxPins = 50
	// ChangeRetention is how long a room's change log keeps a change for
	// resume (the items' TTL). A client away longer reloads the room.
	ChangeRetention = 30 * 24 * time.Hour
)

// Reaction is one emoji on a message and who reacted with it, in the
// order they reacted.
type Reaction struct {
	Emoji   string   `json:"emoji"`
	UserIDs []string `json:"userIds"`
}

// MessageVersion is an earlier text of an edited message, and since when
// it was the message's text (its creation or the edit that wrote it).
type MessageVersion struct {
	Text string    `json:"text"`
	At   time.Time `json:"at"`
	// Encrypted is the earlier ciphertext of a message in an encrypted
	// room (Text empty).
	Encrypted *EncryptedContent `json:"encrypted,omitempty"`
	// ExpiresAt: the version goes with its message (retention.go).
	ExpiresAt time.Time `json:"-"`
}

// SavedItem is a message a person saved for themselves.
type SavedItem struct {
	UserID  string    `json:"-"`
	RoomID  string    `json:"roomId"`
	Seq     int64     `json:"seq"`
	SavedAt time.Time `json:"savedAt"`
}

// Change is one entry of a room's change log: change number Chg touched
// message Seq (an edit, a delete, a reaction, a pin). The log says only
// which message; resume sends the message as it is now.
type Change struct {
	Chg int64 `json:"chg"`
	Seq int64 `json:"seq"`
}

// ConversationStore keeps reactions, pins, saved messages, earlier
// versions and the rooms' change logs.
type ConversationStore interface {
	// RecordChange takes the room's next change number for a change to
	// message seq and logs it (forgotten after ChangeRetention). Callers
	// record before they store the change: a change logged and then not
	// stored costs a replay of the message as it is, never a missed one.
	// NotFound for an unknown room.
	RecordChange(ctx context.Context, roomID string, seq int64) (int64, error)
	// ChangesAfter returns up to limit logged changes with Chg > after,
	// oldest first, and whether more follow. Strongly consistent.
	ChangesAfter(ctx context.Context, roomID string, after int64, limit int) ([]Change, bool, error)
	// GetMessages reads the messages at seqs (missing ones left out), in
	// seq order. Strongly consistent.
	GetMessages(ctx context.Context, roomID string, seqs []int64) ([]Message, error)
	// React adds (on) or removes userID's reaction emoji on a message,
	// atomically with other reactions, and returns the message as stored
	// and whether it changed (an existing reaction added again, or a
	// missing one removed, changes nothing). ApplyReaction's limits hold;
	// NotFound without a message, Conflict on a tombstone.
	React(ctx context.Context, roomID string, seq int64, userID, emoji string, on bool) (Message, bool, error)
	// SetPinned pins (by, at) or unpins a message and keeps the room's
	// pinned set; pinning a pinned message or unpinning an unpinned one
	// changes nothing. Invalid past MaxPins, NotFound without a message,
	// Conflict on a tombstone (unpinning one is allowed).
	SetPinned(ctx context.Context, roomID string, seq int64, by string, at time.Time, on bool) (Message, error)
	// PinnedSeqs lists the room's pinned messages, newest seq first.
	PinnedSeqs(ctx context.Context, roomID string) ([]int64, error)
	// SetMembersCanPin sets the room's pin setting and returns the room.
	// NotFound if there is no such room.
	SetMembersCanPin(ctx context.Context, roomID string, on bool) (Room, error)
	// PutVersion keeps an earlier text of message seq.
	PutVersion(ctx context.Context, roomID string, seq int64, v MessageVersion) error
	// MessageVersions lists a message's earlier texts, oldest first.
	MessageVersions(ctx context.Context, roomID string, seq int64) ([]MessageVersion, error)
	// DeleteVersions removes them all (a deleted message keeps none).
	DeleteVersions(ctx context.Context, roomID string, seq int64) error
	// SaveMessage saves a message for its user; saving it again keeps the
	// first SavedAt and returns the stored item.
	SaveMessage(ctx context.Context, it SavedItem) (SavedItem, error)
	// UnsaveMessage forgets it; a message not saved is not an error.
	UnsaveMessage(ctx context.Context, userID, roomID string, seq int64) error
	// ListSaved pages through a user's saved messages, newest saved
	// first, and returns the cursor of the next page or "".
	ListSaved(ctx context.Context, userID, cursor string, limit int) ([]SavedItem, string, error)
}

// ApplyReaction returns rs with userID's reaction emoji added (on) or
// removed, and whether anything changed. It never changes rs itself.
// Adding past MaxReactionEmoji distinct emoji or MaxReactions reactions
// is Invalid. An emoji nobody reacts with any more leaves the list.
func ApplyReaction(rs []Reaction, userID, emoji string, on bool) ([]Reaction, bool, error) {
	i := slices.IndexFunc(rs, func(r Reaction) bool { return r.Emoji == emoji })
	has := i >= 0 && slices.Contains(rs[i].UserIDs, userID)
	if has == on {
		return rs, false, nil
	}
	out := make([]Reaction, 0, len(rs)+1)
	for _, r := range rs {
		out = append(out, Reaction{Emoji: r.Emoji, UserIDs: slices.Clone(r.UserIDs)})
	}
	if !on {
		out[i].UserIDs = slices.DeleteFunc(out[i].UserIDs, func(u string) bool { return u == userID })
		if len(out[i].UserIDs) == 0 {
			out = slices.Delete(out, i, i+1)
		}
		return out, true, nil
	}
	total := 0
	for _, r := range rs {
		total += len(r.UserIDs)
	}
	if total >= MaxReactions {
		return rs, false, Errorf(Invalid, "this message has %d reactions, the most it can hold", MaxReactions)
	}
	if i < 0 {
		if len(rs) >= MaxReactionEmoji {
			return rs, false, Errorf(Invalid, "a message holds at most %d different emoji: react with one it has", MaxReactionEmoji)
		}
		return append(out, Reaction{Emoji: emoji, UserIDs: []string{userID}}), true, nil
	}
	out[i].UserIDs = append(out[i].UserIDs, userID)
	return out, true, nil
}
