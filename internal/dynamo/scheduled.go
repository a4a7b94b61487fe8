package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Scheduled messages and reminders are items of their owner's partition:
//
//	scheduled   pk USER#<userId> sk SCHED#<id>   kind, roomId, at, state, text, clientId, seq, reason, createdAt, firedAt, ttl
//
// A person's items are one Query (at most MaxScheduledPerUser pending
// plus the failed and fired ones kept a week, a few hundred bytes each).
// Every change of state is one conditional UpdateItem, so that an edit, a
// cancel and the delivery at the item's time exclude each other: only a
// pending item can be edited or cancelled, only a pending (or, for a
// retried delivery, sending) item whose time is the schedule's can be
// claimed. The items are outside the stream's filter (sk of a USER#
// partition not named there), so nothing downstream sees them.
const prefixSched = "SCHED#"

func schedSK(id string) string { return prefixSched + id }

type scheduledItem struct {
	PK        string    `dynamo:"pk"`
	SK        string    `dynamo:"sk"`
	Kind      string    `dynamo:"kind"`
	RoomID    string    `dynamo:"roomId"`
	At        time.Time `dynamo:"at"`
	State     string    `dynamo:"state"`
	Text      string    `dynamo:"text,omitempty"`
	ClientID  string    `dynamo:"clientId,omitempty"`
	Seq       int64     `dynamo:"seq,omitempty"`
	Reason    string    `dynamo:"reason,omitempty"`
	CreatedAt time.Time `dynamo:"createdAt"`
	FiredAt   time.Time `dynamo:"firedAt,omitempty"`
	TTL       int64     `dynamo:"ttl,omitempty"`
}

func (it scheduledItem) item(userID string) chat.ScheduledItem {
	return chat.ScheduledItem{ID: it.SK[len(prefixSched):], UserID: userID, Kind: chat.ScheduledKind(it.Kind), RoomID: it.RoomID,
		At: it.At.UTC(), State: chat.ScheduledState(it.State), Text: it.Text, ClientID: it.ClientID, Seq: it.Seq,
		Reason: it.Reason, CreatedAt: it.CreatedAt.UTC(), FiredAt: zeroUTC(it.FiredAt)}
}

func zeroUTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// PutScheduled: one Query of the owner's items (the cap) and one
// conditional PutItem. Two concurrent puts at the cap can both pass the
// count (at most one over per concurrent request): the cap bounds cost,
// not a contract.
func (s *Store) PutScheduled(ctx context.Context, it chat.ScheduledItem, max int) error {
	ctx = withOp(ctx, "PutScheduled")
	if it.UserID == "" || it.ID == "" || it.RoomID == "" || it.At.IsZero() {
		return chat.Errorf(chat.Invalid, "a scheduled item needs a user, an id, a room and a time")
	}
	if max > 0 {
		all, err := s.ListScheduled(ctx, it.UserID)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range all {
			if o.State == chat.ScheduledPending || o.State == chat.ScheduledSending {
				n++
			}
		}
		if n >= max {
			return chat.Errorf(chat.Conflict, "you have %d scheduled messages and reminders already: send or cancel some first", n)
		}
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.now()
	}
	row := scheduledItem{PK: userPK(it.UserID), SK: schedSK(it.ID), Kind: string(it.Kind), RoomID: it.RoomID, At: utc(it.At),
		State: string(chat.ScheduledPending), Text: it.Text, ClientID: it.ClientID, Seq: it.Seq, CreatedAt: utc(it.CreatedAt)}
	if err := s.table.Put(row).If("attribute_not_exists($)", AttrPK).Run(ctx); err != nil {
		if isCondFailed(err) {
			return chat.Errorf(chat.Conflict, "scheduled item %s exists", it.ID)
		}
		return internal(err, "put scheduled item")
	}
	return nil
}

// GetScheduled is one consistent GetItem.
func (s *Store) GetScheduled(ctx context.Context, userID, id string) (chat.ScheduledItem, error) {
	ctx = withOp(ctx, "GetScheduled")
	var it scheduledItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, schedSK(id)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.ScheduledItem{}, errScheduledGone()
	}
	if err != nil {
		return chat.ScheduledItem{}, internal(err, "get scheduled item")
	}
	return it.item(userID), nil
}

func errScheduledGone() error {
	return chat.Errorf(chat.NotFound, "that scheduled message or reminder is gone (sent, cancelled or expired)")
}

// ListScheduled is one consistent Query of the SCHED# items.
func (s *Store) ListScheduled(ctx context.Context, userID string) ([]chat.ScheduledItem, error) {
	ctx = withOp(ctx, "ListScheduled")
	var items []scheduledItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.BeginsWith, prefixSched).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list scheduled items")
	}
	out := make([]chat.ScheduledItem, 0, len(items))
	now := s.now()
	for _, it := range items {
		if it.TTL > 0 && time.Unix(it.TTL, 0).Before(now) {
			continue // expired, not yet removed by TTL
		}
		out = append(out, it.item(userID))
	}
	return out, nil
}

// UpdateScheduled is one conditional UpdateItem (ALL_NEW).
func (s *Store) UpdateScheduled(ctx context.Context, userID, id string, oldAt time.Time, text string, at time.Time) (chat.ScheduledItem, error) {
	ctx = withOp(ctx, "UpdateScheduled")
	var it scheduledItem
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, schedSK(id)).Set("at", utc(at))
	setOrRemoveValue(u, "text", text, text == "")
	err := u.If("attribute_exists($) AND $ = ? AND $ = ?", AttrPK, "state", string(chat.ScheduledPending), "at", utc(oldAt)).
		Value(ctx, &it)
	if err != nil {
		return chat.ScheduledItem{}, s.scheduledCondErr(ctx, err, userID, id, "update scheduled item")
	}
	return it.item(userID), nil
}

// scheduledCondErr tells a gone item (NotFound) from one no longer
// pending or changed meanwhile (Conflict).
func (s *Store) scheduledCondErr(ctx context.Context, err error, userID, id, what string) error {
	if !isCondFailed(err) {
		return internal(err, what)
	}
	cur, gerr := s.GetScheduled(ctx, userID, id)
	if gerr != nil {
		return gerr
	}
	switch cur.State {
	case chat.ScheduledSending:
		return chat.Errorf(chat.Conflict, "it is being sent right now")
	case chat.ScheduledPending:
		return chat.Errorf(chat.Conflict, "it was changed meanwhile: reload and try again")
	}
	return chat.Errorf(chat.Conflict, "it is %s already", cur.State)
}

// DeleteScheduled is one conditional DeleteItem (ALL_OLD).
func (s *Store) DeleteScheduled(ctx context.Context, userID, id string, onlyPending bool) (chat.ScheduledItem, error) {
	ctx = withOp(ctx, "DeleteScheduled")
	var old scheduledItem
	d := s.table.Delete(AttrPK, userPK(userID)).Range(AttrSK, schedSK(id))
	if onlyPending {
		d = d.If("attribute_exists($) AND $ = ?", AttrPK, "state", string(chat.ScheduledPending))
	} else {
		d = d.If("attribute_exists($)", AttrPK)
	}
	if err := d.OldValue(ctx, &old); err != nil {
		if isCondFailed(err) && !onlyPending {
			return chat.ScheduledItem{}, errScheduledGone()
		}
		return chat.ScheduledItem{}, s.scheduledCondErr(ctx, err, userID, id, "delete scheduled item")
	}
	return old.item(userID), nil
}

// ClaimScheduled is one conditional UpdateItem (ALL_NEW).
func (s *Store) ClaimScheduled(ctx context.Context, userID, id string, at time.Time) (chat.ScheduledItem, error) {
	ctx = withOp(ctx, "ClaimScheduled")
	var it scheduledItem
	// The TTL lets an item whose delivery never finished (every retry
	// failed, the dead-letter queue not replayed) expire instead of
	// staying "sending" for ever; settling sets it again, a sent item is
	// deleted.
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, schedSK(id)).Set("state", string(chat.ScheduledSending)).
		Set("ttl", s.now().Add(chat.ScheduledKeep).Unix()).
		If("attribute_exists($) AND ($ = ? OR $ = ?) AND $ = ?", AttrPK, "state", string(chat.ScheduledPending), "state", string(chat.ScheduledSending), "at", utc(at)).
		Value(ctx, &it)
	if err != nil {
		if isCondFailed(err) {
			if _, gerr := s.GetScheduled(ctx, userID, id); gerr != nil {
				return chat.ScheduledItem{}, gerr
			}
			return chat.ScheduledItem{}, chat.Errorf(chat.Conflict, "stale schedule: the item was rescheduled or settled")
		}
		return chat.ScheduledItem{}, internal(err, "claim scheduled item")
	}
	return it.item(userID), nil
}

// SettleScheduled is one UpdateItem (ALL_NEW) of an existing item.
func (s *Store) SettleScheduled(ctx context.Context, userID, id string, state chat.ScheduledState, reason string, firedAt, expires time.Time) (chat.ScheduledItem, error) {
	ctx = withOp(ctx, "SettleScheduled")
	var it scheduledItem
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, schedSK(id)).
		Set("state", string(state)).Set("firedAt", utc(firedAt)).Set("ttl", expires.Unix())
	setOrRemoveValue(u, "reason", reason, reason == "")
	if err := u.If("attribute_exists($)", AttrPK).Value(ctx, &it); err != nil {
		if isCondFailed(err) {
			return chat.ScheduledItem{}, errScheduledGone()
		}
		return chat.ScheduledItem{}, internal(err, "settle scheduled item")
	}
	return it.item(userID), nil
}
