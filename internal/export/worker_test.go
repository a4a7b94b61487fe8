package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// fakeSource is one person in one room.
type fakeSource struct {
	msgs    []chat.Message
	failMsg error
	left    []chat.LeftRoom
	terms   chat.TermsAcceptance
	reports []chat.Report
	audit   []chat.AuditEntry
}

func (f *fakeSource) RoomReports(_ context.Context, roomID string) ([]chat.Report, error) {
	var out []chat.Report
	for _, r := range f.reports {
		if r.RoomID == roomID {
			out = append(out, r)
		}
	}
	return out, nil
}

// ListAudit pages two entries at a time; the cursor is the next index.
func (f *fakeSource) ListAudit(_ context.Context, cursor string, _ int) ([]chat.AuditEntry, string, error) {
	i := 0
	if cursor != "" {
		i, _ = strconv.Atoi(cursor)
	}
	end := min(i+2, len(f.audit))
	next := ""
	if end < len(f.audit) {
		next = strconv.Itoa(end)
	}
	return f.audit[i:end], next, nil
}

func (f *fakeSource) GetProfile(context.Context, string) (chat.Profile, error) {
	return chat.Profile{UserID: "u1", DisplayName: "Ann"}, nil
}
func (f *fakeSource) GetProfiles(context.Context, []string) ([]chat.Profile, error) { return nil, nil }
func (f *fakeSource) UserRooms(context.Context, string) ([]chat.Member, error) {
	return []chat.Member{{RoomID: "r1", UserID: "u1", Role: chat.RoleMember}}, nil
}
func (f *fakeSource) GetRoom(_ context.Context, id string) (chat.Room, error) {
	switch id {
	case "r1":
		return chat.Room{ID: "r1", Name: "one", Kind: chat.KindPublic}, nil
	case "r2":
		return chat.Room{ID: "r2", Name: "two", Kind: chat.KindPrivate}, nil
	}
	return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", id)
}
func (f *fakeSource) RoomMessagesAfter(_ context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error) {
	if f.failMsg != nil {
		return nil, false, f.failMsg
	}
	var out []chat.Message
	for _, m := range f.msgs {
		if m.RoomID == roomID && m.Seq > after && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, len(out) == limit, nil
}
func (f *fakeSource) MessageVersions(context.Context, string, int64) ([]chat.MessageVersion, error) {
	return nil, nil
}
func (f *fakeSource) GetPreferences(context.Context, string) (chat.Preferences, error) {
	return chat.Preferences{}, nil
}
func (f *fakeSource) ListSaved(context.Context, string, string, int) ([]chat.SavedItem, string, error) {
	return nil, "", nil
}
func (f *fakeSource) ListScheduled(context.Context, string) ([]chat.ScheduledItem, error) {
	return nil, nil
}
func (f *fakeSource) PushSubscriptions(context.Context, string) ([]chat.PushSubscription, error) {
	return nil, nil
}
func (f *fakeSource) FollowedThreads(context.Context, string) ([]chat.ThreadFollow, error) {
	return nil, nil
}
func (f *fakeSource) LeftRooms(context.Context, string) ([]chat.LeftRoom, error) {
	return f.left, nil
}
func (f *fakeSource) TermsAcceptance(context.Context, string) (chat.TermsAcceptance, error) {
	return f.terms, nil
}

type noFiles struct{}

func (noFiles) Open(context.Context, string) (io.ReadCloser, chat.BlobInfo, error) {
	return nil, chat.BlobInfo{}, chat.Errorf(chat.NotFound, "gone")
}

type fakeJobs struct {
	e               chat.Export
	finished, fails int
}

func (j *fakeJobs) StartExport(_ context.Context, job chat.ExportJob) (chat.Export, bool, error) {
	if job.ExportID != j.e.ID || j.e.State == chat.ExportReady {
		return j.e, false, nil
	}
	j.e.State = chat.ExportRunning
	return j.e, true, nil
}
func (j *fakeJobs) FinishExport(_ context.Context, e chat.Export) (chat.Export, int, error) {
	j.finished++
	e.State = chat.ExportReady
	j.e = e
	return e, 0, nil
}
func (j *fakeJobs) FailExport(_ context.Context, e chat.Export, reason string) (chat.Export, int, error) {
	j.fails++
	e.State, e.Error = chat.ExportFailed, reason
	j.e = e
	return e, 0, nil
}

type memUpload struct{ body []byte }

func (m *memUpload) PutFile(_ context.Context, _ string, _ string, body io.ReadSeeker, size int64) error {
	b, err := io.ReadAll(body)
	if int64(len(b)) != size {
		return errors.New("short body")
	}
	m.body = b
	return err
}

type mails struct{ n int }

func (m *mails) ExportReady(context.Context, chat.Export) error { m.n++; return nil }

func record(body string, receive string) events.SQSMessage {
	return events.SQSMessage{MessageId: "m1", Body: body, Attributes: map[string]string{"ApproximateReceiveCount": receive}}
}

// TestWorkerPagesAndStreams: more messages than a page, only the
// person's own in messages.json, a file gone from the bucket listed
// without bytes; offline: the ready email; the job again is stale.
func TestWorkerPagesAndStreams(t *testing.T) {
	src := &fakeSource{}
	for i := int64(1); i <= 250; i++ {
		sender := "u1"
		if i%2 == 0 {
			sender = "u2"
		}
		src.msgs = append(src.msgs, chat.Message{RoomID: "r1", Seq: i, SenderID: sender, Text: "m", CreatedAt: time.Unix(i, 0)})
	}
	src.msgs[0].Attachments = []chat.Attachment{{Key: "rooms/r1/u1/f1/a.png", Name: "a.png", Size: 3, Type: "image/png"}}
	jobs := &fakeJobs{e: chat.Export{ID: "x1", UserID: "u1", State: chat.ExportPending, Key: "exports/u1/x1.zip"}}
	up, m := &memUpload{}, &mails{}
	w := &Worker{Jobs: jobs, Archive: &Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}, Uploader: up, Notifier: m}
	resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(`{"exportId":"x1","userId":"u1"}`, "1")}})
	if len(resp.BatchItemFailures) != 0 || jobs.finished != 1 || m.n != 1 {
		t.Fatalf("failures %v, finished %d, mails %d", resp.BatchItemFailures, jobs.finished, m.n)
	}
	if jobs.e.Messages != 125 || jobs.e.Files != 0 || jobs.e.Size != int64(len(up.body)) {
		t.Errorf("export %+v", jobs.e)
	}
	zr, err := zip.NewReader(bytes.NewReader(up.body), int64(len(up.body)))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := zr.Open(EntryMessages)
	b, _ := io.ReadAll(f)
	if n := strings.Count(string(b), `"seq":`); n != 125 {
		t.Errorf("messages.json has %d messages", n)
	}
	if !strings.Contains(string(b), `"path":""`) {
		t.Error("the gone file is not listed without its bytes")
	}
	// Redelivered: stale, nothing written again.
	w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(`{"exportId":"x1","userId":"u1"}`, "2")}})
	if jobs.finished != 1 {
		t.Error("a finished export ran again")
	}
	// Not a job: dropped, not retried.
	if resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(`nope`, "1")}}); len(resp.BatchItemFailures) != 0 {
		t.Error("a bad body is retried")
	}
}

// TestWorkerGivesUp: a failing build is retried until MaxAttempts, then
// recorded as failed (and the record is no longer retried).
func TestWorkerGivesUp(t *testing.T) {
	src := &fakeSource{failMsg: errors.New("table down")}
	jobs := &fakeJobs{e: chat.Export{ID: "x1", UserID: "u1", State: chat.ExportPending}}
	w := &Worker{Jobs: jobs, Archive: &Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}, Uploader: &memUpload{}}
	for i := 1; i <= MaxAttempts; i++ {
		resp, _ := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(`{"exportId":"x1","userId":"u1"}`, string(rune('0'+i)))}})
		retried := len(resp.BatchItemFailures) == 1
		if i < MaxAttempts && (!retried || jobs.fails != 0) {
			t.Fatalf("receive %d: retried %v, fails %d", i, retried, jobs.fails)
		}
		if i == MaxAttempts && (retried || jobs.fails != 1 || jobs.e.State != chat.ExportFailed) {
			t.Fatalf("last receive: retried %v, %+v", retried, jobs.e)
		}
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"a.png": "a.png", "../x": ".._x", "..": "_", "": "_", "a/b\\c": "a_b_c"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestArchiveLeftRoomsAndTerms: a room the person left is read for their
// own messages (not others') and listed as left; a left room they are in
// again is listed once, as a member; a deleted left room is skipped;
// terms.json holds the accepted version (and says so when there is none).
func TestArchiveLeftRoomsAndTerms(t *testing.T) {
	leftAt := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	accepted := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	src := &fakeSource{
		msgs: []chat.Message{
			{RoomID: "r1", Seq: 1, SenderID: "u1", Text: "in one"},
			{RoomID: "r2", Seq: 1, SenderID: "u1", Text: "in two, before leaving"},
			{RoomID: "r2", Seq: 2, SenderID: "u2", Text: "someone else's"},
		},
		left:  []chat.LeftRoom{{RoomID: "r2", LeftAt: leftAt}, {RoomID: "r1", LeftAt: leftAt}, {RoomID: "gone", LeftAt: leftAt}},
		terms: chat.TermsAcceptance{Version: "2026-10", AcceptedAt: accepted},
	}
	read := func(src *fakeSource) *zip.Reader {
		var buf bytes.Buffer
		st, err := (&Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}).Write(context.Background(), "u1", &buf)
		if err != nil {
			t.Fatal(err)
		}
		if st.Messages != 2 {
			t.Errorf("%d messages, want 2", st.Messages)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return zr
	}
	decodeEntry := func(zr *zip.Reader, name string, v any) {
		f, err := zr.Open(name)
		if err != nil {
			t.Fatalf("no %s: %v", name, err)
		}
		defer f.Close()
		if err := json.NewDecoder(f).Decode(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	zr := read(src)
	var rooms []Room
	decodeEntry(zr, EntryRooms, &rooms)
	want := []Room{
		{RoomID: "r1", Name: "one", Kind: chat.KindPublic, Role: chat.RoleMember},
		{RoomID: "r2", Name: "two", Kind: chat.KindPrivate, Left: true, LeftAt: leftAt},
	}
	if !reflect.DeepEqual(rooms, want) {
		t.Errorf("rooms.json %+v, want %+v", rooms, want)
	}
	var msgs []Message
	decodeEntry(zr, EntryMessages, &msgs)
	if len(msgs) != 2 || msgs[1].RoomID != "r2" || msgs[1].RoomName != "two" || msgs[1].Text != "in two, before leaving" {
		t.Errorf("messages.json %+v", msgs)
	}
	var terms Terms
	decodeEntry(zr, EntryTerms, &terms)
	if !terms.Accepted || terms.Version != "2026-10" || !terms.AcceptedAt.Equal(accepted) {
		t.Errorf("terms.json %+v", terms)
	}
	src.terms = chat.TermsAcceptance{}
	terms = Terms{}
	decodeEntry(read(src), EntryTerms, &terms)
	if terms.Accepted || terms.Version != "" {
		t.Errorf("terms.json with none accepted: %+v", terms)
	}
}

// TestArchiveReportsAndAudit: reports.json holds the reports the person
// filed in their rooms (current and left), without the reported message
// or who resolved it; audit.json the audit entries about or by them, paged
// through the whole log, other people's ids as "other" and a detail naming
// someone else (an invitation's email) left out.
func TestArchiveReportsAndAudit(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	src := &fakeSource{
		left: []chat.LeftRoom{{RoomID: "r2", LeftAt: at}},
		reports: []chat.Report{
			{ID: "rp1", RoomID: "r1", Seq: 4, ReporterID: "u1", Reason: "spam", CreatedAt: at, Resolution: "delete", ResolvedBy: "mod9", ResolvedAt: at.Add(time.Hour),
				Message: chat.Message{RoomID: "r1", Seq: 4, SenderID: "u2", Text: "buy pills"}},
			{ID: "rp2", RoomID: "r2", Seq: 7, ReporterID: "u1", Reason: "rude", CreatedAt: at.Add(time.Minute)},
			{ID: "rp3", RoomID: "r1", Seq: 5, ReporterID: "u3", Reason: "not hers", CreatedAt: at},
		},
		audit: []chat.AuditEntry{
			{ID: "a1", At: at, ActorID: "adm", Action: "muteMember", RoomID: "r1", TargetID: "u1", Reason: "calm down", Detail: "until 2026-11-03T09:00:00Z"},
			{ID: "a2", At: at, ActorID: "adm", Action: "muteMember", RoomID: "r1", TargetID: "u3", Reason: "someone else's"},
			{ID: "a3", At: at, ActorID: "u1", Action: "invitePerson", TargetID: "u4", Detail: "dora@example.com"},
			{ID: "a4", At: at, ActorID: "u2", Action: "deleteMessage", RoomID: "r1", Seq: 3},
			{ID: "a5", At: at, ActorID: "adm", Action: "deactivatePerson", TargetID: "u1"},
		},
	}
	zr := writeArchive(t, src)
	raw := func(name string) []byte { return entryOf(t, zr, name) }
	var reports []Report
	if err := json.Unmarshal(raw(EntryReports), &reports); err != nil {
		t.Fatal(err)
	}
	wantReports := []Report{
		{ReportID: "rp1", RoomID: "r1", Seq: 4, Reason: "spam", CreatedAt: at, Resolution: "delete", ResolvedAt: at.Add(time.Hour)},
		{ReportID: "rp2", RoomID: "r2", Seq: 7, Reason: "rude", CreatedAt: at.Add(time.Minute)},
	}
	if !reflect.DeepEqual(reports, wantReports) {
		t.Errorf("reports.json %+v\nwant %+v", reports, wantReports)
	}
	var audit []Audit
	if err := json.Unmarshal(raw(EntryAudit), &audit); err != nil {
		t.Fatal(err)
	}
	wantAudit := []Audit{
		{At: at, Action: "muteMember", ActorID: OtherPerson, TargetID: "u1", RoomID: "r1", Reason: "calm down", Detail: "until 2026-11-03T09:00:00Z"},
		{At: at, Action: "invitePerson", ActorID: "u1", TargetID: OtherPerson},
		{At: at, Action: "deactivatePerson", ActorID: OtherPerson, TargetID: "u1"},
	}
	if !reflect.DeepEqual(audit, wantAudit) {
		t.Errorf("audit.json %+v\nwant %+v", audit, wantAudit)
	}
	for _, name := range []string{EntryReports, EntryAudit} {
		for _, other := range []string{"buy pills", "mod9", "u2", "u3", "u4", "adm", "dora@example.com", "not hers", "someone else's"} {
			if bytes.Contains(raw(name), []byte(`"`+other+`"`)) || bytes.Contains(raw(name), []byte(other+`"`)) && other != "u1" {
				t.Errorf("%s holds %q: %s", name, other, raw(name))
			}
		}
	}
}
