package digest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	gdynamo "github.com/guregu/dynamo/v2"
)

// Item is one missed message.
type Item struct {
	RoomID string
	Seq    int64
	Reason string
	At     time.Time // when it was missed (Missed ran)
}

func (it Item) key() string { return fmt.Sprintf("%s#%020d", it.RoomID, it.Seq) }

// Head is a person's digest state.
type Head struct {
	DueAt      time.Time // a digest is pending (its schedule's time); zero: none
	Schedule   string    // the pending schedule's name
	LastSentAt time.Time
	LeaseUntil time.Time // a Fire is sending until then
}

// Store keeps pending digests. Every change of the head is conditional on
// its due time, so that a stale or repeated invocation changes nothing.
type Store interface {
	// AddItem stores it (again: idempotent), gone after expires.
	AddItem(ctx context.Context, userID string, it Item, expires time.Time) error
	Items(ctx context.Context, userID string) ([]Item, error)
	DeleteItems(ctx context.Context, userID string, items []Item) error
	Head(ctx context.Context, userID string) (Head, error)
	// ClaimDue sets dueAt and the schedule name if dueAt is prev (zero:
	// none is pending), reporting whether it did.
	ClaimDue(ctx context.Context, userID string, prev, due time.Time, schedule string) (bool, error)
	// MoveDue sets dueAt from from to to (zero: removes it) and drops the
	// lease, if dueAt is from.
	MoveDue(ctx context.Context, userID string, from, to time.Time, schedule string) (bool, error)
	// Lease holds the pending digest due at due until until, if it is
	// pending and no live lease holds it.
	Lease(ctx context.Context, userID string, due, now, until time.Time) (bool, error)
	ReleaseLease(ctx context.Context, userID string, due time.Time) error
	// Finish ends the digest due at due (if it is still that one); a
	// non-zero sentAt becomes lastSentAt.
	Finish(ctx context.Context, userID string, due, sentAt time.Time) error
	// Clear drops every pending item and the pending digest, returning
	// the head as it was (its schedule is the caller's to delete).
	Clear(ctx context.Context, userID string) (Head, error)
}

// Keys: the person's partition, next to their profile. Neither kind of
// item makes a domain event (dynamo.EventSourceKeys matches USER#…/PROFILE
// only), so the stream function is not invoked for them.
const (
	skHead       = "DIGEST"
	skItemPrefix = "DIGEST#"
)

func userPK(userID string) string { return "USER#" + userID }

// DynamoStore keeps the digests in the chat's table.
//
// Costs: Missed writes its item (1 WCU) and reads the head (0.5 RCU); the
// first one of a digest also claims the head (1 WCU). Fire: 1 WCU lease,
// a Query of the items (0.5 RCU per 4 KB), 1 WCU finish, 1 WCU per item
// deleted (BatchWriteItem).
type DynamoStore struct{ table gdynamo.Table }

// NewDynamoStore uses table through client.
func NewDynamoStore(client *dynamodb.Client, table string) *DynamoStore {
	return &DynamoStore{table: gdynamo.NewFromIface(client).Table(table)}
}

type headItem struct {
	PK         string `dynamo:"pk"`
	SK         string `dynamo:"sk"`
	DueAt      int64  `dynamo:"dueAt,omitempty"` // Unix milliseconds
	Schedule   string `dynamo:"schedule,omitempty"`
	LastSentAt int64  `dynamo:"lastSentAt,omitempty"`
	LeaseUntil int64  `dynamo:"leaseUntil,omitempty"`
}

type itemItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	RoomID string `dynamo:"roomId"`
	Seq    int64  `dynamo:"seq"`
	Reason string `dynamo:"reason,omitempty"`
	At     int64  `dynamo:"at"`
	TTL    int64  `dynamo:"ttl"`
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func (s *DynamoStore) AddItem(ctx context.Context, userID string, it Item, expires time.Time) error {
	err := s.table.Put(itemItem{PK: userPK(userID), SK: skItemPrefix + it.key(), RoomID: it.RoomID, Seq: it.Seq,
		Reason:                              it.Reason, At: ms(it.At), TTL: expires.Unix()}).
		If("attribute_not_exists($)", "pk"). // the first At stays
		Run(ctx)
	_, err = condResult(err)
	return err
}

func (s *DynamoStore) Items(ctx context.Context, userID string) ([]Item, error) {
	var rows []itemItem
	err := s.table.Get("pk", userPK(userID)).Range("sk", gdynamo.BeginsWith, skItemPrefix).Consistent(true).All(ctx, &rows)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(rows))
	for i, r := range rows {
		items[i] = Item{RoomID: r.RoomID, Seq: r.Seq, Reason: r.Reason, At: fromMS(r.At)}
	}
	return items, nil
}

func (s *DynamoStore) DeleteItems(ctx context.Context, userID string, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	keys := make([]gdynamo.Keyed, len(items))
	for i, it := range items {
		keys[i] = gdynamo.Keys{userPK(userID), skItemPrefix + it.key()}
	}
	_, err := s.table.Batch("pk", "sk").Write().Delete(keys...).Run(ctx)
	return err
}

func (s *DynamoStore) Head(ctx context.Context, userID string) (Head, error) {
	var h headItem
	err := s.table.Get("pk", userPK(userID)).Range("sk", gdynamo.Equal, skHead).Consistent(true).One(ctx, &h)
	if err == gdynamo.ErrNotFound {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, err
	}
	return Head{DueAt: fromMS(h.DueAt), Schedule: h.Schedule, LastSentAt: fromMS(h.LastSentAt), LeaseUntil: fromMS(h.LeaseUntil)}, nil
}

func (s *DynamoStore) update(userID string) *gdynamo.Update {
	return s.table.Update("pk", userPK(userID)).Range("sk", skHead)
}

// ifDue conditions u on dueAt being due (zero: absent).
func ifDue(u *gdynamo.Update, due time.Time) *gdynamo.Update {
	if due.IsZero() {
		return u.If("attribute_not_exists(dueAt)")
	}
	return u.If("dueAt = ?", ms(due))
}

func condResult(err error) (bool, error) {
	if gdynamo.IsCondCheckFailed(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *DynamoStore) ClaimDue(ctx context.Context, userID string, prev, due time.Time, schedule string) (bool, error) {
	u := s.update(userID).Set("dueAt", ms(due)).Set("schedule", schedule).Remove("leaseUntil")
	return condResult(ifDue(u, prev).Run(ctx))
}

func (s *DynamoStore) MoveDue(ctx context.Context, userID string, from, to time.Time, schedule string) (bool, error) {
	u := s.update(userID).Remove("leaseUntil")
	if to.IsZero() {
		u.Remove("dueAt").Remove("schedule")
	} else {
		u.Set("dueAt", ms(to)).Set("schedule", schedule)
	}
	return condResult(ifDue(u, from).Run(ctx))
}

func (s *DynamoStore) Lease(ctx context.Context, userID string, due, now, until time.Time) (bool, error) {
	u := s.update(userID).Set("leaseUntil", ms(until)).
		If("dueAt = ?", ms(due)).
		If("(attribute_not_exists(leaseUntil) OR leaseUntil < ?)", ms(now))
	return condResult(u.Run(ctx))
}

func (s *DynamoStore) ReleaseLease(ctx context.Context, userID string, due time.Time) error {
	_, err := condResult(s.update(userID).Remove("leaseUntil").If("dueAt = ?", ms(due)).Run(ctx))
	return err
}

func (s *DynamoStore) Finish(ctx context.Context, userID string, due, sentAt time.Time) error {
	u := s.update(userID).Remove("dueAt").Remove("schedule").Remove("leaseUntil").If("dueAt = ?", ms(due))
	if !sentAt.IsZero() {
		u.Set("lastSentAt", ms(sentAt))
	}
	_, err := condResult(u.Run(ctx))
	return err
}

func (s *DynamoStore) Clear(ctx context.Context, userID string) (Head, error) {
	var old headItem
	err := s.update(userID).Remove("dueAt").Remove("schedule").Remove("leaseUntil").OldValue(ctx, &old)
	if err != nil && err != gdynamo.ErrNotFound {
		return Head{}, err
	}
	items, err := s.Items(ctx, userID)
	if err != nil {
		return Head{}, err
	}
	if err := s.DeleteItems(ctx, userID, items); err != nil {
		return Head{}, err
	}
	return Head{DueAt: fromMS(old.DueAt), Schedule: old.Schedule, LastSentAt: fromMS(old.LastSentAt)}, nil
}

// MemStore is a Store in memory, for tests.
type MemStore struct {
	mu    sync.Mutex
	heads map[string]Head
	items map[string]map[string]Item
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{heads: map[string]Head{}, items: map[string]map[string]Item{}}
}

func (m *MemStore) AddItem(_ context.Context, userID string, it Item, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items[userID] == nil {
		m.items[userID] = map[string]Item{}
	}
	if _, ok := m.items[userID][it.key()]; !ok {
		m.items[userID][it.key()] = it
	}
	return nil
}

func (m *MemStore) Items(_ context.Context, userID string) ([]Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.items[userID]))
	for k := range m.items[userID] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Item, len(keys))
	for i, k := range keys {
		out[i] = m.items[userID][k]
	}
	return out, nil
}

func (m *MemStore) DeleteItems(_ context.Context, userID string, items []Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		delete(m.items[userID], it.key())
	}
	return nil
}

func (m *MemStore) Head(_ context.Context, userID string) (Head, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.heads[userID], nil
}

func (m *MemStore) change(userID string, due time.Time, f func(*Head) bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.heads[userID]
	if !h.DueAt.Equal(due) {
		return false
	}
	if !f(&h) {
		return false
	}
	m.heads[userID] = h
	return true
}

func (m *MemStore) ClaimDue(_ context.Context, userID string, prev, due time.Time, schedule string) (bool, error) {
	return m.change(userID, prev, func(h *Head) bool {
		h.DueAt, h.Schedule, h.LeaseUntil = due, schedule, time.Time{}
		return true
	}), nil
}

func (m *MemStore) MoveDue(_ context.Context, userID string, from, to time.Time, schedule string) (bool, error) {
	if from.IsZero() {
		return false, nil
	}
	return m.change(userID, from, func(h *Head) bool {
		h.DueAt, h.Schedule, h.LeaseUntil = to, schedule, time.Time{}
		if to.IsZero() {
			h.Schedule = ""
		}
		return true
	}), nil
}

func (m *MemStore) Lease(_ context.Context, userID string, due, now, until time.Time) (bool, error) {
	if due.IsZero() {
		return false, nil
	}
	return m.change(userID, due, func(h *Head) bool {
		if !h.LeaseUntil.IsZero() && !h.LeaseUntil.Before(now) {
			return false
		}
		h.LeaseUntil = until
		return true
	}), nil
}

func (m *MemStore) ReleaseLease(_ context.Context, userID string, due time.Time) error {
	m.change(userID, due, func(h *Head) bool { h.LeaseUntil = time.Time{}; return true })
	return nil
}

func (m *MemStore) Finish(_ context.Context, userID string, due, sentAt time.Time) error {
	if due.IsZero() {
		return nil
	}
	m.change(userID, due, func(h *Head) bool {
		h.DueAt, h.Schedule, h.LeaseUntil = time.Time{}, "", time.Time{}
		if !sentAt.IsZero() {
			h.LastSentAt = sentAt
		}
		return true
	})
	return nil
}

func (m *MemStore) Clear(_ context.Context, userID string) (Head, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.heads[userID]
	h := old
	h.DueAt, h.Schedule, h.LeaseUntil = time.Time{}, "", time.Time{}
	m.heads[userID] = h
	delete(m.items, userID)
	return old, nil
}

// Pending reports the items of userID (for tests).
func (m *MemStore) Pending(userID string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items[userID])
}
