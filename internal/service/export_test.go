package service_test

import (
	"context"
	"sync"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// exportJobs is the export queue of the service tests: it keeps the jobs.
type exportJobs struct {
	mu   sync.Mutex
	jobs []chat.ExportJob
	err  error
}

func (q *exportJobs) EnqueueExport(_ context.Context, j chat.ExportJob) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	q.jobs = append(q.jobs, j)
	return nil
}

func (q *exportJobs) all() []chat.ExportJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]chat.ExportJob(nil), q.jobs...)
}

// readyExport stores a ready export of userID's, asked for by by.
func readyExport(w *modWorld, userID, by string) chat.Export {
	now := w.clock()
	e := chat.Export{ID: "x-" + userID, UserID: userID, State: chat.ExportPending, RequestedBy: by, CreatedAt: now,
		Key: chat.ExportKey(userID, "x-"+userID)}
	if err := w.store.CreateExport(w.ctx, e, now); err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := w.svc.FinishExport(w.ctx, e); err != nil {
		w.t.Fatal(err)
	}
	return e
}

// The export actions in the authorization matrix: asking, the status and
// the own download are everyone's; exporting another person's data is for
// admins, and so is downloading it (only the admin who asked).
func init() {
	onlyAdmin := [9]chat.Code{nf, nf, nf, nf, nf, "", nf, nf, nf}
	workspaceCases = append(workspaceCases,
		modCase{name: "requestExport", want: everyone,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RequestExport(w.ctx, c)
				return err
			}},
		modCase{name: "exportStatus", want: everyone,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ExportStatus(w.ctx, c)
				return err
			}},
		modCase{name: "requestExportDownload own", want: everyone,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				readyExport(w, c.UserID, c.UserID)
				_, err := w.svc.RequestExportDownload(w.ctx, c, protocol.ExportDownloadRequest{})
				return err
			}},
		modCase{name: "requestExportDownload of a person, asked by the admin", want: onlyAdmin,
			setup: func(w *modWorld) { readyExport(w, w.tgt.UserID, w.p["admin"].UserID) },
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RequestExportDownload(w.ctx, c, protocol.ExportDownloadRequest{UserID: w.tgt.UserID})
				return err
			}},
		modCase{name: "exportUser", want: adminOnly,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ExportUser(w.ctx, c, protocol.ExportUserRequest{UserID: w.tgt.UserID})
				return err
			}},
	)
}

func TestExportLifecycle(t *testing.T) {
	q := &exportJobs{}
	w := newModWorld(t)
	// A second service over the same store with the test's queue.
	svc, err := service.New(service.Config{Store: w.store, Fanout: w.fan, Now: w.clock, Blobs: w.blobs, ExportQueue: q})
	if err != nil {
		t.Fatal(err)
	}
	mem := w.p["member"]

	// None yet.
	st, err := svc.ExportStatus(w.ctx, mem)
	if err != nil || st.Export != nil {
		t.Fatalf("status before: %+v, %v", st, err)
	}
	ev, err := svc.RequestExport(w.ctx, mem)
	if err != nil || ev.Export == nil || ev.Export.State != chat.ExportPending || ev.Export.RequestedBy != mem.UserID {
		t.Fatalf("request: %+v, %v", ev, err)
	}
	if jobs := q.all(); len(jobs) != 1 || jobs[0] != (chat.ExportJob{ExportID: ev.Export.ID, UserID: mem.UserID}) {
		t.Fatalf("jobs %+v", jobs)
	}
	// One running export per person: a clear conflict.
	_, err = svc.RequestExport(w.ctx, mem)
	wantCode(t, err, chat.Conflict)
	// Not ready: no download.
	_, err = svc.RequestExportDownload(w.ctx, mem, protocol.ExportDownloadRequest{})
	wantCode(t, err, chat.Conflict)

	// The worker claims it (a redelivered job is stale once finished).
	e, ok, err := svc.StartExport(w.ctx, q.all()[0])
	if err != nil || !ok || e.State != chat.ExportRunning {
		t.Fatalf("start: %+v %v %v", e, ok, err)
	}
	w.fan.Reset()
	e.Size, e.Files, e.Messages = 1234, 1, 3
	_, n, err := svc.FinishExport(w.ctx, e)
	if err != nil || n != 1 {
		t.Fatalf("finish: told %d, %v", n, err)
	}
	if sends := w.fan.Sends(); len(sends) != 1 {
		t.Fatalf("pushed %d events, want one to the member's connection", len(sends))
	}
	if _, ok, _ := svc.StartExport(w.ctx, q.all()[0]); ok {
		t.Error("a finished export was claimed again")
	}
	st, _ = svc.ExportStatus(w.ctx, mem)
	if st.Export == nil || st.Export.State != chat.ExportReady || !st.Export.ExpiresAt.Equal(w.clock().Add(chat.ExportValidFor)) {
		t.Fatalf("status after: %+v", st.Export)
	}
	dl, err := svc.RequestExportDownload(w.ctx, mem, protocol.ExportDownloadRequest{})
	if err != nil || dl.URL == "" || dl.ExportID != e.ID {
		t.Fatalf("download: %+v, %v", dl, err)
	}
	// Someone else (not an admin) cannot fetch it, nor probe it.
	_, err = svc.RequestExportDownload(w.ctx, w.p["owner"], protocol.ExportDownloadRequest{UserID: mem.UserID})
	wantCode(t, err, chat.NotFound)
	// An admin who did not ask cannot either.
	_, err = svc.RequestExportDownload(w.ctx, w.p["admin"], protocol.ExportDownloadRequest{UserID: mem.UserID})
	wantCode(t, err, chat.NotFound)

	// A day later the export is gone from the status and the download.
	w.advance(chat.ExportValidFor + 1)
	st, _ = svc.ExportStatus(w.ctx, mem)
	if st.Export != nil {
		t.Errorf("expired export still shown: %+v", st.Export)
	}
	_, err = svc.RequestExportDownload(w.ctx, mem, protocol.ExportDownloadRequest{})
	wantCode(t, err, chat.NotFound)
	// A new one may be asked for.
	if _, err := svc.RequestExport(w.ctx, mem); err != nil {
		t.Fatal(err)
	}
}

func TestExportStaleAndFailedEnqueue(t *testing.T) {
	q := &exportJobs{err: chat.Errorf(chat.Internal, "queue down")}
	w := newModWorld(t)
	svc, err := service.New(service.Config{Store: w.store, Fanout: w.fan, Now: w.clock, Blobs: w.blobs, ExportQueue: q})
	if err != nil {
		t.Fatal(err)
	}
	mem := w.p["member"]
	if _, err := svc.RequestExport(w.ctx, mem); err == nil {
		t.Fatal("a failed enqueue answered success")
	}
	// The failed one blocks nothing.
	q.err = nil
	if _, err := svc.RequestExport(w.ctx, mem); err != nil {
		t.Fatalf("after a failed enqueue: %v", err)
	}
	// A pending export whose worker died stops blocking after an hour.
	_, err = svc.RequestExport(w.ctx, mem)
	wantCode(t, err, chat.Conflict)
	w.advance(chat.ExportStaleAfter)
	if _, err := svc.RequestExport(w.ctx, mem); err != nil {
		t.Fatalf("after the stale cut-off: %v", err)
	}
}

func TestExportUserByAdmin(t *testing.T) {
	q := &exportJobs{}
	w := newModWorld(t)
	svc, err := service.New(service.Config{Store: w.store, Fanout: w.fan, Now: w.clock, Blobs: w.blobs, ExportQueue: q})
	if err != nil {
		t.Fatal(err)
	}
	adm := w.p["admin"]
	_, err = svc.ExportUser(w.ctx, adm, protocol.ExportUserRequest{UserID: "nobody"})
	wantCode(t, err, chat.NotFound)
	w.fan.Reset()
	ev, err := svc.ExportUser(w.ctx, adm, protocol.ExportUserRequest{UserID: w.tgt.UserID})
	if err != nil || ev.Export.UserID != w.tgt.UserID || ev.Export.RequestedBy != adm.UserID {
		t.Fatalf("exportUser: %+v, %v", ev, err)
	}
	if len(w.fan.Sends()) != 1 {
		t.Errorf("the person was not told an export of their data started (%d pushes)", len(w.fan.Sends()))
	}
	audit, _, _ := w.store.ListAudit(w.ctx, "", 10)
	if len(audit) == 0 || audit[0].Action != "exportUser" || audit[0].TargetID != w.tgt.UserID {
		t.Errorf("audit %+v", audit)
	}
	e, _, _ := svc.StartExport(w.ctx, q.all()[0])
	w.fan.Reset()
	if _, _, err := svc.FinishExport(w.ctx, e); err != nil {
		t.Fatal(err)
	}
	if len(w.fan.Sends()) != 2 {
		t.Errorf("ready: %d pushes, want the person's and the admin's", len(w.fan.Sends()))
	}
	if _, err := svc.RequestExportDownload(w.ctx, adm, protocol.ExportDownloadRequest{UserID: w.tgt.UserID}); err != nil {
		t.Errorf("the asking admin's download: %v", err)
	}
	if _, err := svc.RequestExportDownload(w.ctx, w.tgt, protocol.ExportDownloadRequest{}); err != nil {
		t.Errorf("the person's own download of it: %v", err)
	}
}
