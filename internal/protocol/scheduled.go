package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Scheduled messages and reminders (issue 14).
const (
	ActionScheduleMessage = "scheduleMessage"
	ActionRemindMe        = "remindMe"
	ActionListScheduled   = "listScheduled"
	ActionEditScheduled   = "editScheduled"
	ActionCancelScheduled = "cancelScheduled"
)

const (
	// EventScheduled answers scheduleMessage, remindMe and editScheduled
	// with the item, and is pushed to the owner's connections whenever
	// one of their items changes state (sent, failed, cancelled).
	EventScheduled = "scheduled"
	// EventScheduledItems answers listScheduled.
	EventScheduledItems = "scheduledItems"
	// EventReminder is pushed to the owner's connections when a reminder
	// fires.
	EventReminder = "reminder"
)

// ScheduleMessageRequest schedules Text to be sent to RoomID at At (at
// least a minute, at most a year ahead). ClientID is the message's
// clientId: scheduling again with it answers the first item.
type ScheduleMessageRequest struct {
	RoomID   string    `json:"roomId"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	ClientID string    `json:"clientId"`
}

// RemindMeRequest sets a reminder about message Seq of RoomID at At, with
// an optional Note.
type RemindMeRequest struct {
	RoomID string    `json:"roomId"`
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// EditScheduledRequest changes a pending item's text (a message's) and/or
// time; absent fields stay.
type EditScheduledRequest struct {
	ID   string     `json:"id"`
	Text *string    `json:"text,omitempty"`
	At   *time.Time `json:"at,omitempty"`
}

// ScheduledRef names one of the caller's items.
type ScheduledRef struct {
	ID string `json:"id"`
}

// ScheduledEvent is one item. Cancelled: the item is gone (cancelled,
// dismissed, or a message sent: then Message is the message as stored).
type ScheduledEvent struct {
	Head
	Item      chat.ScheduledItem `json:"item"`
	Cancelled bool               `json:"cancelled,omitempty"`
	Sent      bool               `json:"sent,omitempty"`
	Message   *chat.Message      `json:"message,omitempty"`
}

// ScheduledItemsEvent lists the caller's items, soonest first: pending
// messages and reminders, failed messages and fired reminders.
type ScheduledItemsEvent struct {
	Head
	Items []chat.ScheduledItem `json:"items"`
}

// ReminderEvent is a reminder that fired: the message as it is now (nil
// when it was deleted or its room is no longer the person's).
type ReminderEvent struct {
	Head
	Item     chat.ScheduledItem `json:"item"`
	RoomName string             `json:"roomName,omitempty"`
	Message  *chat.Message      `json:"message,omitempty"`
}
