package dynamo

// The erasure's progress marker (issue 15, "Erasure and backups"): the
// tombstone profile an erasure writes is in gsi1 partition ERASED and has
// no erasedAt until the erasure's last pass has run (MarkErased). A table
// restored to a point taken while an erasure was running holds a tombstone
// without erasedAt (and some of the person's items not erased yet), which
// scripts/erasure-replay finds (PartialErasures) and queues again.
//
//	tombstone  pk USER#<id>  sk PROFILE  gsi1 (ERASED, <id>)  deleted, erasedAt? (when it finished)

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.ErasureMarker = (*Store)(nil)

// MarkErased is one UpdateItem of the tombstone: SET erasedAt
// (`deleted = true`; a profile that is no tombstone is left alone).
func (s *Store) MarkErased(ctx context.Context, userID string, at time.Time) error {
	ctx = withOp(ctx, "MarkErased")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).
		Set("erasedAt", at.UTC()).If("deleted = ?", true).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "mark the erasure finished")
	}
	return nil
}

// PartialErasures pages through the ERASED index (one Query of gsi1 a
// page) and returns the ids of tombstones whose erasure has not finished.
func (s *Store) PartialErasures(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	ctx = withOp(ctx, "PartialErasures")
	items, next, err := pageGSI(ctx, s, gsiErased, cursor, limit, func(it profileItem) string { return it.GSI1SK })
	if err != nil {
		return nil, "", err
	}
	var ids []string
	for _, it := range items {
		if it.Deleted && it.ErasedAt.IsZero() {
			ids = append(ids, it.UserID)
		}
	}
	return ids, next, nil
}
