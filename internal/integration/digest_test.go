package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/digestapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/local/localses"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

const digestFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:backchannel-digest"

// digestRig is the digest wired as deployed, against the stack's table
// and pool, with the SES v2 and EventBridge Scheduler stand-ins reached by
// the real SDK clients through AWS_ENDPOINT_URL_SESV2 and
// AWS_ENDPOINT_URL_SCHEDULER, the scheduler invoking the digest function's
// handler, and the unsubscribe function behind an HTTP server that hands
// requests to it as a Lambda function URL does.
type digestRig struct {
	ses   *localses.Server
	sched *localscheduler.Server
	app   *digestapp.App
	prefs *digest.MemPrefs
	unsub *httptest.Server
}

func newDigestRig(t *testing.T, s *stack) *digestRig {
	t.Helper()
	r := &digestRig{prefs: digest.NewMemPrefs()}
	r.prefs.Default.Delay = time.Second // instead of 15 minutes
	return newDigestRigWith(t, s, r, r.prefs)
}

// newDigestRigWith wires r with the preferences prefs.
func newDigestRigWith(t *testing.T, s *stack, r *digestRig, prefs digest.PrefsSource) *digestRig {
	t.Helper()
	r.ses = testenv.NewSES(t)
	r.sched = testenv.NewScheduler(t, "backchannel-digest")
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}

	r.unsub = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ev := events.LambdaFunctionURLRequest{RawPath: req.URL.Path, RawQueryString: req.URL.RawQuery, Body: string(body), Headers: map[string]string{}}
		ev.RequestContext.HTTP.Method = req.Method
		for k := range req.Header {
			ev.Headers[strings.ToLower(k)] = req.Header.Get(k)
		}
		res, err := r.app.HandleURL(req.Context(), ev)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		for k, v := range res.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.WriteString(w, res.Body)
	}))
	t.Cleanup(r.unsub.Close)

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := app.DigestConfig{
		TableName: s.table, UserPoolID: s.pool.ID,
		SiteURL: "http://chat.test", From: "Backchannel <noreply@chat.test>", UnsubscribeURL: r.unsub.URL + "/",
		Key: hex.EncodeToString(key), ScheduleGroup: "backchannel-digest",
		SchedulerRole: "arn:aws:iam::000000000000:role/backchannel-digest-scheduler", TargetARN: digestFunctionARN,
		MinLeadSeconds: 1,
	}
	if err := cfg.ValidateSender(); err != nil {
		t.Fatal(err)
	}
	if r.app, err = digestapp.Build(context.Background(), cfg, digestapp.WithAWSConfig(awsCfg), digestapp.WithPrefs(prefs),
		digestapp.WithLogger(slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})))); err != nil {
		t.Fatal(err)
	}
	r.sched.Register(digestFunctionARN, func(ctx context.Context, input []byte) error {
		return r.app.HandleSchedule(ctx, input)
	})
	return r
}

// verifyEmail marks u's address verified (a real sign-up confirms it with
// the code; AdminConfirmSignUp does not).
func (s *stack) verifyEmail(u user) {
	s.t.Helper()
	_, err := cip.NewFromConfig(s.awsCfg).AdminUpdateUserAttributes(context.Background(), &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(s.pool.ID), Username: aws.String(u.name + "@example.com"),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(u.name + "@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		s.t.Fatalf("verify %s: %v", u.name, err)
	}
}

// offline closes c and waits until the store has no connection of u.
func (s *stack) offline(u user, c *client) {
	s.t.Helper()
	closedAt := time.Now().Truncate(time.Second)
	_ = c.conn.Close(websocket.StatusNormalClosure, "bye")
	store, err := dynamo.New(dynamodb.NewFromConfig(s.awsCfg), s.table)
	if err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Gone, and last seen stamped: $disconnect deletes the connection
		// first and sets lastSeen after it; a message sent in between
		// would count as seen (the digest drops what came before lastSeen).
		conns, err := store.UserConnections(context.Background(), u.id)
		if err == nil && len(conns) == 0 {
			if p, err := store.GetProfile(context.Background(), u.id); err == nil && !p.LastSeen.Before(closedAt) {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s still connected: %v %v", u.name, conns, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *digestRig) waitMail(t *testing.T, n int) []localses.Mail {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		ch := r.ses.Changed()
		if m := r.ses.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d mails after 15 s, want %d; invocations %+v", len(r.ses.Mails()), n, r.sched.Invocations())
		}
	}
}

// TestMissedMentionIsMailedOnceAndUnsubscribeStopsIt: Bob is offline; Ann
// mentions him; the notification consumer's call (Missed) creates one
// schedule; at its time the scheduler invokes the digest function, whose
// SendEmail reaches the SES stand-in with the mention and a link to it;
// the one-click unsubscribe POST turns his email off; the next mention
// schedules and sends nothing.
func TestMissedMentionIsMailedOnceAndUnsubscribeStopsIt(t *testing.T) {
	s := newStack(t, generousLimits)
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	s.verifyEmail(bob)
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	s.offline(bob, b)
	rig := newDigestRig(t, s)
	ctx := context.Background()

	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0D1", "@bob can you <review> the launch plan?"), protocol.EventAck))
	seq := ack.Message.Seq
	// What the stream's notification consumer does for Bob (no connection).
	if err := rig.app.Digest.Missed(ctx, bob.id, chat.GeneralRoomID, seq, digest.ReasonMention); err != nil {
		t.Fatalf("Missed: %v", err)
	}
	if err := rig.app.Digest.Missed(ctx, bob.id, chat.GeneralRoomID, seq, digest.ReasonMention); err != nil { // redelivered
		t.Fatalf("Missed again: %v", err)
	}
	if p := rig.sched.Pending(); len(p) != 1 || !strings.HasPrefix(p[0], "backchannel-digest/digest-") {
		t.Fatalf("schedules %v, want one", p)
	}

	mails := rig.waitMail(t, 1)
	m := mails[0]
	if m.To[0] != "bob@example.com" || m.From != "Backchannel <noreply@chat.test>" || m.Subject != "You missed a message on Backchannel" {
		t.Fatalf("mail %+v", m)
	}
	link := "http://chat.test/?room=general&seq=" + jsonNumber(seq)
	if !strings.Contains(m.Text, "@bob can you <review> the launch plan?") || !strings.Contains(m.Text, link) ||
		!strings.Contains(m.Text, " · "+ack.Message.SenderName+" · mentioned you") || !strings.Contains(m.HTML, "&lt;review&gt;") {
		t.Fatalf("the mail lacks the mention or its link %s:\n%s\n%s", link, m.Text, m.HTML)
	}
	if m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.HasPrefix(m.Headers["List-Unsubscribe"], "<"+rig.unsub.URL) {
		t.Fatalf("headers %v", m.Headers)
	}
	// The schedule deleted itself after it ran (ActionAfterCompletion DELETE).
	waitNoSchedules(t, rig.sched)

	// One click: the mail client POSTs to the List-Unsubscribe URL.
	resp, err := http.Post(strings.Trim(m.Headers["List-Unsubscribe"], "<>"), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p, _ := rig.prefs.EmailPrefs(ctx, bob.id); resp.StatusCode != 200 || p.Enabled {
		t.Fatalf("unsubscribe: %d, email still on: %v", resp.StatusCode, p.Enabled)
	}

	ack = decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0D2", "@bob still there?"), protocol.EventAck))
	if err := rig.app.Digest.Missed(ctx, bob.id, chat.GeneralRoomID, ack.Message.Seq, digest.ReasonMention); err != nil {
		t.Fatalf("Missed after unsubscribing: %v", err)
	}
	if p := rig.sched.Pending(); len(p) != 0 {
		t.Fatalf("scheduled after unsubscribing: %v", p)
	}
	time.Sleep(2500 * time.Millisecond) // longer than the delay and lead
	if n := len(rig.ses.Mails()); n != 1 {
		t.Fatalf("%d mails, want still 1", n)
	}
}

// TestNoDigestWhenBackOrRead: Bob reads the DM before the digest is due
// (marking it read over his reconnected socket), so nothing is sent.
func TestNoDigestWhenBackOrRead(t *testing.T) {
	s := newStack(t, generousLimits)
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	s.verifyEmail(bob)
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	s.offline(bob, b)
	rig := newDigestRig(t, s)
	rig.prefs.Default.Delay = 2 * time.Second
	ctx := context.Background()

	dm := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bob.id}}, protocol.EventRoom)).Room
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(dm.ID, "01JDB3K4Z8Q3W5E6R7T8Y9U0D3", "lunch?"), protocol.EventAck))
	if err := rig.app.Digest.Missed(ctx, bob.id, dm.ID, ack.Message.Seq, digest.ReasonDM); err != nil {
		t.Fatal(err)
	}
	b2, _ := s.online(bob)
	b2.call(protocol.ActionMarkRead, map[string]any{"roomId": dm.ID, "seq": ack.Message.Seq}, protocol.EventRead)
	s.offline(bob, b2)
	// The schedule runs and finds it read.
	deadline := time.Now().Add(15 * time.Second)
	for len(rig.sched.Invocations()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the schedule never ran")
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitNoSchedules(t, rig.sched)
	if inv := rig.sched.Invocations(); inv[0].Err != "" {
		t.Fatalf("invocation failed: %+v", inv)
	}
	if n := len(rig.ses.Mails()); n != 0 {
		t.Fatalf("%d mails for a message Bob read", n)
	}
}

func waitNoSchedules(t *testing.T, s *localscheduler.Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Pending()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("schedules left: %v", s.Pending())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// quickPrefs are the people's synced preferences with the digest's delay
// cut from minutes (at least 5) to a second.
type quickPrefs struct{ digest.StorePrefs }

func (q quickPrefs) EmailPrefs(ctx context.Context, userID string) (digest.Prefs, error) {
	p, err := q.StorePrefs.EmailPrefs(ctx, userID)
	p.Delay = time.Second
	return p, err
}

// TestMissedMentionThroughTheStreamIsMailed is the whole path as deployed:
// Ann mentions Bob, who has no connection; the table's stream -> the
// stream function's notifier -> the digest's Missed (the scheduling side
// streamapp wires) -> one schedule -> the digest function -> SES. Bob's
// synced preferences decide: the one-click link turns their email off,
// which his next state shows, and the next mention mails nothing.
func TestMissedMentionThroughTheStreamIsMailed(t *testing.T) {
	rig := &digestRig{}
	var store *dynamo.Store
	s, _ := newPushStackWith(t, func(s *stack) notify.MissedNotifier {
		var err error
		if store, err = dynamo.New(dynamodb.NewFromConfig(s.awsCfg), s.table); err != nil {
			t.Fatal(err)
		}
		newDigestRigWith(t, s, rig, quickPrefs{digest.StorePrefs{Store: store}})
		return rig.app.Digest
	})
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	s.verifyEmail(bob)
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	s.offline(bob, b)

	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0E1", "@bob the release notes are ready"), protocol.EventAck))
	m := rig.waitMail(t, 1)[0]
	link := "http://chat.test/?room=general&seq=" + jsonNumber(ack.Message.Seq)
	if m.To[0] != "bob@example.com" || !strings.Contains(m.Text, "the release notes are ready") || !strings.Contains(m.Text, link) {
		t.Fatalf("mail %+v lacks the mention or its link %s", m, link)
	}

	resp, err := http.Post(strings.Trim(m.Headers["List-Unsubscribe"], "<>"), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	b2, st := s.online(bob)
	if resp.StatusCode != 200 || st.Preferences.Notify.Email {
		t.Fatalf("unsubscribe answered %d; Bob's synced notify.email = %v, want false", resp.StatusCode, st.Preferences.Notify.Email)
	}
	s.offline(bob, b2)
	decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage,
		message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9U0E2", "@bob and the changelog"), protocol.EventAck))
	time.Sleep(3 * time.Second) // the stream, the delay and the lead
	if n := len(rig.ses.Mails()); n != 1 || len(rig.sched.Pending()) != 0 {
		t.Fatalf("%d mails and schedules %v after unsubscribing, want 1 and none", n, rig.sched.Pending())
	}
}
