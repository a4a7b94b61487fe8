package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// prefsItem holds a person's preferences: pk USER#<userId>, sk PREFS, the
// preferences as one JSON document and a version for optimistic
// concurrency (two devices saving at once: the second retries on the
// first's result). An item of its own, not profile attributes: profile
// writes are domain events, a preference change is nobody else's news
// (the stream's filter, EventSourceKeys, never matches it).
type prefsItem struct {
	PK      string `dynamo:"pk"`
	SK      string `dynamo:"sk"`
	Prefs   string `dynamo:"prefs"`
	Version int64  `dynamo:"ver"`
}

// pushSubItem is one Web Push subscription: pk USER#<userId>, sk
// PUSH#<sha256(endpoint), 32 hex digits>, so the same endpoint again
// replaces it and the sender deletes it by endpoint without a read.
type pushSubItem struct {
	PK        string    `dynamo:"pk"`
	SK        string    `dynamo:"sk"`
	Endpoint  string    `dynamo:"endpoint"`
	P256dh    string    `dynamo:"p256dh"`
	Auth      string    `dynamo:"auth"`
	Device    string    `dynamo:"device,omitempty"`
	CreatedAt time.Time `dynamo:"createdAt"`
}

const (
	skPrefs       = "PREFS"
	prefixPushSub = "PUSH#"
	prefsRetries  = 5
	attrHidden    = "hidden"
)

func pushSubSK(endpoint string) string {
	h := sha256.Sum256([]byte(endpoint))
	return prefixPushSub + hex.EncodeToString(h[:16])
}

// GetPreferences reads the item (GetItem, strongly consistent: 1 RCU for
// an item under 4 KB); the defaults when there is none.
func (s *Store) GetPreferences(ctx context.Context, userID string) (chat.Preferences, error) {
	ctx = withOp(ctx, "GetPreferences")
	p, _, err := s.getPrefs(ctx, userID)
	return p, err
}

func (s *Store) getPrefs(ctx context.Context, userID string) (chat.Preferences, int64, error) {
	var it prefsItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skPrefs).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.DefaultPreferences(), 0, nil
	}
	if err != nil {
		return chat.Preferences{}, 0, internal(err, "get preferences")
	}
	var p chat.Preferences
	if err := json.Unmarshal([]byte(it.Prefs), &p); err != nil {
		return chat.Preferences{}, 0, internal(err, "decode preferences")
	}
	return p.Normalize(), it.Version, nil
}

// UpdatePreferences reads, edits and writes back with a condition on the
// version read (GetItem + PutItem: 1 RCU + 1 WCU), retrying a few times
// when another device wrote in between.
func (s *Store) UpdatePreferences(ctx context.Context, userID string, edit func(*chat.Preferences) error) (chat.Preferences, error) {
	ctx = withOp(ctx, "UpdatePreferences")
	for range prefsRetries {
		p, ver, err := s.getPrefs(ctx, userID)
		if err != nil {
			return chat.Preferences{}, err
		}
		before := p.Clone()
		if err := edit(&p); err != nil {
			return chat.Preferences{}, err
		}
		p.PushKey = ""
		doc, err := json.Marshal(p)
		if err != nil {
			return chat.Preferences{}, internal(err, "encode preferences")
		}
		put := s.table.Put(prefsItem{PK: userPK(userID), SK: skPrefs, Prefs: string(doc), Version: ver + 1})
		if ver == 0 {
			put = put.If("attribute_not_exists($)", AttrPK)
		} else {
			put = put.If("$ = ?", "ver", ver)
		}
		err = put.Run(ctx)
		if isCondFailed(err) {
			continue
		}
		if err != nil {
			return chat.Preferences{}, internal(err, "put preferences")
		}
		if err := s.syncNotifyAll(ctx, userID, before, p); err != nil {
			return chat.Preferences{}, err
		}
		return p, nil
	}
	return chat.Preferences{}, chat.Errorf(chat.Conflict, "your preferences changed on another device meanwhile: try again")
}

// SetConnectionVisible sets `hidden` on the connection's user link (USER#
// <userId> / CONN#<connectionId>), the item UserPresence queries: one
// conditional UpdateItem, 1 WCU.
func (s *Store) SetConnectionVisible(ctx context.Context, userID, connID string, visible bool) error {
	ctx = withOp(ctx, "SetConnectionVisible")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, userConnSK(connID)).
		Set(attrHidden, !visible).
		If("attribute_exists($)", AttrPK).
		Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "connection %s not found", connID)
	}
	if err != nil {
		return internal(err, "set visibility")
	}
	return nil
}

// UserPresence is one Query of the user's CONN# links (as
// UserConnections), counting live ones and the visible among them.
func (s *Store) UserPresence(ctx context.Context, userID string) (int, int, error) {
	ctx = withOp(ctx, "UserPresence")
	var items []struct {
		Hidden bool  `dynamo:"hidden"`
		TTL    int64 `dynamo:"ttl"`
	}
	err := s.table.Get(AttrPK, userPK(userID)).
		Range(AttrSK, gdynamo.BeginsWith, prefixConn).
		Filter("$ > ?", AttrTTL, s.now().Unix()).
		Project(attrHidden, AttrTTL).
		Consistent(true).
		All(ctx, &items)
	if err != nil {
		return 0, 0, internal(err, "user presence")
	}
	visible := 0
	for _, it := range items {
		if !it.Hidden {
			visible++
		}
	}
	return len(items), visible, nil
}

// PutPushSubscription: one PutItem, one Query of the person's
// subscriptions, and a BatchWriteItem deleting the replaced and the
// oldest past max (usually none).
func (s *Store) PutPushSubscription(ctx context.Context, sub chat.PushSubscription, max int) error {
	ctx = withOp(ctx, "PutPushSubscription")
	if sub.UserID == "" || sub.Endpoint == "" {
		return chat.Errorf(chat.Invalid, "a push subscription needs a user and an endpoint")
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = s.now()
	}
	it := pushSubItem{
		PK: userPK(sub.UserID), SK: pushSubSK(sub.Endpoint), Endpoint: sub.Endpoint,
		P256dh: sub.P256dh, Auth: sub.Auth, Device: sub.Device, CreatedAt: utc(sub.CreatedAt),
	}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put push subscription")
	}
	all, err := s.PushSubscriptions(ctx, sub.UserID)
	if err != nil {
		return err
	}
	var drop []gdynamo.Keyed
	kept := 0
	for i := len(all) - 1; i >= 0; i-- { // newest first
		o := all[i]
		switch {
		case o.Endpoint == sub.Endpoint:
			kept++
		case sub.Device != "" && o.Device == sub.Device, max > 0 && kept >= max:
			drop = append(drop, gdynamo.Keys{userPK(sub.UserID), pushSubSK(o.Endpoint)})
		default:
			kept++
		}
	}
	if len(drop) > 0 {
		if _, err := s.table.Batch(AttrPK, AttrSK).Write().Delete(drop...).Run(ctx); err != nil {
			return internal(err, "drop old push subscriptions")
		}
	}
	return nil
}

// PushSubscriptions is one Query of the PUSH# items, oldest first.
func (s *Store) PushSubscriptions(ctx context.Context, userID string) ([]chat.PushSubscription, error) {
	ctx = withOp(ctx, "PushSubscriptions")
	var items []pushSubItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.BeginsWith, prefixPushSub).
		Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "push subscriptions")
	}
	out := make([]chat.PushSubscription, 0, len(items))
	for _, it := range items {
		out = append(out, chat.PushSubscription{
			UserID: userID, Endpoint: it.Endpoint, P256dh: it.P256dh, Auth: it.Auth,
			Device: it.Device, CreatedAt: it.CreatedAt,
		})
	}
	slices.SortStableFunc(out, func(a, b chat.PushSubscription) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// DeletePushSubscription is one DeleteItem returning the old item's key.
func (s *Store) DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	ctx = withOp(ctx, "DeletePushSubscription")
	var old pushSubItem
	err := s.table.Delete(AttrPK, userPK(userID)).Range(AttrSK, pushSubSK(endpoint)).OldValue(ctx, &old)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "delete push subscription")
	}
	return old.Endpoint != "", nil
}

// notifyAllItem marks a member who set a room to "all": pk ROOM#<roomId>,
// sk NOTIFYALL#<userId>. The notification consumer reads a channel's
// NOTIFYALL# items (one Query) instead of every member's preferences:
// besides them only the mentioned are candidates, so a message to a
// 10,000-member channel costs reads for the few it may notify. The
// items sort after META, so the room purge removes them with the room.
type notifyAllItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	UserID string `dynamo:"userId"`
}

const prefixNotifyAll = "NOTIFYALL#"

// syncNotifyAll writes the NOTIFYALL# items of the rooms whose level
// became "all" and deletes those of rooms whose level stopped being it
// (one BatchWriteItem, usually of one item). A failure here leaves the
// preferences stored: the next update of the room's level writes again.
func (s *Store) syncNotifyAll(ctx context.Context, userID string, before, after chat.Preferences) error {
	var puts []any
	var dels []gdynamo.Keyed
	for roomID := range before.Rooms {
		if before.Rooms[roomID].Level == chat.LevelAll && after.Rooms[roomID].Level != chat.LevelAll {
			dels = append(dels, gdynamo.Keys{roomPK(roomID), prefixNotifyAll + userID})
		}
	}
	for roomID, rn := range after.Rooms {
		if rn.Level == chat.LevelAll && before.Rooms[roomID].Level != chat.LevelAll {
			puts = append(puts, notifyAllItem{PK: roomPK(roomID), SK: prefixNotifyAll + userID, UserID: userID})
		}
	}
	if len(puts) == 0 && len(dels) == 0 {
		return nil
	}
	w := s.table.Batch(AttrPK, AttrSK).Write()
	if len(puts) > 0 {
		w = w.Put(puts...)
	}
	if len(dels) > 0 {
		w = w.Delete(dels...)
	}
	if _, err := w.Run(ctx); err != nil {
		return internal(err, "room notification index")
	}
	return nil
}

// RoomNotifyAll lists the people who set the room to "all" (one Query of
// its NOTIFYALL# items), members or not any more: the caller checks.
func (s *Store) RoomNotifyAll(ctx context.Context, roomID string) ([]string, error) {
	ctx = withOp(ctx, "RoomNotifyAll")
	var items []notifyAllItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixNotifyAll).
		Project("userId").All(ctx, &items)
	if err != nil {
		return nil, internal(err, "room notify-all index")
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.UserID
	}
	return ids, nil
}
