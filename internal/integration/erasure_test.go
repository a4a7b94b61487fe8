package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/cognitoadmin"
	"github.com/backchannel-chat/backchannel/internal/erasure"
	"github.com/backchannel-chat/backchannel/internal/local/cognitoext"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// erasureStack is a stack with everything a person's data touches: the
// files bucket, the pool's admin API (through cognitoext), scheduled
// messages on the EventBridge Scheduler stand-in, Web Push, the stream
// function (search postings), and the erasure queue on the SQS stand-in
// polled by the erasure worker, as in make dev.
type erasureStack struct {
	*stack
	idp    *cip.Client
	bucket string
	s3     *s3.Client
	ddb    *dynamodb.Client
	sched  interface{ Pending() []string }
}

func newErasureStack(t *testing.T, policy chat.ErasurePolicy) *erasureStack {
	t.Helper()
	bucket := newFilesBucket(t)
	sched := testenv.NewScheduler(t, scheduledGroup)
	awsCfg := testenv.AWSConfig(t)
	ext, err := cognitoext.New(os.Getenv(testenv.EnvEndpointCognito))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ext)
	t.Cleanup(srv.Close)
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	sqsEndpoint, queueURL := testenv.NewQueue(t, awsCfg, "erasure-")
	sqsClient := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	queue := &erasure.Queue{Client: sqsClient, URL: queueURL}
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	late := &lateAdmin{}
	es := &erasureStack{idp: idp, bucket: bucket}
	es.stack = newStackWithConfig(t, func(c *service.Config) {
		generousLimits(c)
		c.People = late
		c.Erasure, c.ErasurePolicy = queue, policy
	}, bucket, func(c *app.Config) {
		c.PushKey = keys.PublicKey
		c.Scheduled = app.ScheduledConfig{Group: scheduledGroup, RoleARN: "arn:aws:iam::000000000000:role/backchannel-scheduled-scheduler", TargetARN: scheduledFnARN}
	})
	admin, err := cognitoadmin.New(idp, es.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	late.Admin = admin
	es.startStreamFunction(app.StreamConfig{TableName: es.table}, nil)

	worker := &erasure.Worker{Eraser: es.app.Service, Queue: queue, Logger: es.app.Logger}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		localsqs.Poll(ctx, sqsClient, localsqs.PollConfig{QueueURL: queueURL, BatchSize: 1, Concurrency: 1}, worker.Handle)
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	es.sched = sched
	es.s3 = s3.NewFromConfig(es.awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	if err := devstack.EnsureVersioning(context.Background(), es.s3, bucket); err != nil {
		t.Fatal(err)
	}
	es.ddb = dynamodb.NewFromConfig(es.awsCfg)
	return es
}

// lateAdmin is the pool's admin API, set once the stack's pool exists;
// unlike lateDirectory it passes DeleteAccount on.
type lateAdmin struct{ *cognitoadmin.Admin }

// record is one stored thing: a table item (its attributes as JSON) or an
// S3 object (its key).
type record struct {
	where string // "item pk|sk" or "object key"
	attrs map[string]any
	text  string
}

// everything lists every item of the table and every object of the
// bucket.
func (es *erasureStack) everything(t *testing.T) []record {
	t.Helper()
	ctx := context.Background()
	var out []record
	var lek map[string]any
	_ = lek
	p := dynamodb.NewScanPaginator(es.ddb, &dynamodb.ScanInput{TableName: aws.String(es.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := gdynamo.UnmarshalItem(it, &m); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(m)
			out = append(out, record{where: fmt.Sprintf("item %v|%v", m["pk"], m["sk"]), attrs: m, text: string(b)})
		}
	}
	// Every version of every object (the bucket is versioned as in AWS:
	// a delete that left the bytes as an old version is not an erasure).
	var keyMarker, versionMarker *string
	for {
		page, err := es.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(es.bucket), KeyMarker: keyMarker, VersionIdMarker: versionMarker})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Versions {
			out = append(out, record{where: "object " + aws.ToString(o.Key) + " version " + aws.ToString(o.VersionId), text: aws.ToString(o.Key)})
		}
		for _, m := range page.DeleteMarkers {
			out = append(out, record{where: "delete marker " + aws.ToString(m.Key), text: aws.ToString(m.Key)})
		}
		if !aws.ToBool(page.IsTruncated) {
			return out
		}
		keyMarker, versionMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
}

// personal is what identifies the person or is what they wrote.
type personal struct {
	id, email, username, name, handle string
	texts                             []string // every text they wrote, edits' earlier versions included
	kept                              []string // of texts, those the anonymise policy keeps in their messages
}

func (p personal) needles() []string {
	n := []string{p.id, p.email, p.name, p.handle}
	if p.username != "" && p.username != p.id {
		n = append(n, p.username)
	}
	return append(n, p.texts...)
}

// holding lists the records holding any needle.
func holding(recs []record, needles []string) []record {
	var out []record
	for _, r := range recs {
		for _, n := range needles {
			if n != "" && strings.Contains(strings.ToLower(r.text), strings.ToLower(n)) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// referenceAttrs may hold the deleted person's id after the erasure: each
// is a reference that resolves to the tombstone profile ("Deleted user"),
// documented in docs/ARCHITECTURE.md, "Account deletion".
var referenceAttrs = []string{"memberIds", "createdBy", "mentions", "system", "deletedBy", "pinnedBy", "reporterId"}

// leftover says what of the person a record still holds after the
// erasure, "" when nothing is left but what the policy keeps.
func leftover(r record, p personal, policy chat.ErasurePolicy) string {
	if strings.HasPrefix(r.where, "object ") {
		if strings.Contains(r.text, p.id) {
			return "an object of theirs"
		}
		return ""
	}
	attrs := map[string]any{}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	pk, _ := attrs["pk"].(string)
	sk, _ := attrs["sk"].(string)
	// The tombstone profile: the id, "Deleted user", nothing else (its
	// place in the ERASED index is the id again, and erasedAt when the
	// erasure finished: the progress marker scripts/erasure-replay reads).
	if pk == "USER#"+p.id && sk == "PROFILE" {
		for k := range attrs {
			if !slices.Contains([]string{"pk", "sk", "userId", "displayName", "avatarColor", "createdAt", "deactivatedAt", "deleted", "gsi1pk", "gsi1sk", "erasedAt"}, k) {
				return "the tombstone profile keeps " + k
			}
		}
		if attrs["gsi1pk"] != "ERASED" || attrs["gsi1sk"] != p.id {
			return "the tombstone profile is not in the ERASED index by its id alone"
		}
		if _, ok := attrs["erasedAt"]; !ok {
			return "the finished erasure did not mark the tombstone (erasedAt)"
		}
		if attrs["displayName"] != chat.DeletedUserName || attrs["deleted"] != true {
			return "the profile is not a tombstone"
		}
		return ""
	}
	for _, k := range referenceAttrs {
		delete(attrs, k)
	}
	isMsg := strings.HasPrefix(pk, "MSG#") && sk != "" && sk[0] >= '0' && sk[0] <= '9'
	if policy == chat.ErasureAnonymise && (isMsg && attrs["senderName"] == chat.DeletedUserName || strings.HasPrefix(pk, "SRCH#")) {
		// Kept by the policy: the text, from "Deleted user".
		for k := range attrs {
			if k == "text" || (strings.HasPrefix(pk, "SRCH#") && k == "sk") {
				delete(attrs, k)
			}
		}
		for k := range attrs {
			if k == "lp" {
				delete(attrs, k) // link previews of the kept text's links
			}
		}
	}
	b, _ := json.Marshal(attrs)
	rest := strings.ToLower(string(b))
	for _, n := range p.needles() {
		if n != "" && strings.Contains(rest, strings.ToLower(n)) {
			return fmt.Sprintf("holds %q", n)
		}
	}
	return ""
}

// TestAccountErasureErase: the erase policy (the default).
func TestAccountErasureErase(t *testing.T) { testAccountErasure(t, chat.ErasureErase) }

// TestAccountErasureAnonymise: the anonymise policy.
func TestAccountErasureAnonymise(t *testing.T) { testAccountErasure(t, chat.ErasureAnonymise) }

// testAccountErasure: Zed has messages in a channel and a DM, an edit, a
// reaction, a poll vote, a thread reply, a file, a picture, preferences, a
// push subscription, a saved message, a scheduled message, search
// postings, end-to-end encryption keys (a signed device, the identity
// key, the key backup, a backed-up room key). Every item of the table and object of the bucket holding his
// id, email, username, name, handle or any of his texts is listed before;
// he deletes his account; the erasure worker runs from the SQS queue; then
// the whole table and bucket are scanned again and nothing of his is
// left, except, under anonymise, his messages' texts from "Deleted user"
// (and their search postings), with no link back but an id that now
// resolves to the tombstone. He is signed out and cannot sign in; Ann
// still has the DM, with "Deleted user", read-only (a send is forbidden).
func testAccountErasure(t *testing.T, policy chat.ErasurePolicy) {
	es := newErasureStack(t, policy)
	ctx := context.Background()
	ann := es.newUser("ann", "Ann Archer")
	zed := es.newUser("zed", "Zedekiah Quillfeather")
	annC, _ := es.online(ann)
	zedC, _ := es.online(zed)
	zedC.call(protocol.ActionUpdateProfile, map[string]any{"displayName": "Zedekiah Quillfeather"}, protocol.EventProfile)
	store := newTableStore(t, es.stack)
	prof, err := store.GetProfile(ctx, zed.id)
	if err != nil {
		t.Fatal(err)
	}
	p := personal{id: zed.id, email: "zed@example.com", username: prof.Username, name: "Zedekiah Quillfeather", handle: prof.Handle}
	if p.handle == "" {
		t.Fatal("Zed has no handle")
	}
	say := func(c *client, roomID, clientID, text string, extra map[string]any) chat.Message {
		t.Helper()
		m := message(roomID, clientID, text)
		for k, v := range extra {
			m[k] = v
		}
		return decode[protocol.AckEvent](t, c.call(protocol.ActionSendMessage, m, protocol.EventAck)).Message
	}

	// Channel, DM, an edit (its first text is an earlier version).
	general := say(zedC, "general", "z-1", "wombat marmalade recipe", nil)
	p.texts = append(p.texts, "wombat marmalade recipe")
	edited := say(zedC, "general", "z-2", "wombat first draft", nil)
	zedC.call(protocol.ActionEditMessage, map[string]any{"roomId": "general", "seq": edited.Seq, "text": "wombat second draft"}, protocol.EventMessageUpdated)
	p.texts = append(p.texts, "wombat first draft", "wombat second draft")
	dm := decode[protocol.RoomEvent](t, zedC.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{ann.id}}, protocol.EventRoom)).Room.ID
	dmMsg := say(zedC, dm, "z-3", "wombat lighthouse secret", nil)
	p.texts = append(p.texts, "wombat lighthouse secret")
	p.kept = []string{"wombat marmalade recipe", "wombat second draft", "wombat lighthouse secret"}
	// A channel Zed joins and leaves: his left-room marker (USER#<id>/LEFT#,
	// kept for his export) goes with the erasure too.
	exit := decode[protocol.RoomEvent](t, annC.call(protocol.ActionCreateChannel, map[string]any{"name": "exit-row"}, protocol.EventRoom)).Room.ID
	zedC.call(protocol.ActionJoinChannel, room(exit), protocol.EventRoom)
	zedC.call(protocol.ActionLeaveChannel, room(exit), protocol.EventRoomRemoved)
	if left, err := store.LeftRooms(ctx, zed.id); err != nil || len(left) != 1 || left[0].RoomID != exit {
		t.Fatalf("Zed's left-room marker before the erasure: %+v, %v", left, err)
	}

	// A private channel of Ann's: she adds Zed (a system line naming him),
	// he accepts and writes there.
	plans := decode[protocol.RoomEvent](t, annC.call(protocol.ActionCreateChannel, map[string]any{"name": "plans-" + string(policy), "private": true}, protocol.EventRoom)).Room.ID
	annC.call(protocol.ActionInviteToChannel, map[string]any{"roomId": plans, "userIds": []string{zed.id}}, protocol.EventMembers)
	zedC.call(protocol.ActionAcceptInvite, room(plans), protocol.EventRoom)
	say(zedC, plans, "z-7", "wombat private plan", nil)
	p.texts = append(p.texts, "wombat private plan")
	p.kept = append(p.kept, "wombat private plan")

	// Incoming webhooks (issue 16): Zed creates one in his channel and
	// revokes it (createdBy and revokedBy name him), and another that stays.
	hooks := decode[protocol.RoomEvent](t, zedC.call(protocol.ActionCreateChannel, map[string]any{"name": "hooks-" + string(policy)}, protocol.EventRoom)).Room.ID
	for _, name := range []string{"CI", "Alerts"} {
		hook := decode[protocol.WebhookEvent](t, zedC.call(protocol.ActionCreateWebhook, map[string]any{"roomId": hooks, "name": name}, protocol.EventWebhook))
		if name == "CI" {
			zedC.call(protocol.ActionRevokeWebhook, map[string]any{"roomId": hooks, "webhookId": hook.Webhook.ID}, protocol.EventWebhook)
		}
	}

	// Ann's message: Zed reacts, saves it and replies in its thread; Ann's poll: Zed votes.
	annMsg := say(annC, "general", "a-1", "who wants lunch", nil)
	zedC.call(protocol.ActionReact, map[string]any{"roomId": "general", "seq": annMsg.Seq, "emoji": "👍", "on": true}, protocol.EventMessageUpdated)
	zedC.call(protocol.ActionSaveMessage, map[string]any{"roomId": "general", "seq": annMsg.Seq, "saved": true}, protocol.EventSaved)
	say(zedC, "general", "z-4", "wombat thread answer", map[string]any{"parentSeq": annMsg.Seq})
	p.texts = append(p.texts, "wombat thread answer")
	p.kept = append(p.kept, "wombat thread answer")

	// A file in the channel (and the thumbnail the thumbnail function
	// writes next to it), a profile picture.
	file := pngBytes(t, 40, 30)
	ticket := decode[protocol.UploadTicketEvent](t, zedC.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": "general", "name": "wombat.png", "size": len(file), "type": "image/png", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, file)
	att := map[string]any{"key": ticket.Key, "name": "wombat.png", "size": len(file), "type": "image/png"}
	say(zedC, "general", "z-5", "", map[string]any{"attachments": []any{att}})
	if _, err := es.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(es.bucket), Key: aws.String(chat.ThumbsPrefix + ticket.Key + "/thumb.jpg"), Body: strings.NewReader("thumb")}); err != nil {
		t.Fatal(err)
	}
	pic := pngBytes(t, 64, 64)
	avatar := decode[protocol.UploadTicketEvent](t, zedC.call(protocol.ActionRequestAvatarUpload, map[string]any{"size": len(pic), "type": "image/png", "sha256": chat.SHA256Base64(pic)}, protocol.EventUploadTicket))
	uploadByTicket(t, avatar, pic)
	zedC.call(protocol.ActionUpdateProfile, map[string]any{"avatarKey": avatar.Key}, protocol.EventProfile)

	// Preferences, a push subscription, a scheduled message.
	theme := "dark"
	zedC.call(protocol.ActionSetPreferences, map[string]any{"appearance": map[string]any{"theme": theme}}, protocol.EventPreferences)
	keys, _ := webpush.GenerateKeys()
	zedC.call(protocol.ActionPushSubscribe, map[string]any{"endpoint": "https://push.example/p/zed-device",
		"keys": map[string]any{"p256dh": keys.PublicKey, "auth": "BTBZMqHH6r4Tts7J_aSIgg"}, "device": "Zed's phone"}, protocol.EventPushSubscribed)
	schedule(t, zedC, "general", "z-6", "wombat scheduled later", time.Now().Add(2*time.Hour))
	p.texts = append(p.texts, "wombat scheduled later")

	if n := len(es.sched.Pending()); n != 1 {
		t.Errorf("before: %d schedules pending, want his one", n)
	}

	// Search postings: the stream function indexes his messages.
	awaitSearch(t, annC, "marmalade ", "general", has(general.Seq))
	// A poll last: the stream function does not decode a poll's empty vote
	// map from DynamoDB Local's stream yet and stops at that record.
	poll := decode[protocol.AckEvent](t, annC.call(protocol.ActionCreatePoll, map[string]any{"roomId": "general", "clientId": "a-poll", "question": "Pizza?", "options": []string{"yes", "no"}}, protocol.EventAck)).Message
	zedC.call(protocol.ActionVote, map[string]any{"roomId": "general", "seq": poll.Seq, "options": []int{0}}, protocol.EventMessageUpdated)

	// End-to-end encryption keys (issue 19): a device, the identity key,
	// the key backup and a backed-up room key, all under USER#<id>.
	zedDev := "dev_" + strings.Repeat("z", 26)
	zedPub := e2eeDeviceKey(t)
	zedC.call(protocol.ActionRegisterDevice, map[string]any{"deviceId": zedDev, "name": "Zed's laptop", "publicKey": zedPub}, protocol.EventDevice)
	zedID, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	zedIDRaw, _ := zedID.PublicKey.Bytes()
	zedC.call(protocol.ActionSetIdentityKey, map[string]any{"identityKey": e2eeB64.EncodeToString(zedIDRaw)}, protocol.EventUserKeys)
	zedC.call(protocol.ActionSignDevice, map[string]any{"deviceId": zedDev, "signature": chattest.SignDevice(zedID, zed.id, zedDev, zedPub)}, protocol.EventDevice)
	zedC.call(protocol.ActionSetKeyBackup, map[string]any{"kdf": map[string]any{"alg": "scrypt", "n": 1 << 17, "r": 8, "p": 1, "salt": e2eeRandom(16)},
		"proof": e2eeRandom(32), "wrappedKey": e2eeRandom(60), "identity": e2eeRandom(166)}, protocol.EventKeyBackup)
	zedC.call(protocol.ActionPutBackupKeys, map[string]any{"keys": []any{map[string]any{"roomId": dm, "epoch": 1, "key": e2eeRandom(60)}}}, protocol.EventBackupKeys)

	before := holding(es.everything(t), p.needles())
	kinds := map[string]int{}
	for _, r := range before {
		kind := strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(r.where, "item "), "object "), "#", 2)[0]
		if sk, ok := r.attrs["sk"].(string); ok && strings.HasPrefix(r.where, "item USER#") {
			kind += "/" + strings.SplitN(sk, "#", 2)[0]
		}
		kinds[kind]++
	}
	t.Logf("before: %d records hold Zed's data: %v", len(before), kinds)
	for _, want := range []string{"USER/PROFILE", "USER/PREFS", "USER/PUSH", "USER/SAVED", "USER/SCHED", "USER/E2EEID", "USER/E2EEDEV", "USER/E2EEBACKUP", "USER/E2EEBKEY", "CONN", "MSG", "SRCH", "UNAME", "UWORD", "HANDLE", "ROOM", "RATE", "AUDIT"} {
		if kinds[want] == 0 && want != "AUDIT" {
			t.Errorf("before: no %s record holds Zed's data (the test would prove nothing there)", want)
		}
	}
	if !slices.ContainsFunc(before, func(r record) bool { return strings.HasPrefix(r.where, "object avatars/") }) ||
		!slices.ContainsFunc(before, func(r record) bool { return strings.HasPrefix(r.where, "object rooms/") }) ||
		!slices.ContainsFunc(before, func(r record) bool { return strings.HasPrefix(r.where, "object thumbs/") }) {
		t.Errorf("before: Zed's upload, thumbnail and picture are not all in the bucket")
	}

	// He deletes his account.
	zedC.callError(protocol.ActionDeleteAccount, map[string]any{"confirm": "delete"}, "invalid")
	got := decode[protocol.AccountDeletionEvent](t, zedC.call(protocol.ActionDeleteAccount, map[string]any{"confirm": "DELETE"}, protocol.EventAccountDeletion))
	if got.UserID != zed.id || got.Policy != string(policy) {
		t.Errorf("accountDeletion = %+v", got)
	}
	zedC.waitClosed()
	// Ann, online, is told at once (messageUpdated with a change number).
	annC.expectEvent(protocol.EventMessageUpdated, func(f frame) bool {
		ev := decode[protocol.MessageEvent](t, f)
		return ev.Message.RoomID == dm && ev.Message.Seq == dmMsg.Seq && ev.Message.SenderName == chat.DeletedUserName && ev.Chg > 0
	})

	// The worker runs from the queue: wait until nothing is left.
	var left []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		left = left[:0]
		for _, r := range holding(es.everything(t), p.needles()) {
			if why := leftover(r, p, policy); why != "" {
				left = append(left, r.where+": "+why)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	sort.Strings(left)
	if len(left) > 0 {
		t.Errorf("after the erasure, %d records still hold Zed's data:\n%s", len(left), strings.Join(left, "\n"))
	}
	after := holding(es.everything(t), p.needles())
	t.Logf("after: %d records hold Zed's id or text, each a reference to the tombstone or kept by the %s policy", len(after), policy)
	for _, r := range after {
		t.Logf("  kept: %s", r.where)
	}
	// Under erase no text is left anywhere; under anonymise only the kept ones.
	for _, text := range p.texts {
		in := holding(after, []string{text})
		keep := policy == chat.ErasureAnonymise && slices.Contains(p.kept, text)
		if !keep && len(in) > 0 {
			t.Errorf("text %q is still stored: %v", text, in[0].where)
		}
		if keep && !slices.ContainsFunc(in, func(r record) bool { return strings.HasPrefix(r.where, "item MSG#") }) {
			t.Errorf("anonymise: the message %q is gone", text)
		}
	}

	if n := len(es.sched.Pending()); n != 0 {
		t.Errorf("after: %d schedules pending, want his cancelled", n)
	}

	// Ann sees "Deleted user", and still has the DM.
	users := decode[protocol.UsersEvent](t, annC.call(protocol.ActionListUsers, nil, protocol.EventUsers))
	for _, u := range users.Users {
		if u.UserID == zed.id {
			t.Errorf("Zed is still listed: %+v", u)
		}
	}
	hist := decode[protocol.HistoryEvent](t, annC.call(protocol.ActionHistory, map[string]any{"roomId": dm}, protocol.EventHistory))
	if len(hist.Messages) == 0 {
		t.Fatal("Ann's DM with Zed has no history")
	}
	for _, m := range hist.Messages {
		if m.SenderID == zed.id {
			t.Errorf("a message still names Zed's id as its sender: %+v", m)
		}
		if m.SenderID == chat.DeletedActor {
			if m.SenderName != chat.DeletedUserName {
				t.Errorf("DM message from %q, want %q", m.SenderName, chat.DeletedUserName)
			}
			if policy == chat.ErasureErase && (!m.Deleted || m.Text != "") {
				t.Errorf("erase: DM message %+v is not a tombstone", m)
			}
			if policy == chat.ErasureAnonymise && m.Text != "wombat lighthouse secret" {
				t.Errorf("anonymise: DM message text %q", m.Text)
			}
		}
	}
	// The DM is read-only for Ann: nobody is left to read it.
	refusal := annC.callError(protocol.ActionSendMessage, message(dm, "a-late", "are you there?"), string(chat.ReadOnly))
	if msg, _ := refusal.fields["message"].(string); !strings.Contains(msg, "deleted their account: this conversation is read-only") {
		t.Errorf("Ann's send in the DM: %s", refusal.raw)
	}
	// Every other write too: a reaction, a pin (on any message of the DM).
	anySeq := hist.Messages[0].Seq
	annC.callError(protocol.ActionReact, map[string]any{"roomId": dm, "seq": anySeq, "emoji": "👍", "on": true}, string(chat.ReadOnly))
	annC.callError(protocol.ActionPinMessage, map[string]any{"roomId": dm, "seq": anySeq, "pinned": true}, string(chat.ReadOnly))
	tomb, err := store.GetProfile(ctx, zed.id)
	if err != nil || tomb.DisplayName != chat.DeletedUserName || !tomb.Deleted || tomb.Handle != "" || tomb.AvatarKey != "" || tomb.Username != "" {
		t.Errorf("profile = %+v, %v; want the tombstone", tomb, err)
	}

	// He cannot come back: no account, and his still-valid token is refused.
	if _, err := es.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(es.pool.ID), Username: aws.String(p.username)}); err == nil {
		t.Error("the pool account still exists")
	}
	ps := &peopleStack{stack: es.stack, idp: es.idp}
	if _, _, err := ps.signIn("zed@example.com"); err == nil {
		t.Error("Zed signed in after deleting his account")
	}
	if status := refused(t, es.stack, zed.token); status != 403 {
		t.Errorf("$connect with Zed's still-valid token: %d, want 403", status)
	}
}

// TestAdminDeletesAccount: an admin deletes Bo's account from the people
// screen's action while Bo has two windows open: both get signedOut
// ("deleted") and close, the pool account is gone once the worker ran,
// his profile is the tombstone, he is off the people list, and a member
// cannot delete anyone.
func TestAdminDeletesAccount(t *testing.T) {
	es := newErasureStack(t, chat.ErasureErase)
	ps := &peopleStack{stack: es.stack, idp: es.idp}
	ada := ps.admin("ada")
	bo := es.newUser("bo", "Bo")
	adaC, _ := es.online(ada)
	w1, _ := es.online(bo)
	w2, _ := es.online(bo)
	say := decode[protocol.AckEvent](t, w1.call(protocol.ActionSendMessage, message("general", "b-1", "bo was here"), protocol.EventAck)).Message
	people := decode[protocol.PeopleEvent](t, adaC.call(protocol.ActionListPeople, map[string]any{"query": "bo@"}, protocol.EventPeople))
	if len(people.People) != 1 {
		t.Fatalf("listPeople = %+v", people.People)
	}
	username := people.People[0].Username
	w1.callError(protocol.ActionDeleteUser, map[string]any{"username": ps.pool.ID}, "forbidden")
	adaC.callError(protocol.ActionDeleteUser, map[string]any{"username": people.People[0].Username + "-nobody"}, "not_found")

	got := decode[protocol.AccountDeletionEvent](t, adaC.call(protocol.ActionDeleteUser, map[string]any{"username": username}, protocol.EventAccountDeletion))
	if got.UserID != bo.id || got.Policy != "erase" {
		t.Errorf("accountDeletion = %+v", got)
	}
	for _, w := range []*client{w1, w2} {
		w.expectEvent(protocol.EventSignedOut, func(f frame) bool { return decode[protocol.SignedOutEvent](t, f).Reason == protocol.SignedOutDeleted })
		w.waitClosed()
	}
	store := newTableStore(t, es.stack)
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := store.GetProfile(context.Background(), bo.id)
		if err == nil && p.Deleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Bo's profile after 20 s: %+v, %v", p, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The pass ends with the table scan; wait for the message too.
	waitUntil := time.Now().Add(20 * time.Second)
	for {
		hist := decode[protocol.HistoryEvent](t, adaC.call(protocol.ActionHistory, room("general"), protocol.EventHistory))
		done := false
		for _, m := range hist.Messages {
			done = done || (m.Seq == say.Seq && m.Deleted && m.Text == "" && m.SenderName == chat.DeletedUserName)
		}
		if done {
			break
		}
		if time.Now().After(waitUntil) {
			t.Fatalf("Bo's message is not a tombstone: %+v", hist.Messages)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := es.idp.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(es.pool.ID), Username: aws.String(username)}); err == nil {
		t.Error("Bo's pool account still exists")
	}
	people = decode[protocol.PeopleEvent](t, adaC.call(protocol.ActionListPeople, map[string]any{"query": "bo@"}, protocol.EventPeople))
	if len(people.People) != 0 {
		t.Errorf("Bo is still a person: %+v", people.People)
	}
	adaC.callError(protocol.ActionDeleteAccount, map[string]any{"confirm": ""}, "invalid")
}
