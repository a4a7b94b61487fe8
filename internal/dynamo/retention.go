package dynamo

// Retention (issue 15): the workspace's settings item, a room's retention
// (an attribute of its META item), the expiry (ttl) stamped on a message
// and what hangs off it, the read-time filter of what is past its expiry
// (TTL deletes up to days late), and the re-stamp after a retention change.
//
//	settings  pk WORKSPACE   sk SETTINGS    retentionDays, updatedBy, updatedAt
//	room      pk ROOM#<id>   sk META        ret? (days; absent: the workspace's)
//	message   pk MSG#<id>    sk <seq20>     ttl? (createdAt + the room's effective retention)
//	  and with the message's ttl: its idempotency item (CLIENT#…), its edit
//	  versions (VER#…) and its search postings (SRCH#<id> <term>#<seq20>).

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/search"
)

const (
	pkWorkspace   = "WORKSPACE"
	skSettings    = "SETTINGS"
	attrRetention = "ret"
)

var _ chat.RetentionStore = (*Store)(nil)

type settingsItem struct {
	PK            string    `dynamo:"pk"`
	SK            string    `dynamo:"sk"`
	RetentionDays int       `dynamo:"retentionDays"`
	UpdatedBy     string    `dynamo:"updatedBy,omitempty"`
	UpdatedAt     time.Time `dynamo:"updatedAt,omitempty"`
}

// GetWorkspaceSettings is one GetItem (consistent).
func (s *Store) GetWorkspaceSettings(ctx context.Context) (chat.WorkspaceSettings, bool, error) {
	ctx = withOp(ctx, "GetWorkspaceSettings")
	var it settingsItem
	err := s.table.Get(AttrPK, pkWorkspace).Range(AttrSK, gdynamo.Equal, skSettings).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.WorkspaceSettings{}, false, nil
	}
	if err != nil {
		return chat.WorkspaceSettings{}, false, internal(err, "read workspace settings")
	}
	return chat.WorkspaceSettings{RetentionDays: it.RetentionDays, UpdatedBy: it.UpdatedBy, UpdatedAt: it.UpdatedAt}, true, nil
}

// PutWorkspaceSettings is one PutItem.
func (s *Store) PutWorkspaceSettings(ctx context.Context, ws chat.WorkspaceSettings) error {
	ctx = withOp(ctx, "PutWorkspaceSettings")
	it := settingsItem{PK: pkWorkspace, SK: skSettings, RetentionDays: ws.RetentionDays, UpdatedBy: ws.UpdatedBy, UpdatedAt: utc(ws.UpdatedAt)}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "store workspace settings")
	}
	return nil
}

// SetRoomRetention is one UpdateItem of the room's META (SET or REMOVE
// ret, `attribute_exists(pk) AND attribute_not_exists(deleted)`), then the
// GetRoom Query.
func (s *Store) SetRoomRetention(ctx context.Context, roomID string, days *int) (chat.Room, error) {
	ctx = withOp(ctx, "SetRoomRetention")
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
		If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "deleted")
	if days != nil {
		u.Set(attrRetention, *days)
	} else {
		u.Remove(attrRetention)
	}
	err := u.Run(ctx)
	if isCondFailed(err) {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return chat.Room{}, internal(err, "set room retention")
	}
	return s.GetRoom(ctx, roomID)
}

// RestampMessages re-stamps up to limit messages after afterSeq: one
// Query (consistent, ascending) of the message range, then per message an
// UpdateItem of its ttl (SET, or REMOVE for 0 days) `attribute_exists(pk)`,
// and the same for its idempotency item, its edit versions (a Query of
// VER#<seq20>#, for edited messages only) and its search postings (one
// per term). A message removed meanwhile is skipped. Idempotent: a pass
// can run again from any seq.
func (s *Store) RestampMessages(ctx context.Context, roomID string, days int, afterSeq int64, limit int) (int64, bool, error) {
	ctx = withOp(ctx, "RestampMessages")
	if limit <= 0 {
		limit = 100
	}
	var items []messageItem
	err := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.Between, seqSK(afterSeq+1), seqSKMax).
		Consistent(true).Limit(limit+1).All(ctx, &items)
	if err != nil {
		return afterSeq, false, internal(err, "read messages to re-stamp")
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	last := afterSeq
	for _, it := range items {
		m := it.message()
		ttl := unixOrZero(chat.MessageExpiry(m.CreatedAt, days))
		if err := s.stampTTL(ctx, it.PK, it.SK, ttl); err != nil {
			return last, true, err
		}
		if m.ClientID != "" {
			if err := s.stampTTL(ctx, it.PK, clientSK(m.SenderID, m.ClientID), ttl); err != nil {
				return last, true, err
			}
		}
		if !m.EditedAt.IsZero() {
			var vers []versionItem
			if err := s.table.Get(AttrPK, it.PK).Range(AttrSK, gdynamo.BeginsWith, verPrefix(m.Seq)).All(ctx, &vers); err != nil {
				return last, true, internal(err, "read versions to re-stamp")
			}
			for _, v := range vers {
				if err := s.stampTTL(ctx, v.PK, v.SK, ttl); err != nil {
					return last, true, err
				}
			}
		}
		for _, p := range search.Postings(m) {
			if err := s.stampTTL(ctx, searchPK(m.RoomID), postingSK(p.Term, p.Seq), ttl); err != nil {
				return last, true, err
			}
		}
		last = m.Seq
	}
	return last, more, nil
}

// ContinueRestamp is one UpdateItem of the room's META: SET rsf, ADD rsp 1
// (`attribute_exists(pk) AND attribute_not_exists(deleted)`; a deleted or
// missing room is left alone).
func (s *Store) ContinueRestamp(ctx context.Context, roomID string, from int64) error {
	ctx = withOp(ctx, "ContinueRestamp")
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
		Set("rsf", from).Add("rsp", 1).
		If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "deleted").Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "continue re-stamp")
	}
	return nil
}

// restampCue is the re-stamp's cue in a room's MODIFY: its retention
// changed (from the start), or a pass asked for the next (ContinueRestamp).
func restampCue(o, n roomItem) (chat.RoomRestamp, bool) {
	if !sameDays(o.Ret, n.Ret) {
		return chat.RoomRestamp{RoomID: n.RoomID, Pass: n.RestampPass}, true
	}
	if o.RestampPass != n.RestampPass {
		return chat.RoomRestamp{RoomID: n.RoomID, From: n.RestampFrom, Pass: n.RestampPass}, true
	}
	return chat.RoomRestamp{}, false
}

func sameDays(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// stampTTL sets (or, for 0, removes) an existing item's ttl; a missing item
// is left alone.
func (s *Store) stampTTL(ctx context.Context, pk, sk string, ttl int64) error {
	u := s.table.Update(AttrPK, pk).Range(AttrSK, sk).If("attribute_exists($)", AttrPK)
	if ttl > 0 {
		u.Set(AttrTTL, ttl)
	} else {
		u.Remove(AttrTTL)
	}
	err := u.Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "re-stamp expiry")
	}
	return nil
}

// expiredItem says whether an item with this ttl is past it: reads leave
// it out, as if TTL had deleted it already.
func (s *Store) expiredItem(ttl int64) bool {
	return ttl > 0 && !s.now().Before(time.Unix(ttl, 0))
}

// filterLive adds the filter that leaves out items past their ttl.
func (s *Store) filterLive(q *gdynamo.Query) *gdynamo.Query {
	return q.Filter("attribute_not_exists($) OR $ > ?", AttrTTL, AttrTTL, s.now().Unix())
}

func errMessageExpired(roomID string, seq int64) error {
	return chat.Errorf(chat.NotFound, "message %d not found in %s", seq, roomID)
}
