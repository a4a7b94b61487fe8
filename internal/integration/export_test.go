package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/exportapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/export"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// readyMails records the export worker's ready emails.
type readyMails struct {
	mu  sync.Mutex
	got []chat.Export
}

func (m *readyMails) ExportReady(_ context.Context, e chat.Export) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, e)
	return nil
}

func (m *readyMails) all() []chat.Export {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]chat.Export(nil), m.got...)
}

// exportStack is a trio with files and the export pipeline: the actions
// put jobs on the export queue (SQS, the real SDK client against the
// stand-in), the worker (exportapp.Build) is polled as Lambda's event
// source mapping would poll it.
// The worker waits for release (deterministic conflicts: the first export
// is still pending when the second request arrives).
func newExportStack(t *testing.T) (*trio, func(), *readyMails) {
	t.Helper()
	bucket := newFilesBucket(t)
	awsCfg := testenv.AWSConfig(t)
	sqsEndpoint, queueURL := testenv.NewQueue(t, awsCfg, "export-")
	client := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	tr := newTrioWithFiles(t, func(c *service.Config) {
		generousLimits(c)
		c.ExportQueue = export.NewQueue(client, queueURL)
	}, bucket)
	s := tr.s
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	mails := &readyMails{}
	worker, err := exportapp.Build(context.Background(), app.ExportConfig{
		ConnectionConfig: app.ConnectionConfig{TableName: s.table, CallbackURL: s.gw.CallbackURL(), LogLevel: slog.LevelWarn},
		FilesBucket:      bucket, S3UsePathStyle: true,
	}, exportapp.WithChatOptions(chatapp.WithAWSConfig(s.awsCfg), chatapp.WithLogger(logger)),
		exportapp.WithNotifier(mails), exportapp.WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	handle := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		select {
		case <-gate:
		case <-ctx.Done():
			return events.SQSEventResponse{}, ctx.Err()
		}
		return worker.Handle(ctx, ev)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		localsqs.Poll(ctx, client, localsqs.PollConfig{QueueURL: queueURL, BatchSize: 1, Concurrency: 1, Logger: logger}, handle)
	})
	t.Cleanup(func() { release(); cancel(); wg.Wait() })
	return tr, release, mails
}

func isExport(t *testing.T, userID string, state chat.ExportState) func(frame) bool {
	return func(f frame) bool {
		ev := decode[protocol.ExportEvent](t, f)
		return ev.Export != nil && ev.Export.UserID == userID && ev.Export.State == state
	}
}

// openArchive downloads the archive through a fresh URL and opens it.
func openArchive(t *testing.T, c *client, userID string) (*zip.Reader, []byte) {
	t.Helper()
	payload := map[string]any{}
	if userID != "" {
		payload["userId"] = userID
	}
	dl := decode[protocol.ExportDownloadEvent](t, c.call(protocol.ActionRequestExportDownload, payload, protocol.EventExportDownload))
	resp, err := http.Get(dl.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %s", resp.Status)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	return zr, body
}

func entry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("archive has no %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func entryJSON[T any](t *testing.T, zr *zip.Reader, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(entry(t, zr, name), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// TestExportMyData is issue 15's export, end to end over the local stack:
// Ann has messages in three rooms (#general, two channels, a DM with Bob),
// an edited one, a thread reply, a file, reactions, a poll vote, a saved
// message and preferences; she asks for her export; the worker writes the
// archive; she hears it is ready over her socket and downloads it through
// a fresh presigned URL. The archive is checked item by item: every one
// of her messages with its room and time, the edit's earlier text, the
// thread parent, the file's bytes, the preferences, reactions, vote,
// saved message, preferences, a message in a channel she has since left,
// her terms acceptance and her encryption keys (without the backup
// proof's hash); and nothing of Bob's (his channel messages,
// his DM to her) is in it, in any entry. A second request while one runs
// is a conflict.
func TestExportMyData(t *testing.T) {
	tr, release, mails := newExportStack(t)
	a, b := tr.a, tr.b
	alpha := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "alpha"}, protocol.EventRoom)).Room.ID
	beta := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "beta", "private": true}, protocol.EventRoom)).Room.ID
	b.call(protocol.ActionJoinChannel, room(alpha), protocol.EventRoom)
	// An incoming webhook Ann creates in alpha (webhooks.json).
	hook := decode[protocol.WebhookEvent](t, a.call(protocol.ActionCreateWebhook, map[string]any{"roomId": alpha, "name": "Ann's CI"}, protocol.EventWebhook))
	dm := decode[protocol.RoomEvent](t, b.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.ann.id}}, protocol.EventRoom)).Room.ID

	const bobsWords, bobsSecret = "bob-channel-words-7781", "bob-dm-secret-5512"
	bobMsg := sendText(t, b, alpha, "b1", bobsWords)
	sendText(t, b, dm, "b2", bobsSecret)
	mine := map[string]chat.Message{} // roomId/seq -> Ann's message as acked
	keep := func(m chat.Message) chat.Message { mine[m.RoomID+"/"+itoa(m.Seq)] = m; return m }
	keep(sendText(t, a, "general", "a1", "hello general"))
	first := keep(sendText(t, a, alpha, "a2", "first words in alpha"))
	keep(sendText(t, a, beta, "a3", "quiet in beta"))
	keep(sendText(t, a, dm, "a4", "answer to bob in the dm"))
	// An edit: the earlier text is in the archive.
	edited := decode[protocol.MessageEvent](t, a.call(protocol.ActionEditMessage,
		map[string]any{"roomId": alpha, "seq": first.Seq, "text": "first words, edited"}, protocol.EventMessageUpdated)).Message
	mine[alpha+"/"+itoa(first.Seq)] = edited
	// A thread reply to Bob's message.
	reply := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{
		"roomId": alpha, "clientId": "a5", "text": "in the thread", "parentSeq": bobMsg.Seq}, protocol.EventAck)).Message
	keep(reply)
	// A file.
	file := pngBytes(t, 24, 16)
	ticket := decode[protocol.UploadTicketEvent](t, a.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": beta, "name": "plan.png", "size": len(file), "type": "image/png", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, file)
	withFile := keep(decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, map[string]any{"roomId": beta, "clientId": "a6", "text": "the plan",
		"attachments": []any{map[string]any{"key": ticket.Key, "name": "plan.png", "size": len(file), "type": "image/png"}}}, protocol.EventAck)).Message)
	// Reactions (on Bob's message and her own), a vote on Bob's poll, a save.
	a.call(protocol.ActionReact, map[string]any{"roomId": alpha, "seq": bobMsg.Seq, "emoji": "👍", "on": true}, protocol.EventMessageUpdated)
	a.call(protocol.ActionReact, map[string]any{"roomId": "general", "seq": mine["general/"+itoa(firstSeq(mine, "general"))].Seq, "emoji": "🎉", "on": true}, protocol.EventMessageUpdated)
	poll := decode[protocol.AckEvent](t, b.call(protocol.ActionCreatePoll, map[string]any{
		"roomId": alpha, "clientId": "p1", "question": "Lunch?", "options": []string{"Pizza", "Sushi"}}, protocol.EventAck)).Message
	a.call(protocol.ActionVote, map[string]any{"roomId": alpha, "seq": poll.Seq, "options": []int{1}}, protocol.EventMessageUpdated)
	a.call(protocol.ActionSaveMessage, map[string]any{"roomId": alpha, "seq": bobMsg.Seq, "saved": true}, protocol.EventSaved)
	prefs := decode[protocol.PreferencesEvent](t, a.call(protocol.ActionSetPreferences, map[string]any{
		"appearance": map[string]any{"theme": "dark", "lang": "de"}, "notify": map[string]any{"previews": false}}, protocol.EventPreferences)).Preferences
	// A channel Ann writes in and then leaves: her words there are still
	// hers (the left-room marker finds them), Bob's are not.
	const bobsGamma = "bob-gamma-words-3390"
	gamma := decode[protocol.RoomEvent](t, b.call(protocol.ActionCreateChannel, map[string]any{"name": "gamma"}, protocol.EventRoom)).Room.ID
	a.call(protocol.ActionJoinChannel, room(gamma), protocol.EventRoom)
	sendText(t, b, gamma, "b3", bobsGamma)
	inGamma := keep(sendText(t, a, gamma, "a7", "said in gamma, then left"))
	// Moderation about her and by her: Bob (gamma's owner) mutes her there
	// (an audit entry about her), she reports Bob's message in alpha and
	// mutes him there (an entry by her about another person).
	const muteReason, reportReason = "mute-reason-4410", "report-reason-9921"
	b.call(protocol.ActionMuteMember, map[string]any{"roomId": gamma, "userId": tr.ann.id, "minutes": 5, "reason": muteReason}, protocol.EventMembers)
	a.call(protocol.ActionReportMessage, map[string]any{"roomId": alpha, "seq": bobMsg.Seq, "reason": reportReason}, protocol.EventReport)
	a.call(protocol.ActionMuteMember, map[string]any{"roomId": alpha, "userId": tr.bob.id, "minutes": 5}, protocol.EventMembers)
	a.call(protocol.ActionLeaveChannel, room(gamma), protocol.EventRoomRemoved)
	// Her end-to-end encryption keys (issue 19): a device, the identity
	// key, the key backup, a backed-up room key.
	annDev, annDevPub := "dev_"+strings.Repeat("e", 26), e2eeDeviceKey(t)
	a.call(protocol.ActionRegisterDevice, map[string]any{"deviceId": annDev, "name": "Ann's laptop", "publicKey": annDevPub}, protocol.EventDevice)
	annIdentity := e2eeRandomIdentity(t)
	a.call(protocol.ActionSetIdentityKey, map[string]any{"identityKey": annIdentity}, protocol.EventUserKeys)
	annProof, annWrapped := e2eeRandom(32), e2eeRandom(60)
	a.call(protocol.ActionSetKeyBackup, map[string]any{"kdf": map[string]any{"alg": "scrypt", "n": 1 << 17, "r": 8, "p": 1, "salt": e2eeRandom(16)},
		"proof": annProof, "wrappedKey": annWrapped, "identity": e2eeRandom(166)}, protocol.EventKeyBackup)
	a.call(protocol.ActionPutBackupKeys, map[string]any{"keys": []any{map[string]any{"roomId": alpha, "epoch": 1, "key": e2eeRandom(60)}}}, protocol.EventBackupKeys)
	// The terms she accepted (recorded as acceptTerms records them: the
	// acceptance itself is TestTermsAcceptanceAndReacceptance's).
	store, err := dynamo.New(dynamodb.NewFromConfig(tr.s.awsCfg), tr.s.table)
	if err != nil {
		t.Fatal(err)
	}
	termsAt := time.Now().UTC().Truncate(time.Millisecond)
	if err := store.AcceptTerms(context.Background(), tr.ann.id, chat.TermsAcceptance{Version: "2026-01", AcceptedAt: termsAt}); err != nil {
		t.Fatal(err)
	}

	// No export yet; ask; a second ask while it runs is a conflict.
	st := decode[protocol.ExportEvent](t, a.call(protocol.ActionExportStatus, nil, protocol.EventExport))
	if st.Export != nil {
		t.Fatalf("status before: %+v", st.Export)
	}
	asked := decode[protocol.ExportEvent](t, a.call(protocol.ActionRequestExport, nil, protocol.EventExport)).Export
	if asked == nil || asked.State != chat.ExportPending {
		t.Fatalf("requestExport: %+v", asked)
	}
	// The worker has not started it yet: a second ask is a clear conflict.
	f := a.callError(protocol.ActionRequestExport, nil, string(chat.Conflict))
	if !strings.Contains(f.fields["message"].(string), "already running") {
		t.Errorf("conflict message %q", f.fields["message"])
	}
	start := time.Now()
	release()
	ready := decode[protocol.ExportEvent](t, a.expectEvent(protocol.EventExport, isExport(t, tr.ann.id, chat.ExportReady))).Export
	t.Logf("export ready %v after the worker was let go: %d bytes, %d messages, %d files", time.Since(start).Round(time.Millisecond), ready.Size, ready.Messages, ready.Files)
	if ready.ID != asked.ID || ready.Messages != len(mine) || ready.Files != 1 || ready.Size == 0 ||
		ready.ExpiresAt.Sub(ready.ReadyAt) != chat.ExportValidFor {
		t.Errorf("ready export %+v, want %d messages and 1 file, valid a day", ready, len(mine))
	}
	if len(mails.all()) != 0 {
		t.Errorf("Ann was online but got an email too")
	}
	// The status survives a reload.
	st = decode[protocol.ExportEvent](t, a.call(protocol.ActionExportStatus, nil, protocol.EventExport))
	if st.Export == nil || st.Export.State != chat.ExportReady || st.Export.ID != asked.ID {
		t.Fatalf("status after: %+v", st.Export)
	}

	zr, raw := openArchive(t, a, "")
	// Nothing of Bob's words in any entry.
	for _, zf := range zr.File {
		body := entry(t, zr, zf.Name)
		for _, secret := range []string{bobsWords, bobsSecret, bobsGamma} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s holds Bob's text %q", zf.Name, secret)
			}
		}
	}
	if bytes.Contains(raw, []byte(bobsSecret)) {
		t.Error("the archive holds Bob's DM to Ann")
	}

	// Every message of Ann's, with its room and time; nothing else.
	msgs := entryJSON[[]export.Message](t, zr, export.EntryMessages)
	bobP, _ := store.GetProfile(context.Background(), tr.bob.id)
	annP, _ := store.GetProfile(context.Background(), tr.ann.id)
	names := map[string]string{"general": "general", alpha: "alpha", beta: "beta", gamma: "gamma", dm: "Direct message with " + bobP.DisplayName}
	got := map[string]export.Message{}
	for _, m := range msgs {
		got[m.RoomID+"/"+itoa(m.Seq)] = m
	}
	if len(msgs) != len(mine) || len(got) != len(mine) {
		t.Errorf("messages.json has %d messages, want Ann's %d", len(msgs), len(mine))
	}
	for k, want := range mine {
		m, ok := got[k]
		if !ok {
			t.Errorf("message %s (%q) missing", k, want.Text)
			continue
		}
		if m.Text != want.Text || !m.CreatedAt.Equal(want.CreatedAt) || m.RoomName != names[want.RoomID] || m.ParentSeq != want.ParentSeq {
			t.Errorf("message %s = %+v, want text %q at %v in %q (parent %d)", k, m, want.Text, want.CreatedAt, names[want.RoomID], want.ParentSeq)
		}
	}
	if e := got[alpha+"/"+itoa(first.Seq)]; len(e.Edits) != 1 || e.Edits[0].Text != "first words in alpha" || e.EditedAt.IsZero() {
		t.Errorf("edited message %+v, want its earlier text", e)
	}
	if r := got[alpha+"/"+itoa(reply.Seq)]; r.ParentSeq != bobMsg.Seq {
		t.Errorf("thread reply %+v, want parent %d", r, bobMsg.Seq)
	}

	// The file: metadata and the bytes themselves.
	fm := got[beta+"/"+itoa(withFile.Seq)]
	if len(fm.Attachments) != 1 || fm.Attachments[0].Name != "plan.png" || fm.Attachments[0].Size != int64(len(file)) || fm.Attachments[0].Path == "" {
		t.Fatalf("attachment %+v", fm.Attachments)
	}
	if bytes := entry(t, zr, fm.Attachments[0].Path); !bytesEqual(bytes, file) {
		t.Errorf("%s: %d bytes, not the %d uploaded", fm.Attachments[0].Path, len(bytes), len(file))
	}
	files := entryJSON[[]export.File](t, zr, export.EntryFiles)
	if len(files) != 1 || files[0].RoomID != beta || files[0].Seq != withFile.Seq || files[0].Path != fm.Attachments[0].Path {
		t.Errorf("files.json %+v", files)
	}

	// Reactions, the vote, the saved message, the preferences, the rooms.
	reactions := entryJSON[[]export.Reaction](t, zr, export.EntryReactions)
	wantR := map[export.Reaction]bool{{RoomID: alpha, Seq: bobMsg.Seq, Emoji: "👍"}: true, {RoomID: "general", Seq: firstSeq(mine, "general"), Emoji: "🎉"}: true}
	if len(reactions) != len(wantR) {
		t.Errorf("reactions %+v", reactions)
	}
	for _, r := range reactions {
		if !wantR[r] {
			t.Errorf("unexpected reaction %+v", r)
		}
	}
	votes := entryJSON[[]export.Vote](t, zr, export.EntryVotes)
	if len(votes) != 1 || votes[0].Seq != poll.Seq || votes[0].Question != "Lunch?" || len(votes[0].Chosen) != 1 || votes[0].Chosen[0] != "Sushi" {
		t.Errorf("votes %+v", votes)
	}
	saved := entryJSON[[]chat.SavedItem](t, zr, export.EntrySaved)
	if len(saved) != 1 || saved[0].RoomID != alpha || saved[0].Seq != bobMsg.Seq {
		t.Errorf("saved %+v", saved)
	}
	gotPrefs := entryJSON[chat.Preferences](t, zr, export.EntryPreferences)
	wantJSON, _ := json.Marshal(prefs)
	gotJSON, _ := json.Marshal(gotPrefs)
	if string(wantJSON) != string(gotJSON) {
		t.Errorf("preferences.json %s, want %s", gotJSON, wantJSON)
	}
	rooms := entryJSON[[]export.Room](t, zr, export.EntryRooms)
	if len(rooms) != 5 {
		t.Errorf("rooms.json %+v, want general, alpha, beta, the DM and gamma (left)", rooms)
	}
	for _, r := range rooms {
		if r.Name != names[r.RoomID] {
			t.Errorf("room %s named %q, want %q", r.RoomID, r.Name, names[r.RoomID])
		}
		if r.Left != (r.RoomID == gamma) || (r.Left && (r.LeftAt.IsZero() || r.Role != "")) {
			t.Errorf("room %+v: only gamma is left, with when", r)
		}
	}
	if m, ok := got[gamma+"/"+itoa(inGamma.Seq)]; !ok || m.RoomName != "gamma" {
		t.Errorf("her message in the channel she left: %+v", m)
	}
	hooks := entryJSON[[]export.Webhook](t, zr, export.EntryWebhooks)
	if len(hooks) != 1 || hooks[0].ID != hook.Webhook.ID || hooks[0].Name != "Ann's CI" || hooks[0].RoomName != "alpha" {
		t.Errorf("webhooks.json %+v, want Ann's CI in alpha", hooks)
	}
	if raw := string(entry(t, zr, export.EntryWebhooks)); strings.Contains(raw, "secret") || strings.Contains(raw, strings.Split(hook.Path, "/")[3]) {
		t.Errorf("webhooks.json holds the secret: %s", raw)
	}
	reports := entryJSON[[]export.Report](t, zr, export.EntryReports)
	if len(reports) != 1 || reports[0].RoomID != alpha || reports[0].Seq != bobMsg.Seq || reports[0].Reason != reportReason {
		t.Errorf("reports.json %+v, want her report of Bob's message in alpha", reports)
	}
	audit := entryJSON[[]export.Audit](t, zr, export.EntryAudit)
	var mutedHer, mutedBob bool
	for _, e := range audit {
		switch {
		case e.Action == "muteMember" && e.TargetID == tr.ann.id && e.ActorID == export.OtherPerson && e.RoomID == gamma && e.Reason == muteReason:
			mutedHer = true
		case e.Action == "muteMember" && e.ActorID == tr.ann.id && e.TargetID == export.OtherPerson && e.RoomID == alpha:
			mutedBob = true
		}
	}
	if !mutedHer || !mutedBob || strings.Contains(string(entry(t, zr, export.EntryAudit)), tr.bob.id) {
		t.Errorf("audit.json %+v: want Bob's mute of her and hers of him, Bob's id as %q", audit, export.OtherPerson)
	}
	terms := entryJSON[export.Terms](t, zr, export.EntryTerms)
	if !terms.Accepted || terms.Version != "2026-01" || !terms.AcceptedAt.Equal(termsAt) {
		t.Errorf("terms.json %+v, want 2026-01 accepted at %v", terms, termsAt)
	}
	profile := entryJSON[export.Profile](t, zr, export.EntryProfile)
	if profile.UserID != annP.UserID || profile.DisplayName != annP.DisplayName || profile.Handle != annP.Handle ||
		profile.AvatarColor != annP.AvatarColor || !profile.CreatedAt.Equal(annP.CreatedAt) {
		t.Errorf("profile %+v, want %+v", profile, annP)
	}
	enc := entryJSON[export.Encryption](t, zr, export.EntryEncryption)
	if enc.IdentityKey != annIdentity || len(enc.Devices) != 1 || enc.Devices[0].PublicKey != annDevPub || enc.Backup == nil ||
		enc.Backup.WrappedKey != annWrapped || len(enc.BackupKeys) != 1 || enc.BackupKeys[0].RoomID != alpha {
		t.Errorf("encryption.json %+v", enc)
	}
	if raw := string(entry(t, zr, export.EntryEncryption)); strings.Contains(raw, "proof") || strings.Contains(raw, annProof) {
		t.Errorf("encryption.json holds the proof or its hash: %s", raw)
	}
	for _, name := range []string{export.EntryReadme, export.EntryScheduled, export.EntryThreads, export.EntryDevices, export.EntryTerms, export.EntryReports, export.EntryAudit} {
		entry(t, zr, name)
	}

	// Bob cannot download Ann's archive, nor learn she has one.
	b.callError(protocol.ActionRequestExportDownload, map[string]any{"userId": tr.ann.id}, string(chat.NotFound))
}

// TestExportUserByAdmin: a workspace admin exports Ann's data on her
// request; Bob, not an admin, is refused; Ann and the admin both hear
// when it is ready; the admin downloads it, Bob cannot.
func TestExportUserByAdmin(t *testing.T) {
	tr, release, mails := newExportStack(t)
	release()
	s := tr.s
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	ac, _ := s.online(adm)
	ac.drain()
	sendText(t, tr.a, "general", "a1", "ann's own words")

	tr.b.callError(protocol.ActionExportUser, map[string]any{"userId": tr.ann.id}, string(chat.Forbidden))
	ac.callError(protocol.ActionExportUser, map[string]any{"userId": "no-such-person"}, string(chat.NotFound))
	ev := decode[protocol.ExportEvent](t, ac.call(protocol.ActionExportUser, map[string]any{"userId": tr.ann.id}, protocol.EventExport)).Export
	if ev.UserID != tr.ann.id || ev.RequestedBy != adm.id {
		t.Fatalf("exportUser %+v", ev)
	}
	// Ann sees it start and finish; so does the admin.
	tr.a.expectEvent(protocol.EventExport, isExport(t, tr.ann.id, chat.ExportPending))
	tr.a.expectEvent(protocol.EventExport, isExport(t, tr.ann.id, chat.ExportReady))
	ac.expectEvent(protocol.EventExport, isExport(t, tr.ann.id, chat.ExportReady))
	// The admin downloads it.
	zr, _ := openArchive(t, ac, tr.ann.id)
	msgs := entryJSON[[]export.Message](t, zr, export.EntryMessages)
	if len(msgs) != 1 || msgs[0].Text != "ann's own words" {
		t.Errorf("admin's archive of Ann: %+v", msgs)
	}
	tr.b.callError(protocol.ActionRequestExportDownload, map[string]any{"userId": tr.ann.id}, string(chat.NotFound))
	// The person may download the export of their data too.
	openArchive(t, tr.a, "")

	// Cyd is offline: when the admin's export of her data is ready, she
	// gets the email (through the worker's notifier) instead.
	_ = tr.c.conn.Close(websocket.StatusNormalClosure, "bye")
	store, err := dynamo.New(dynamodb.NewFromConfig(s.awsCfg), s.table)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ids, err := store.UserConnections(context.Background(), tr.cyd.id); err == nil && len(ids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Cyd's connection was not removed")
		}
	}
	ac.call(protocol.ActionExportUser, map[string]any{"userId": tr.cyd.id}, protocol.EventExport)
	ac.expectEvent(protocol.EventExport, isExport(t, tr.cyd.id, chat.ExportReady))
	// The email goes out after the record is stored and the admin told.
	for deadline := time.Now().Add(10 * time.Second); len(mails.all()) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if m := mails.all(); len(m) != 1 || m[0].UserID != tr.cyd.id || m[0].State != chat.ExportReady {
		t.Errorf("ready emails %+v, want Cyd's alone", m)
	}
}

func firstSeq(mine map[string]chat.Message, roomID string) int64 {
	var seq int64
	for _, m := range mine {
		if m.RoomID == roomID && (seq == 0 || m.Seq < seq) {
			seq = m.Seq
		}
	}
	return seq
}

func bytesEqual(a, b []byte) bool { return bytes.Equal(a, b) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
