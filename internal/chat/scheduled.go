package chat

import (
	"context"
	"time"
)

// Scheduled messages and reminders (issue 14): items a person keeps on the
// server until their time, when the scheduled-delivery function sends the
// message through the normal send path or fires the reminder.

// ScheduledKind says what a scheduled item does at its time.
type ScheduledKind string

const (
	// ScheduledMessage sends Text to RoomID as its author.
	ScheduledMessage ScheduledKind = "message"
	// ScheduledReminder reminds its owner of message Seq of RoomID.
	ScheduledReminder ScheduledKind = "reminder"
)

// ScheduledState is where an item is in its life.
type ScheduledState string

const (
	// ScheduledPending: waiting for its time; it can be edited and cancelled.
	ScheduledPending ScheduledState = "pending"
	// ScheduledSending: its delivery has begun (claimed by the delivering
	// invocation); edits and cancels are refused from here on.
	ScheduledSending ScheduledState = "sending"
	// ScheduledFailed: a message that could not be sent at its time
	// (Reason says why: the author left the room, was banned, muted, the
	// channel was archived or deleted). Kept for the author to see until
	// they dismiss it (cancelScheduled) or it expires.
	ScheduledFailed ScheduledState = "failed"
	// ScheduledFired: a reminder that fired; kept in the reminders list
	// until dismissed or expired.
	ScheduledFired ScheduledState = "fired"
)

// Limits of scheduled items.
const (
	// ScheduleMinLead is how far ahead an item must be: EventBridge
	// Scheduler's precision is a minute.
	ScheduleMinLead = time.Minute
	// ScheduleMaxLead is how far ahead an item may be.
	ScheduleMaxLead = 366 * 24 * time.Hour
	// MaxScheduledPerUser bounds a person's pending items (messages and
	// reminders together).
	MaxScheduledPerUser = 100
	// ScheduledKeep is how long a failed message or a fired reminder stays
	// listed (the item's TTL).
	ScheduledKeep = 7 * 24 * time.Hour
)

// ScheduledItem is one scheduled message or reminder of UserID.
type ScheduledItem struct {
	ID     string         `json:"id"`
	UserID string         `json:"-"`
	Kind   ScheduledKind  `json:"kind"`
	RoomID string         `json:"roomId"`
	At     time.Time      `json:"at"`
	State  ScheduledState `json:"state"`
	// Text is a scheduled message's text (a reminder's optional note).
	Text string `json:"text,omitempty"`
	// ClientID is a scheduled message's clientId: the send at its time
	// uses it, so a retried delivery stores the message once.
	ClientID string `json:"clientId,omitempty"`
	// Seq is the message a reminder is about; for a sent scheduled message
	// never set (a sent message's item is deleted).
	Seq int64 `json:"seq,omitempty"`
	// Reason says why a message failed.
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// FiredAt is when a reminder fired or a message failed.
	FiredAt time.Time `json:"firedAt,omitzero"`
}

// Pending reports whether the item still waits for its time.
func (it ScheduledItem) Pending() bool { return it.State == ScheduledPending }

// ScheduledStore keeps the scheduled items (internal/dynamo implements it).
type ScheduledStore interface {
	// PutScheduled stores a new pending item unless the owner has max
	// pending items already (Conflict) or the id exists (Conflict).
	PutScheduled(ctx context.Context, it ScheduledItem, max int) error
	// GetScheduled reads one item (consistently); NotFound when absent.
	GetScheduled(ctx context.Context, userID, id string) (ScheduledItem, error)
	// ListScheduled lists all of the owner's items, in no order.
	ListScheduled(ctx context.Context, userID string) ([]ScheduledItem, error)
	// UpdateScheduled replaces text and time of a pending item whose time
	// is still oldAt: Conflict when it is no longer pending or was changed
	// meanwhile, NotFound when gone.
	UpdateScheduled(ctx context.Context, userID, id string, oldAt time.Time, text string, at time.Time) (ScheduledItem, error)
	// DeleteScheduled deletes an item. onlyPending: only while pending
	// (Conflict otherwise); NotFound when gone.
	DeleteScheduled(ctx context.Context, userID, id string, onlyPending bool) (ScheduledItem, error)
	// ClaimScheduled moves a pending (or, for a retried delivery, sending)
	// item due at at to sending (expiring after ScheduledKeep unless
	// settled or deleted); Conflict when it is neither or its time is
	// another (a stale schedule), NotFound when gone.
	ClaimScheduled(ctx context.Context, userID, id string, at time.Time) (ScheduledItem, error)
	// SettleScheduled ends a delivery: state failed or fired, with reason,
	// firedAt and the TTL that lets the item expire.
	SettleScheduled(ctx context.Context, userID, id string, state ScheduledState, reason string, firedAt, expires time.Time) (ScheduledItem, error)
}

// ScheduleTimer creates and deletes the one-time schedules that invoke the
// scheduled-delivery function (EventBridge Scheduler; a fake in tests).
type ScheduleTimer interface {
	// At invokes the delivery function with input at t; an existing name
	// is success (a retry).
	At(ctx context.Context, name string, t time.Time, input []byte) error
	// Cancel deletes the schedule; a missing one is success.
	Cancel(ctx context.Context, name string) error
}
