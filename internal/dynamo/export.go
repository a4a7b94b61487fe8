package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Export my data (issue 15): a person's latest export is one item of
// their partition:
//
//	export   pk USER#<userId> sk EXPORT   id, state, requestedBy, createdAt, readyAt?, expiresAt?, key?, size?, files?, messages?, error?, ttl
//
// CreateExport is one conditional PutItem: no item, or one that is
// neither pending nor running, or one created before the stale cut-off
// (chat.ExportStaleAfter). So two requests at once start one export, and
// a worker that died does not block the person for longer than an hour.
// The ttl (expiresAt, or createdAt + 2 days before the archive exists)
// removes the record once the archive has expired from the bucket too.
// The item is outside the stream's filter (sk of a USER# partition not
// named there).
const skExport = "EXPORT"

type exportItem struct {
	PK          string    `dynamo:"pk"`
	SK          string    `dynamo:"sk"`
	ID          string    `dynamo:"id"`
	State       string    `dynamo:"state"`
	RequestedBy string    `dynamo:"requestedBy"`
	CreatedAt   time.Time `dynamo:"createdAt"`
	ReadyAt     time.Time `dynamo:"readyAt,omitempty"`
	ExpiresAt   time.Time `dynamo:"expiresAt,omitempty"`
	Key         string    `dynamo:"key,omitempty"`
	Size        int64     `dynamo:"size,omitempty"`
	Files       int       `dynamo:"files,omitempty"`
	Messages    int       `dynamo:"messages,omitempty"`
	Error       string    `dynamo:"error,omitempty"`
	TTL         int64     `dynamo:"ttl,omitempty"`
}

func newExportItem(e chat.Export) exportItem {
	ttl := e.CreatedAt.Add(2 * chat.ExportValidFor)
	if !e.ExpiresAt.IsZero() {
		ttl = e.ExpiresAt.Add(chat.ExportValidFor)
	}
	return exportItem{PK: userPK(e.UserID), SK: skExport, ID: e.ID, State: string(e.State), RequestedBy: e.RequestedBy,
		CreatedAt: utc(e.CreatedAt), ReadyAt: zeroUTC(e.ReadyAt), ExpiresAt: zeroUTC(e.ExpiresAt), Key: e.Key,
		Size: e.Size, Files: e.Files, Messages: e.Messages, Error: e.Error, TTL: ttl.Unix()}
}

func (it exportItem) export(userID string) chat.Export {
	return chat.Export{ID: it.ID, UserID: userID, State: chat.ExportState(it.State), RequestedBy: it.RequestedBy,
		CreatedAt: it.CreatedAt.UTC(), ReadyAt: zeroUTC(it.ReadyAt), ExpiresAt: zeroUTC(it.ExpiresAt), Key: it.Key,
		Size: it.Size, Files: it.Files, Messages: it.Messages, Error: it.Error}
}

// CreateExport: one conditional PutItem (see above).
func (s *Store) CreateExport(ctx context.Context, e chat.Export, now time.Time) error {
	ctx = withOp(ctx, "CreateExport")
	if e.UserID == "" || e.ID == "" {
		return chat.Errorf(chat.Invalid, "an export needs a user and an id")
	}
	err := s.table.Put(newExportItem(e)).
		If("attribute_not_exists($) OR NOT ($ IN (?, ?)) OR $ < ?", AttrPK,
			"state", string(chat.ExportPending), string(chat.ExportRunning),
			"createdAt", utc(now.Add(-chat.ExportStaleAfter))).
		Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "an export of this person's data is already running: wait for it to finish")
	}
	if err != nil {
		return internal(err, "create export")
	}
	return nil
}

// GetExport is one consistent GetItem.
func (s *Store) GetExport(ctx context.Context, userID string) (chat.Export, error) {
	ctx = withOp(ctx, "GetExport")
	var it exportItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skExport).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Export{}, chat.Errorf(chat.NotFound, "no export")
	}
	if err != nil {
		return chat.Export{}, internal(err, "get export")
	}
	return it.export(userID), nil
}

// UpdateExport is one PutItem on condition that the record is still e's.
func (s *Store) UpdateExport(ctx context.Context, e chat.Export) error {
	ctx = withOp(ctx, "UpdateExport")
	err := s.table.Put(newExportItem(e)).If("$ = ?", "id", e.ID).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "export %s was replaced", e.ID)
	}
	if err != nil {
		return internal(err, "update export")
	}
	return nil
}

// RoomMessagesAfter pages every message of a room in seq order, thread
// replies included, from after+1: the export's read (eventually
// consistent, limit+1 items a Query; no filter, so a page costs only its
// own items).
func (s *Store) RoomMessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error) {
	ctx = withOp(ctx, "RoomMessagesAfter")
	q := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.Between, seqSK(max(after, 0)+1), seqSKMax).
		Order(gdynamo.Ascending)
	return s.messagePage(ctx, q, limit)
}
