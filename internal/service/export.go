package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Export my data (issue 15). The request stores the person's export record
// (one conditional write: one running export per person) and puts a job on
// the export queue; the worker (internal/export, functions/export) writes
// the archive and calls StartExport, then FinishExport or FailExport, which
// tell the person's connections (and the asking admin's). The archive is
// handed out through requestExportDownload: a fresh presigned GET of a few
// minutes each time, signed by the actions function, so a link never
// depends on the worker's temporary credentials.

// exportDownloadTTL is how long one download URL of an archive works.
const exportDownloadTTL = downloadURLTTL

func newExportID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "x_" + base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Chat) exportsEnabled() error {
	if s.exportQueue == nil || s.exports == nil || s.blobs == nil {
		return chat.Errorf(chat.Invalid, "data export is not enabled on this server")
	}
	return nil
}

// RequestExport asks for an archive of the caller's data.
func (s *Chat) RequestExport(ctx context.Context, c chat.Connection) (protocol.ExportEvent, error) {
	if err := chat.Authorize(chat.ActRequestExport, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ExportEvent{}, err
	}
	return s.startExport(ctx, c, c.UserID)
}

// ExportUser is a workspace admin exporting a person's data on their
// request: the archive is the person's; the admin who asked may download
// it, and both are told when it is ready. Audited.
func (s *Chat) ExportUser(ctx context.Context, c chat.Connection, r protocol.ExportUserRequest) (protocol.ExportEvent, error) {
	if err := chat.Authorize(chat.ActExportUser, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ExportEvent{}, err
	}
	if r.UserID == "" {
		return protocol.ExportEvent{}, chat.Errorf(chat.Invalid, "userId is required")
	}
	if _, err := s.store.GetProfile(ctx, r.UserID); err != nil {
		return protocol.ExportEvent{}, storeErr(err, "get profile")
	}
	ev, err := s.startExport(ctx, c, r.UserID)
	if err != nil {
		return ev, err
	}
	s.audit(ctx, c, chat.ActExportUser, "", r.UserID, 0, "", ev.Export.ID)
	return ev, nil
}

func (s *Chat) startExport(ctx context.Context, c chat.Connection, userID string) (protocol.ExportEvent, error) {
	if err := s.exportsEnabled(); err != nil {
		return protocol.ExportEvent{}, err
	}
	now := s.clock()
	id := newExportID()
	e := chat.Export{ID: id, UserID: userID, State: chat.ExportPending, RequestedBy: c.UserID, CreatedAt: now,
		Key: chat.ExportKey(userID, id)}
	if err := s.exports.CreateExport(ctx, e, now); err != nil {
		return protocol.ExportEvent{}, storeErr(err, "create export")
	}
	if err := s.exportQueue.EnqueueExport(ctx, chat.ExportJob{ExportID: id, UserID: userID}); err != nil {
		// Nothing will run it: record the failure so it blocks nobody.
		e.State, e.Error = chat.ExportFailed, "the export could not be started: try again"
		if uerr := s.exports.UpdateExport(context.WithoutCancel(ctx), e); uerr != nil {
			s.log.ErrorContext(ctx, "export: record a failed enqueue", slog.Any("error", uerr))
		}
		return protocol.ExportEvent{}, storeErr(err, "queue export")
	}
	ev := exportEvent(e)
	if c.UserID != userID { // the person sees an export of their data start
		s.toUser(ctx, userID, "", ev)
	}
	return ev, nil
}

func exportEvent(e chat.Export) protocol.ExportEvent {
	return protocol.ExportEvent{Head: protocol.Head{Type: protocol.EventExport}, Export: &e}
}

// ExportStatus answers the caller's latest export; Export is nil when
// they have none (or it expired).
func (s *Chat) ExportStatus(ctx context.Context, c chat.Connection) (protocol.ExportEvent, error) {
	if err := chat.Authorize(chat.ActExportStatus, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ExportEvent{}, err
	}
	if err := s.exportsEnabled(); err != nil {
		return protocol.ExportEvent{}, err
	}
	e, err := s.exports.GetExport(ctx, c.UserID)
	if chat.ErrorCode(err) == chat.NotFound || (err == nil && e.State == chat.ExportReady && !e.Downloadable(s.clock())) {
		return protocol.ExportEvent{Head: protocol.Head{Type: protocol.EventExport}}, nil
	}
	if err != nil {
		return protocol.ExportEvent{}, storeErr(err, "get export")
	}
	return exportEvent(e), nil
}

// RequestExportDownload hands a fresh short presigned GET of a ready
// archive to its owner, or to the admin who asked for it (still an admin).
// Anyone else is told there is no such export (not_found), so whether a
// person has one cannot be probed.
func (s *Chat) RequestExportDownload(ctx context.Context, c chat.Connection, r protocol.ExportDownloadRequest) (protocol.ExportDownloadEvent, error) {
	if err := chat.Authorize(chat.ActRequestExportDownload, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ExportDownloadEvent{}, err
	}
	if err := s.exportsEnabled(); err != nil {
		return protocol.ExportDownloadEvent{}, err
	}
	userID := r.UserID
	if userID == "" {
		userID = c.UserID
	}
	if userID != c.UserID {
		if err := chat.Authorize(chat.ActExportUser, chat.Access{Groups: c.Groups}); err != nil {
			return protocol.ExportDownloadEvent{}, chat.Errorf(chat.NotFound, "no export to download")
		}
	}
	e, err := s.exports.GetExport(ctx, userID)
	if chat.ErrorCode(err) == chat.NotFound || (err == nil && userID != c.UserID && e.RequestedBy != c.UserID) {
		return protocol.ExportDownloadEvent{}, chat.Errorf(chat.NotFound, "no export to download")
	}
	if err != nil {
		return protocol.ExportDownloadEvent{}, storeErr(err, "get export")
	}
	now := s.clock()
	if !e.Downloadable(now) {
		if e.State == chat.ExportReady {
			return protocol.ExportDownloadEvent{}, chat.Errorf(chat.NotFound, "the export has expired: ask for a new one")
		}
		return protocol.ExportDownloadEvent{}, chat.Errorf(chat.Conflict, "the export is not ready yet")
	}
	name := "backchannel-export-" + e.CreatedAt.Format("2006-01-02") + ".zip"
	req, err := s.blobs.PresignDownload(ctx, e.Key, "", chat.ResponseHeaders{ContentType: "application/zip",
		ContentDisposition: media.ContentDisposition("attachment", name)}, exportDownloadTTL)
	if err != nil {
		return protocol.ExportDownloadEvent{}, storeErr(err, "presign export download")
	}
	return protocol.ExportDownloadEvent{Head: protocol.Head{Type: protocol.EventExportDownload}, ExportID: e.ID,
		URL: req.URL, ExpiresAt: now.Add(exportDownloadTTL)}, nil
}

// StartExport is the worker claiming job: the record as running, or
// ok=false when the job is stale (a newer export replaced it, or it
// already finished: a redelivered message).
func (s *Chat) StartExport(ctx context.Context, job chat.ExportJob) (chat.Export, bool, error) {
	if s.exports == nil {
		return chat.Export{}, false, chat.Errorf(chat.Internal, "exports are not configured")
	}
	e, err := s.exports.GetExport(ctx, job.UserID)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Export{}, false, nil
	}
	if err != nil {
		return chat.Export{}, false, err
	}
	if e.ID != job.ExportID || (e.State != chat.ExportPending && e.State != chat.ExportRunning) {
		return e, false, nil
	}
	e.State = chat.ExportRunning
	if err := s.exports.UpdateExport(ctx, e); err != nil {
		if chat.ErrorCode(err) == chat.NotFound {
			return e, false, nil
		}
		return chat.Export{}, false, err
	}
	return e, true, nil
}

// FinishExport records a written archive (e's Key, Size, Files,
// Messages) as ready for ExportValidFor and tells the person's
// connections and the asking admin's. It answers the record as stored and
// how many of the person's connections were told (0: the worker emails
// them instead).
func (s *Chat) FinishExport(ctx context.Context, e chat.Export) (chat.Export, int, error) {
	now := s.clock()
	e.State, e.ReadyAt, e.ExpiresAt, e.Error = chat.ExportReady, now, now.Add(chat.ExportValidFor), ""
	return s.endExport(ctx, e)
}

// FailExport records that the archive could not be written.
func (s *Chat) FailExport(ctx context.Context, e chat.Export, reason string) (chat.Export, int, error) {
	e.State, e.Error = chat.ExportFailed, reason
	return s.endExport(ctx, e)
}

func (s *Chat) endExport(ctx context.Context, e chat.Export) (chat.Export, int, error) {
	if err := s.exports.UpdateExport(ctx, e); err != nil {
		return e, 0, err
	}
	ev := exportEvent(e)
	n := s.toUser(ctx, e.UserID, "", ev)
	if e.RequestedBy != "" && e.RequestedBy != e.UserID {
		s.toUser(ctx, e.RequestedBy, "", ev)
	}
	return e, n, nil
}
