package chat

import (
	"context"
	"time"
)

// Export my data (issue 15): a person (or a workspace admin, for a person,
// on request) asks for an archive of their data; a worker (internal/export,
// functions/export) writes one zip to the files bucket under
// exports/<userId>/<id>.zip and tells them. The record is the durable part:
// the archive is handed out through fresh short presigned GETs while the
// record is valid (ExportValidFor), and the bucket's lifecycle rule removes
// the object a day after it was written.

// ExportState is where an export is.
type ExportState string

const (
	// ExportPending: asked for, waiting on the queue.
	ExportPending ExportState = "pending"
	// ExportRunning: the worker is writing the archive.
	ExportRunning ExportState = "running"
	// ExportReady: the archive is in the bucket until ExpiresAt.
	ExportReady ExportState = "ready"
	// ExportFailed: the worker gave up (Error says why, in plain words).
	ExportFailed ExportState = "failed"
)

// Export limits.
const (
	// ExportValidFor is how long a ready archive can be downloaded (the
	// bucket's lifecycle rule on ExportPrefix expires the object after a
	// day too).
	ExportValidFor = 24 * time.Hour
	// ExportStaleAfter: a pending or running export older than this no
	// longer blocks a new one (the worker's retries and the queue's
	// redrive are over by then: 15-minute function, 3 receives).
	ExportStaleAfter = time.Hour
	// ExportPrefix is where archives live in the files bucket.
	ExportPrefix = "exports/"
)

// Export is a person's latest export: one per person, the newest request
// replacing a finished one.
type Export struct {
	ID     string      `json:"id"`
	UserID string      `json:"userId"`
	State  ExportState `json:"state"`
	// RequestedBy is who asked: the person, or the admin who exported
	// their data (exportUser).
	RequestedBy string    `json:"requestedBy"`
	CreatedAt   time.Time `json:"createdAt"`
	ReadyAt     time.Time `json:"readyAt,omitzero"`
	// ExpiresAt is when a ready archive can no longer be downloaded.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Size is the archive's size in bytes; Files how many files it holds.
	Size  int64 `json:"size,omitempty"`
	Files int   `json:"files,omitempty"`
	// Messages is how many messages of theirs it holds.
	Messages int    `json:"messages,omitempty"`
	Error    string `json:"error,omitempty"`
	// Key is the archive's object key (never sent).
	Key string `json:"-"`
}

// ExportKey is the archive's object key.
func ExportKey(userID, id string) string { return ExportPrefix + userID + "/" + id + ".zip" }

// Active says whether e still blocks a new export at now.
func (e Export) Active(now time.Time) bool {
	return (e.State == ExportPending || e.State == ExportRunning) && now.Sub(e.CreatedAt) < ExportStaleAfter
}

// Downloadable says whether e's archive can be handed out at now.
func (e Export) Downloadable(now time.Time) bool {
	return e.State == ExportReady && now.Before(e.ExpiresAt)
}

// ExportJob is one export on the queue.
type ExportJob struct {
	ExportID string `json:"exportId"`
	UserID   string `json:"userId"`
}

// ExportStore keeps the export records (internal/dynamo/export.go).
type ExportStore interface {
	// CreateExport stores e as the person's export unless one is active
	// (Conflict): a conditional write, so two requests at once start one.
	CreateExport(ctx context.Context, e Export, now time.Time) error
	// GetExport returns the person's latest export (NotFound: none).
	GetExport(ctx context.Context, userID string) (Export, error)
	// UpdateExport stores e if the record still has e's id (NotFound
	// otherwise: a newer export replaced it).
	UpdateExport(ctx context.Context, e Export) error
}

// ExportQueue puts an export job on the export queue (internal/export).
type ExportQueue interface {
	EnqueueExport(ctx context.Context, job ExportJob) error
}
