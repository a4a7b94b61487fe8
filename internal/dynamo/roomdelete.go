package dynamo

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Deleting a channel is two parts.
//
// DeleteRoom, in the request, writes only what is bounded by the room's
// membership: one transaction marks the room's META item deleted (out of
// the PUBLIC index; GetRoom and AddMember treat it as missing from then
// on) and releases its name claim; then the memberships are batch-deleted
// (the stream sees each as member.left). The META item's change from not
// deleted to deleted is the room.deleted record of the stream.
//
// PurgeRoom, in the stream function (internal/roompurge, invoked by that
// record), removes the rest in bounded passes: the messages and their
// idempotency items (each message's removal reaches the file sweeper as
// message.deleted with its files), the fan-out index shards, the bans,
// invitations, the message counter and any membership left, and it
// replaces the message copy of every report filed in the room with a
// tombstone. A pass stops after maxItems items (or near the invocation's
// deadline) and bumps the META item's purgePass: that MODIFY record
// invokes the purger again. The META item goes last, when nothing else of
// the room is left.

// reportRefItem points from a room to a report filed in it, so that the
// purge finds the reports of a deleted channel (resolved ones have left
// the REPORTS index): pk ROOM#<roomId>, sk REPORT#<reportId>.
type reportRefItem struct {
	PK       string `dynamo:"pk"`
	SK       string `dynamo:"sk"`
	ReportID string `dynamo:"reportId"`
	Seq      int64  `dynamo:"seq"`
}

// DeleteRoom deletes a channel for everyone at once (see above): NotFound
// if there is no such room or it is deleted already. by is who deleted it
// (the room.deleted event's actor).
//
// Cost: one strongly consistent read of the room, one transaction of two
// items (4 WCU), one Query of the memberships and one write unit per member.
func (s *Store) DeleteRoom(ctx context.Context, roomID, by string) error {
	ctx = withOp(ctx, "DeleteRoom")
	room, err := s.GetRoom(ctx, roomID)
	if err != nil {
		return err
	}
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
		Set("deleted", true).Set("deletedAt", s.now().UTC()).
		Remove(AttrGSI1PK).Remove(AttrGSI1SK).
		If("attribute_exists($) AND attribute_not_exists(deleted)", AttrPK)
	if by != "" {
		u.Set("deletedBy", by)
	}
	tx := s.db.WriteTx().Update(u)
	if claimsName(room.Kind, room.Name) {
		tx.Delete(s.table.Delete(AttrPK, chanNamePK(room.Name)).Range(AttrSK, skClaim).If("roomId = ?", roomID))
	}
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if txCondFailedAt(err, 0) {
		return chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if isCondFailed(err) { // the claim is another room's (or missing): the room alone
		err = retryConflicts(ctx, func() error { return u.Run(ctx) })
		if isCondFailed(err) {
			return chat.Errorf(chat.NotFound, "room %s not found", roomID)
		}
	}
	if err != nil {
		return internal(err, "delete room "+roomID)
	}
	// The memberships: the room disappears from its members' state now.
	// If this fails the purge removes what is left.
	var members []keyItem
	if err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixMember).
		Project(AttrPK, AttrSK).Consistent(true).All(ctx, &members); err != nil {
		return internal(err, "list members of deleted room "+roomID)
	}
	if err := s.deleteKeys(ctx, members); err != nil {
		return internal(err, "delete members of room "+roomID)
	}
	return nil
}

type keyItem struct {
	PK       string `dynamo:"pk"`
	SK       string `dynamo:"sk"`
	ReportID string `dynamo:"reportId"`
	Seq      int64  `dynamo:"seq"`
}

func (s *Store) deleteKeys(ctx context.Context, items []keyItem) error {
	if len(items) == 0 {
		return nil
	}
	keys := make([]gdynamo.Keyed, 0, len(items))
	for _, it := range items {
		keys = append(keys, gdynamo.Keys{it.PK, it.SK})
	}
	_, err := s.table.Batch(AttrPK, AttrSK).Write().Delete(keys...).Run(ctx)
	return err
}

// purgeDeadlineMargin: a pass stops when the invocation has less than this
// left, and continues in the next.
const purgeDeadlineMargin = 10 * time.Second

// PurgeRoom removes up to maxItems items of a deleted room (see above) and
// reports whether it stopped with items left, in which case it has bumped
// the room's purgePass (the stream invokes the purger again). A room that
// is missing (purged already) is nothing to do; a room that is not marked
// deleted is never purged. Idempotent: every pass starts from what is
// left, so a record handled twice costs a few reads.
//
// Cost: one write unit per item removed, one per report whose message copy
// is replaced, and a read unit per 4 KB of keys queried (a few per pass).
func (s *Store) PurgeRoom(ctx context.Context, roomID string, maxItems int) (more bool, err error) {
	ctx = withOp(ctx, "PurgeRoom")
	if maxItems <= 0 {
		maxItems = 1000
	}
	var meta roomItem
	err = s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, skMeta).Consistent(true).One(ctx, &meta)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "get room "+roomID)
	}
	if !meta.Deleted {
		return false, nil
	}
	pks := []string{msgPK(roomID)}
	for shard := range RoomConnShards {
		pks = append(pks, roomConnShardPK(roomID, shard))
	}
	pks = append(pks, roomPK(roomID))
	budget := maxItems
	for _, pk := range pks {
		for {
			if budget <= 0 || nearDeadline(ctx) {
				return true, s.continuePurge(ctx, roomID)
			}
			n := min(budget, 250)
			var items []keyItem
			q := s.table.Get(AttrPK, pk).Project(AttrPK, AttrSK, "reportId", "seq").Consistent(true)
			if pk == roomPK(roomID) {
				// The rows after META (META#SEQ, REPORT#); those before it
				// (BAN#, INVITE#, MEMBER#) below. META itself goes last.
				q = q.Range(AttrSK, gdynamo.Greater, skMeta)
			}
			if err := q.Limit(n).All(ctx, &items); err != nil {
				return false, internal(err, "list items of "+pk)
			}
			if len(items) == 0 {
				break
			}
			for _, it := range items {
				if strings.HasPrefix(it.SK, prefixReport) {
					if err := s.redactReport(ctx, roomID, it); err != nil {
						return false, err
					}
				}
			}
			if err := s.deleteKeys(ctx, items); err != nil {
				return false, internal(err, "purge items of "+pk)
			}
			budget -= len(items)
			if len(items) < n {
				break
			}
		}
		if pk == roomPK(roomID) {
			// The rows before META in sort order: BAN#, INVITE#, MEMBER#.
			for {
				if budget <= 0 || nearDeadline(ctx) {
					return true, s.continuePurge(ctx, roomID)
				}
				n := min(budget, 250)
				var items []keyItem
				if err := s.table.Get(AttrPK, pk).Range(AttrSK, gdynamo.Less, skMeta).
					Project(AttrPK, AttrSK, "reportId", "seq").Consistent(true).Limit(n).All(ctx, &items); err != nil {
					return false, internal(err, "list items of "+pk)
				}
				if len(items) == 0 {
					break
				}
				if err := s.deleteKeys(ctx, items); err != nil {
					return false, internal(err, "purge items of "+pk)
				}
				budget -= len(items)
				if len(items) < n {
					break
				}
			}
		}
	}
	err = s.table.Delete(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).If("deleted = ?", true).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return false, internal(err, "delete room item "+roomID)
	}
	return false, nil
}

func nearDeadline(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < purgeDeadlineMargin
}

// continuePurge bumps the deleted room's purgePass: the MODIFY record of
// the META item invokes the purger again (RoomPurgeContinued).
func (s *Store) continuePurge(ctx context.Context, roomID string) error {
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Add("purgePass", 1).
		If("deleted = ?", true).Run(ctx)
	if err != nil && !isCondFailed(err) { // gone: another pass finished it
		return internal(err, "continue purge of "+roomID)
	}
	return nil
}

// redactReport replaces the message copy of a report filed in a deleted
// room with a tombstone (room, seq, deleted): the report stays in the
// moderation history without the text or files of the channel.
func (s *Store) redactReport(ctx context.Context, roomID string, ref keyItem) error {
	id := ref.ReportID
	if id == "" {
		id = strings.TrimPrefix(ref.SK, prefixReport)
	}
	tomb, err := json.Marshal(chat.Message{RoomID: roomID, Seq: ref.Seq, Deleted: true})
	if err != nil {
		return internal(err, "encode report tombstone")
	}
	err = s.table.Update(AttrPK, prefixReport+id).Range(AttrSK, skMeta).Set("message", string(tomb)).
		Remove("decryptedText").If("attribute_exists($)", AttrPK).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "redact report "+id)
	}
	return nil
}
