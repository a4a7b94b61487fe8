package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Scheduled messages and reminders (issue 14): the items are kept in the
// store (chat.ScheduledStore), one one-time schedule each
// (chat.ScheduleTimer: EventBridge Scheduler) invokes the scheduled
// function at the item's time, which calls DeliverScheduled: a message is
// sent through SendMessage, the live send path, authorized again then; a
// reminder is pushed to its owner (a reminder event, and Web Push through
// ReminderPush).

// ScheduleSkew is how far before the minimum lead a requested time may be
// (the client's clock and the request's transit).
const ScheduleSkew = 10 * time.Second

// MaxReminderNote bounds a reminder's note.
const MaxReminderNote = 500

// ScheduledFire is the input of a schedule: the event the scheduled
// function receives.
type ScheduledFire struct {
	UserID string    `json:"userId"`
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
}

// ScheduleName is the name of the schedule that delivers item id due at
// at: unique per item and time, so a rescheduled item gets a new schedule
// (the old one, if it still fires, finds another time on the item and does
// nothing) and a retried create finds its own (ConflictException: done).
func ScheduleName(id string, at time.Time) string {
	return fmt.Sprintf("sched-%s-%d", id, at.Unix())
}

// ReminderPush sends a fired reminder to its owner's devices (Web Push via
// the push queue); optional.
type ReminderPush interface {
	Remind(ctx context.Context, item chat.ScheduledItem, roomName string, msg *chat.Message) error
}

func (s *Chat) scheduled() (chat.ScheduledStore, chat.ScheduleTimer, error) {
	if s.sched == nil || s.timer == nil {
		return nil, nil, chat.Errorf(chat.Internal, "scheduled messages are not configured on this server")
	}
	return s.sched, s.timer, nil
}

// checkAt validates a requested time: at least ScheduleMinLead ahead
// (less ScheduleSkew), at most ScheduleMaxLead.
func (s *Chat) checkAt(at time.Time) (time.Time, error) {
	now := s.clock()
	if at.IsZero() {
		return time.Time{}, chat.Errorf(chat.Invalid, "at is required: the time to send, in RFC 3339")
	}
	at = at.UTC().Truncate(time.Second)
	if at.Before(now.Add(chat.ScheduleMinLead - ScheduleSkew)) {
		return time.Time{}, chat.Errorf(chat.Invalid, "pick a time at least a minute from now")
	}
	if at.After(now.Add(chat.ScheduleMaxLead)) {
		return time.Time{}, chat.Errorf(chat.Invalid, "pick a time within a year")
	}
	if at.Before(now.Add(chat.ScheduleMinLead)) {
		at = now.Add(chat.ScheduleMinLead).Truncate(time.Second).Add(time.Second)
	}
	return at, nil
}

// scheduledIDFor derives a scheduled message's id from its clientId, so
// scheduling again with the same clientId finds the first item.
func scheduledIDFor(clientID string) string {
	sum := sha256.Sum256([]byte(clientID))
	return "m" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

func newReminderID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return "r" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// arm creates the item's schedule.
func (s *Chat) arm(ctx context.Context, timer chat.ScheduleTimer, it chat.ScheduledItem) error {
	input, err := json.Marshal(ScheduledFire{UserID: it.UserID, ID: it.ID, At: it.At})
	if err != nil {
		return chat.Wrap(err, "schedule")
	}
	if err := timer.At(ctx, ScheduleName(it.ID, it.At), it.At, input); err != nil {
		return chat.Wrap(err, "create the schedule failed")
	}
	return nil
}

// schedule stores a new item and creates its schedule; an item stored
// whose schedule cannot be created is deleted again.
func (s *Chat) schedule(ctx context.Context, c chat.Connection, it chat.ScheduledItem) (protocol.ScheduledEvent, error) {
	store, timer, err := s.scheduled()
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	it.UserID, it.State, it.CreatedAt = c.UserID, chat.ScheduledPending, s.clock()
	if err := store.PutScheduled(ctx, it, chat.MaxScheduledPerUser); err != nil {
		if chat.ErrorCode(err) == chat.Conflict && it.ClientID != "" {
			// The same clientId again (a retried request): the first item.
			if first, gerr := store.GetScheduled(ctx, c.UserID, it.ID); gerr == nil && first.ClientID == it.ClientID {
				return protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: first}, nil
			}
		}
		return protocol.ScheduledEvent{}, storeErr(err, "store scheduled item")
	}
	if err := s.arm(ctx, timer, it); err != nil {
		if _, derr := store.DeleteScheduled(ctx, c.UserID, it.ID, false); derr != nil {
			s.log.ErrorContext(ctx, "scheduled item without a schedule", slog.String("id", it.ID), slog.Any("error", derr))
		}
		return protocol.ScheduledEvent{}, err
	}
	ev := protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: it}
	s.toUser(ctx, c.UserID, c.ID, ev)
	return ev, nil
}

// ScheduleMessage keeps a message to send to a room at a later time. It
// is authorized as a send now (and again as one at its time).
func (s *Chat) ScheduleMessage(ctx context.Context, c chat.Connection, r protocol.ScheduleMessageRequest) (protocol.ScheduledEvent, error) {
	if err := checkRoomID(r.RoomID); err != nil {
		return protocol.ScheduledEvent{}, err
	}
	if err := checkClientID(r.ClientID); err != nil {
		return protocol.ScheduledEvent{}, err
	}
	text, err := messageText(r.Text)
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	if text == "" {
		return protocol.ScheduledEvent{}, chat.Errorf(chat.Invalid, "message is empty")
	}
	at, err := s.checkAt(r.At)
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	if ra, err := s.authorize(ctx, c, chat.ActScheduleMessage, r.RoomID, true); err != nil {
		return protocol.ScheduledEvent{}, err
	} else if ra.room.Encrypted { // its text would wait in the clear (e2ee_rooms.go)
		return protocol.ScheduledEvent{}, errEncryptedOff("scheduled messages are")
	}
	return s.schedule(ctx, c, chat.ScheduledItem{ID: scheduledIDFor(r.ClientID), Kind: chat.ScheduledMessage,
		RoomID: r.RoomID, Text: text, ClientID: r.ClientID, At: at})
}

// RemindMe keeps a reminder about a message the caller can see.
func (s *Chat) RemindMe(ctx context.Context, c chat.Connection, r protocol.RemindMeRequest) (protocol.ScheduledEvent, error) {
	note := strings.TrimSpace(r.Note)
	if utf8.RuneCountInString(note) > MaxReminderNote || hasControl(note) {
		return protocol.ScheduledEvent{}, chat.Errorf(chat.Invalid, "a reminder's note is at most %d characters of text", MaxReminderNote)
	}
	at, err := s.checkAt(r.At)
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	msg, _, err := s.message(ctx, c, chat.ActRemindMe, r.RoomID, r.Seq)
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	if msg.Encrypted != nil && note != "" { // the note would wait in the clear (e2ee_rooms.go)
		return protocol.ScheduledEvent{}, errEncryptedOff("reminder notes are")
	}
	return s.schedule(ctx, c, chat.ScheduledItem{ID: newReminderID(), Kind: chat.ScheduledReminder,
		RoomID: r.RoomID, Seq: r.Seq, Text: note, At: at})
}

// ListScheduled lists the caller's items: pending soonest first, then
// failed messages and fired reminders, newest first.
func (s *Chat) ListScheduled(ctx context.Context, c chat.Connection) (protocol.ScheduledItemsEvent, error) {
	if err := chat.Authorize(chat.ActListScheduled, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ScheduledItemsEvent{}, err
	}
	store, _, err := s.scheduled()
	if err != nil {
		return protocol.ScheduledItemsEvent{}, err
	}
	items, err := store.ListScheduled(ctx, c.UserID)
	if err != nil {
		return protocol.ScheduledItemsEvent{}, storeErr(err, "list scheduled items")
	}
	sortScheduled(items)
	if items == nil {
		items = []chat.ScheduledItem{}
	}
	return protocol.ScheduledItemsEvent{Head: protocol.Head{Type: protocol.EventScheduledItems}, Items: items}, nil
}

func sortScheduled(items []chat.ScheduledItem) {
	rank := func(it chat.ScheduledItem) int {
		if it.State == chat.ScheduledPending || it.State == chat.ScheduledSending {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(items, func(a, b chat.ScheduledItem) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if rank(a) == 0 {
			return a.At.Compare(b.At)
		}
		return b.FiredAt.Compare(a.FiredAt)
	})
}

// EditScheduled changes a pending item's text (a message's; a reminder's
// note) and/or time. A message's room is authorized again as a send.
func (s *Chat) EditScheduled(ctx context.Context, c chat.Connection, r protocol.EditScheduledRequest) (protocol.ScheduledEvent, error) {
	if err := chat.Authorize(chat.ActEditScheduled, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ScheduledEvent{}, err
	}
	store, timer, err := s.scheduled()
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	if r.Text == nil && r.At == nil {
		return protocol.ScheduledEvent{}, chat.Errorf(chat.Invalid, "nothing to change: give text or at")
	}
	cur, err := store.GetScheduled(ctx, c.UserID, r.ID)
	if err != nil {
		return protocol.ScheduledEvent{}, storeErr(err, "get scheduled item")
	}
	if !cur.Pending() {
		return protocol.ScheduledEvent{}, chat.Errorf(chat.Conflict, "only a scheduled item that is still waiting can be changed")
	}
	text, at := cur.Text, cur.At
	if r.Text != nil {
		if cur.Kind == chat.ScheduledMessage {
			if text, err = messageText(*r.Text); err != nil {
				return protocol.ScheduledEvent{}, err
			}
			if text == "" {
				return protocol.ScheduledEvent{}, chat.Errorf(chat.Invalid, "message is empty: cancel it instead")
			}
		} else {
			text = strings.TrimSpace(*r.Text)
			if utf8.RuneCountInString(text) > MaxReminderNote || hasControl(text) {
				return protocol.ScheduledEvent{}, chat.Errorf(chat.Invalid, "a reminder's note is at most %d characters of text", MaxReminderNote)
			}
		}
	}
	if r.At != nil {
		if at, err = s.checkAt(*r.At); err != nil {
			return protocol.ScheduledEvent{}, err
		}
	}
	if cur.Kind == chat.ScheduledMessage {
		if _, err := s.authorize(ctx, c, chat.ActScheduleMessage, cur.RoomID, false); err != nil {
			return protocol.ScheduledEvent{}, err
		}
	}
	moved := !at.Equal(cur.At)
	next := cur
	next.At = at
	if moved {
		// The new schedule first: until the item says the new time, it
		// would find the old one and do nothing; then the item; then the
		// old schedule goes.
		if err := s.arm(ctx, timer, next); err != nil {
			return protocol.ScheduledEvent{}, err
		}
	}
	updated, err := store.UpdateScheduled(ctx, c.UserID, cur.ID, cur.At, text, at)
	if err != nil {
		if moved {
			s.cancelSchedule(ctx, timer, next)
		}
		return protocol.ScheduledEvent{}, storeErr(err, "update scheduled item")
	}
	if moved {
		s.cancelSchedule(ctx, timer, cur)
	}
	ev := protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: updated}
	s.toUser(ctx, c.UserID, c.ID, ev)
	return ev, nil
}

// cancelSchedule deletes an item's schedule; a failure is logged only (a
// schedule left over fires, finds nothing to do and deletes itself).
func (s *Chat) cancelSchedule(ctx context.Context, timer chat.ScheduleTimer, it chat.ScheduledItem) {
	if err := timer.Cancel(ctx, ScheduleName(it.ID, it.At)); err != nil {
		s.log.WarnContext(ctx, "delete schedule", slog.String("id", it.ID), slog.Any("error", err))
	}
}

// CancelScheduled cancels a pending item (and its schedule), or dismisses
// a failed message or a fired reminder.
func (s *Chat) CancelScheduled(ctx context.Context, c chat.Connection, r protocol.ScheduledRef) (protocol.ScheduledEvent, error) {
	if err := chat.Authorize(chat.ActCancelScheduled, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ScheduledEvent{}, err
	}
	store, timer, err := s.scheduled()
	if err != nil {
		return protocol.ScheduledEvent{}, err
	}
	cur, err := store.GetScheduled(ctx, c.UserID, r.ID)
	if err != nil {
		return protocol.ScheduledEvent{}, storeErr(err, "get scheduled item")
	}
	if cur.State == chat.ScheduledSending {
		return protocol.ScheduledEvent{}, chat.Errorf(chat.Conflict, "it is being sent right now")
	}
	old, err := store.DeleteScheduled(ctx, c.UserID, r.ID, cur.Pending())
	if err != nil {
		return protocol.ScheduledEvent{}, storeErr(err, "cancel scheduled item")
	}
	if old.Pending() {
		s.cancelSchedule(ctx, timer, old)
	}
	ev := protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: old, Cancelled: true}
	s.toUser(ctx, c.UserID, c.ID, ev)
	return ev, nil
}

// toUser pushes ev to the user's live connections but skipConn.
func (s *Chat) toUser(ctx context.Context, userID, skipConn string, ev any) int {
	ids, err := s.store.UserConnections(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "user connections", slog.Any("error", err))
		return 0
	}
	return s.push.send(ctx, without(ids, skipConn), ev).Delivered
}

// Delivery outcomes DeliverScheduled reports.
const (
	DeliverySent   = "sent"
	DeliveryFailed = "failed"
	DeliveryFired  = "fired"
	// DeliveryStale: nothing to do (cancelled, rescheduled, delivered by
	// an earlier invocation).
	DeliveryStale = "stale"
)

// DeliverScheduled runs an item at its time: the scheduled function's
// use case. A scheduled message goes through SendMessage as its author,
// from no connection (all of the author's connections get it), with the
// item's clientId, so a retried invocation stores it once; a refusal
// (left, banned, muted, archived, deactivated) fails the item with the
// refusal's text, kept for the author to see. An error is transient (the
// invocation is retried).
func (s *Chat) DeliverScheduled(ctx context.Context, f ScheduledFire) (string, error) {
	store := s.sched // delivering needs no timer
	if store == nil {
		return "", chat.Errorf(chat.Internal, "scheduled messages are not configured on this server")
	}
	it, err := store.ClaimScheduled(ctx, f.UserID, f.ID, f.At)
	switch chat.ErrorCode(err) {
	case "":
	case chat.NotFound, chat.Conflict:
		return DeliveryStale, nil
	default:
		return "", err
	}
	if it.Kind == chat.ScheduledReminder {
		return s.fireReminder(ctx, store, it)
	}
	return s.sendScheduled(ctx, store, it)
}

func (s *Chat) sendScheduled(ctx context.Context, store chat.ScheduledStore, it chat.ScheduledItem) (string, error) {
	prof, err := s.store.GetProfile(ctx, it.UserID)
	if err != nil && chat.ErrorCode(err) != chat.NotFound {
		return "", err
	}
	var ack protocol.AckEvent
	if prof.Deactivated {
		err = chat.Errorf(chat.Forbidden, "your account is deactivated")
	} else {
		c := chat.Connection{ID: scheduledConnPrefix + it.ID, Identity: chat.Identity{UserID: it.UserID, DisplayName: prof.DisplayName}}
		ack, err = s.SendMessage(ctx, c, protocol.SendMessageRequest{RoomID: it.RoomID, Text: it.Text, ClientID: it.ClientID})
	}
	if err != nil {
		code := chat.ErrorCode(err)
		if code == "" || code == chat.Internal || code == chat.RateLimited {
			return "", err // transient: the invocation is retried
		}
		failed, serr := store.SettleScheduled(ctx, it.UserID, it.ID, chat.ScheduledFailed, failReason(err), s.clock(), s.clock().Add(chat.ScheduledKeep))
		if serr != nil {
			return "", serr
		}
		s.toUser(ctx, it.UserID, "", protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: failed})
		s.log.InfoContext(ctx, "scheduled message failed", slog.String("id", it.ID), slog.String("roomId", it.RoomID), slog.String("reason", failed.Reason))
		return DeliveryFailed, nil
	}
	if _, err := store.DeleteScheduled(ctx, it.UserID, it.ID, false); err != nil && chat.ErrorCode(err) != chat.NotFound {
		return "", err // retried: the send answers Duplicate, then the delete
	}
	msg := ack.Message
	s.toUser(ctx, it.UserID, "", protocol.ScheduledEvent{Head: protocol.Head{Type: protocol.EventScheduled}, Item: it, Sent: true, Cancelled: true, Message: &msg})
	s.log.InfoContext(ctx, "scheduled message sent", slog.String("id", it.ID), slog.String("roomId", it.RoomID), slog.Int64("seq", msg.Seq), slog.Bool("duplicate", ack.Duplicate))
	return DeliverySent, nil
}

// failReason is the text shown on a failed scheduled message.
func failReason(err error) string {
	var ce *chat.Error
	msg := err.Error()
	if errors.As(err, &ce) {
		msg = ce.Message
		if ce.Code == chat.NotFound {
			msg = "the conversation is gone or you are no longer in it"
		}
	}
	return msg
}

func (s *Chat) fireReminder(ctx context.Context, store chat.ScheduledStore, it chat.ScheduledItem) (string, error) {
	ev := protocol.ReminderEvent{Head: protocol.Head{Type: protocol.EventReminder}}
	// The message only while the room is still the person's.
	if _, err := s.store.GetMember(ctx, it.RoomID, it.UserID); err == nil {
		if room, err := s.store.GetRoom(ctx, it.RoomID); err == nil {
			ev.RoomName = room.Name
		}
		if msg, err := s.store.GetMessage(ctx, it.RoomID, it.Seq); err == nil {
			ev.Message = &msg
		}
	} else if chat.ErrorCode(err) != chat.NotFound {
		return "", err
	}
	fired, err := store.SettleScheduled(ctx, it.UserID, it.ID, chat.ScheduledFired, "", s.clock(), s.clock().Add(chat.ScheduledKeep))
	if err != nil {
		return "", err
	}
	ev.Item = fired
	s.toUser(ctx, it.UserID, "", ev)
	if s.reminderPush != nil {
		if err := s.reminderPush.Remind(ctx, fired, ev.RoomName, ev.Message); err != nil {
			s.log.WarnContext(ctx, "reminder push", slog.String("id", it.ID), slog.Any("error", err))
		}
	}
	s.log.InfoContext(ctx, "reminder fired", slog.String("id", it.ID), slog.String("roomId", it.RoomID))
	return DeliveryFired, nil
}
