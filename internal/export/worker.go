package export

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Jobs is the export records' side of the service (service.Chat).
type Jobs interface {
	StartExport(ctx context.Context, job chat.ExportJob) (chat.Export, bool, error)
	FinishExport(ctx context.Context, e chat.Export) (chat.Export, int, error)
	FailExport(ctx context.Context, e chat.Export, reason string) (chat.Export, int, error)
}

// Uploader stores the archive from disk (internal/s3blob.Store.PutFile).
type Uploader interface {
	PutFile(ctx context.Context, key, contentType string, body io.ReadSeeker, size int64) error
}

// Notifier tells a person with no open connection that their archive is
// ready (email: mail.go). Optional.
type Notifier interface {
	ExportReady(ctx context.Context, e chat.Export) error
}

// MaxAttempts: receives of a job that may fail before the worker records
// the export as failed (the queue's redrive moves it to the dead-letter
// queue after MaxAttempts+1).
const MaxAttempts = 3

// Worker handles the export queue's records (functions/export).
type Worker struct {
	Jobs     Jobs
	Archive  *Writer
	Uploader Uploader
	Notifier Notifier
	Logger   *slog.Logger
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

// Handle is the Lambda handler (SQS event source, batch size 1,
// ReportBatchItemFailures).
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := w.job(ctx, rec); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func receives(rec events.SQSMessage) int {
	var n int
	_, _ = fmt.Sscan(rec.Attributes["ApproximateReceiveCount"], &n)
	return n
}

// job runs one export; an error means "retry the record".
func (w *Worker) job(ctx context.Context, rec events.SQSMessage) error {
	log := w.log()
	j, err := DecodeJob(rec.Body)
	if err != nil {
		log.ErrorContext(ctx, "export job dropped: not a job", slog.String("messageId", rec.MessageId), slog.Any("error", err))
		return nil
	}
	e, ok, err := w.Jobs.StartExport(ctx, j)
	if err != nil {
		log.ErrorContext(ctx, "export: claim failed", slog.String("exportId", j.ExportID), slog.Any("error", err))
		return err
	}
	if !ok {
		log.InfoContext(ctx, "export job stale: skipped", slog.String("exportId", j.ExportID))
		return nil
	}
	st, size, err := w.build(ctx, e)
	if err != nil {
		log.ErrorContext(ctx, "export failed", slog.String("exportId", e.ID), slog.Int("receive", receives(rec)), slog.Any("error", err))
		if receives(rec) < MaxAttempts {
			return err
		}
		if _, _, ferr := w.Jobs.FailExport(ctx, e, "the archive could not be written: ask again"); ferr != nil {
			return ferr
		}
		return nil
	}
	e.Size, e.Files, e.Messages = size, st.Files, st.Messages
	e, told, err := w.Jobs.FinishExport(ctx, e)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "export ready", slog.String("exportId", e.ID), slog.Int64("bytes", size),
		slog.Int("messages", st.Messages), slog.Int("files", st.Files), slog.Int("connectionsTold", told))
	if told == 0 && w.Notifier != nil {
		if err := w.Notifier.ExportReady(ctx, e); err != nil {
			log.WarnContext(ctx, "export: ready email not sent", slog.String("exportId", e.ID), slog.Any("error", err))
		}
	}
	return nil
}

// build writes the archive to a temporary file and uploads it from disk.
func (w *Worker) build(ctx context.Context, e chat.Export) (Stats, int64, error) {
	f, err := os.CreateTemp(w.Archive.TempDir, "archive-*.zip")
	if err != nil {
		return Stats{}, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	st, err := w.Archive.Write(ctx, e.UserID, f)
	if err != nil {
		return st, 0, err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return st, 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return st, 0, err
	}
	if err := w.Uploader.PutFile(ctx, e.Key, "application/zip", f, size); err != nil {
		return st, 0, fmt.Errorf("upload: %w", err)
	}
	return st, size, nil
}
