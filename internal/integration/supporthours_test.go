package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/supportbotapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
	"github.com/backchannel-chat/backchannel/internal/local/localses"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/supportlink"
)

const hoursOrigin = widgetShop

// TestSupportBotFirstAndEmail, on DynamoDB Local, the local gateway, the
// stream (polled as Lambda's mapping would), the local EventBridge with the
// FAQ bot as its rule's target (as functions/supportbot) and the SES v2
// stand-in reached by the real SDK client:
//   - a visitor's question gets the widget's FAQ answer from the bot;
//     "agent" hands over: the conversation is queued in the team's inbox;
//   - outside hours a visitor leaves a message with an address: it reaches
//     the inbox (channel email); the agent's reply arrives as an email with
//     a signed link that reopens the chat on the site's page; an internal
//     note is never mailed;
//   - the visitor's transcript by email holds the reply and no note.
func TestSupportBotFirstAndEmail(t *testing.T) {
	ses := testenv.NewSES(t) // before the stack: its AWS config sees AWS_ENDPOINT_URL_SESV2
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) { c.Visitor = app.VisitorKeyConfig{Key: hex.EncodeToString(key)} })
	bus := s.startStreamFunction(app.StreamConfig{MailFrom: "Acme Support <support@chat.test>", MailKey: hex.EncodeToString(key)}, nil)
	local, ok := bus.(interface{ Local() *localbus.Server })
	if !ok || bus.External() {
		t.Skip("the FAQ bot runs as the local EventBridge stand-in's rule target")
	}
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	bot, err := supportbotapp.Build(context.Background(), app.ConnectionConfig{TableName: s.table, CallbackURL: s.gw.CallbackURL()},
		chatapp.WithAWSConfig(s.awsCfg), chatapp.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Local().AddRule(localbus.Rule{Name: "supportbot", Sources: []string{"backchannel"}, DetailTypes: []string{"message.created"},
		MaximumRetryAttempts: 2, RetryDelays: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		Target: func(ctx context.Context, ev localbus.Event) error {
			raw, _ := json.Marshal(ev)
			return bot.HandleJSON(ctx, raw)
		}}); err != nil {
		t.Fatal(err)
	}

	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	admin, _ := s.online(adm)
	ann := s.newUser("ann", "Ann")
	agent, _ := s.online(ann)
	team := decode[protocol.SupportTeamEvent](t, admin.call(protocol.ActionSaveSupportTeam, map[string]any{
		"team": map[string]any{"name": "Orders", "topics": []string{"orders"}, "agents": []string{ann.id}},
	}, protocol.EventSupportTeam)).Team
	w := decode[protocol.WidgetEvent](t, admin.call(protocol.ActionCreateWidget, map[string]any{"widget": map[string]any{
		"name": "acme", "allowedOrigins": []string{hoursOrigin}, "languages": []string{"en", "de"}, "preChat": []string{},
		"appearance":    map[string]any{"primaryColor": "#0a7d55", "position": "right", "title": "Acme Shop"},
		"defaultTeamId": team.ID,
		"bot": map[string]any{"kind": "faq", "name": "Shop Assistant", "threshold": 0.35, "faq": []map[string]any{
			{"id": "shipping", "questions": []string{"How long does shipping take?", "Wie lange dauert der Versand?"}, "answer": "Orders ship within a day; delivery takes 2 to 4 days."},
			{"id": "refund", "questions": []string{"How do I get a refund?"}, "answer": "Open the order and choose Return."},
		}},
	}}, protocol.EventWidget)).Widget

	// Bot first: the FAQ answer, then "agent" hands over.
	v, _ := s.supportVisitor(w.ID, "Dana")
	started := decode[protocol.SupportStartedEvent](t, v.call(protocol.ActionStartSupport, map[string]any{
		"page": map[string]any{"url": hoursOrigin + "/help"}, "lang": "en", "text": "how long will shipping take to Austria?", "clientId": "v-1",
	}, protocol.EventSupportStarted))
	room := started.Conversation.RoomID
	if started.Conversation.State != chat.SupportBot {
		t.Fatalf("started %+v", started.Conversation)
	}
	answer := v.expectEvent(protocol.EventMessage, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["roomId"] == room && strings.Contains(m["text"].(string), "2 to 4 days")
	})
	m := answer.fields["message"].(map[string]any)
	if m["senderName"] != "Shop Assistant" || m["integration"] == nil {
		t.Fatalf("the bot's answer: %v", m)
	}
	v.call(protocol.ActionSendMessage, map[string]any{"roomId": room, "clientId": "v-2", "text": "ok. can I talk to an agent?"}, protocol.EventAck)
	v.expectEvent(protocol.EventMessage, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["roomId"] == room && strings.Contains(m["text"].(string), "getting a person")
	})
	v.expectEvent(protocol.EventSupportConversation, func(f frame) bool {
		c, _ := f.fields["conversation"].(map[string]any)
		return c["roomId"] == room && c["state"] == chat.SupportQueued
	})
	inbox := decode[protocol.SupportInboxEvent](t, agent.call(protocol.ActionGetSupportInbox, nil, protocol.EventSupportInbox))
	if len(inbox.Queued) != 1 || inbox.Queued[0].RoomID != room || inbox.Queued[0].State != chat.SupportQueued {
		t.Fatalf("inbox after the handover: %+v", inbox.Queued)
	}

	// Outside hours: a message with an address, answered by email.
	vb, visB := s.supportVisitor(w.ID, "Kim")
	left := decode[protocol.SupportStartedEvent](t, vb.call(protocol.ActionLeaveSupportMessage, map[string]any{
		"email": "kim@example.org", "name": "Kim", "text": "Can I change the address of order 1042?",
		"page": map[string]any{"url": hoursOrigin + "/orders/1042", "title": "Order 1042"}, "lang": "en",
	}, protocol.EventSupportStarted)).Conversation
	if left.Channel != chat.ChannelEmail || left.State != chat.SupportQueued {
		t.Fatalf("left %+v", left)
	}
	inbox = decode[protocol.SupportInboxEvent](t, agent.call(protocol.ActionGetSupportInbox, nil, protocol.EventSupportInbox))
	found := false
	for _, c := range inbox.Queued {
		found = found || (c.RoomID == left.RoomID && c.Channel == chat.ChannelEmail && c.Visitor.Email == "kim@example.org")
	}
	if !found {
		t.Fatalf("the left message is not in the inbox: %+v", inbox.Queued)
	}
	agent.call(protocol.ActionClaimSupport, map[string]any{"roomId": left.RoomID}, protocol.EventSupportConversation)
	agent.call(protocol.ActionAddSupportNote, map[string]any{"roomId": left.RoomID, "text": "INTERNAL: warehouse says not shipped yet"}, protocol.EventAck)
	agent.call(protocol.ActionSendMessage, map[string]any{"roomId": left.RoomID, "clientId": "a-1", "text": "Yes: I changed it for you."}, protocol.EventAck)
	reply := awaitMail(t, ses, func(m localses.Mail) bool { return strings.Contains(m.Text, "I changed it for you") })
	if len(reply.To) != 1 || reply.To[0] != "kim@example.org" || !strings.HasSuffix(reply.Subject, "replied to your message") {
		t.Fatalf("reply mail to %v: %q", reply.To, reply.Subject)
	}
	i := strings.Index(reply.Text, hoursOrigin+"/orders/1042#"+supportlink.ReopenParam+"=")
	if i < 0 {
		t.Fatalf("no reopen link on the site's page:\n%s", reply.Text)
	}
	tok := strings.Fields(reply.Text[i+len(hoursOrigin+"/orders/1042#"+supportlink.ReopenParam+"="):])[0]
	signer, _ := supportlink.NewSigner([]byte(hex.EncodeToString(key)))
	if grant, err := signer.Verify(tok, time.Now()); err != nil || grant.VisitorID != visB || grant.RoomID != left.RoomID || grant.WidgetID != w.ID {
		t.Fatalf("the link grants %+v, %v", grant, err)
	}
	// The link reopens the chat: the widget's session route takes the
	// token from the page's fragment and gives that visitor back, whose
	// conversation it is.
	base := s.httpAPI() + "/widget/v1/" + w.ID + "/session"
	status, _, sess := widgetHTTP(t, "POST", base, widgetShop, map[string]any{"reopenToken": tok})
	if status != 201 || sess["visitorId"] != visB {
		t.Fatalf("reopen session: %d %v", status, sess)
	}
	if status, _, _ := widgetHTTP(t, "POST", base, widgetShop, map[string]any{"reopenToken": tok + "x"}); status == 201 {
		t.Fatal("a tampered link opened a session")
	}
	conn, st, err := dialVisitor(t, s.gw.URL(), sess["token"].(string), widgetShop)
	if err != nil {
		t.Fatalf("reopened visitor connect: %d %v", st, err)
	}
	back := newClient(t, "kim2", conn)
	h := decode[protocol.HistoryEvent](t, back.call(protocol.ActionHistory, map[string]any{"roomId": left.RoomID}, protocol.EventHistory))
	if len(h.Messages) == 0 || h.Messages[0].Text != "Yes: I changed it for you." { // newest first
		t.Fatalf("the reopened chat: %+v", h.Messages)
	}
	for _, mail := range ses.Mails() {
		if strings.Contains(mail.Text+mail.HTML, "warehouse") {
			t.Fatalf("an internal note was mailed: %q", mail.Subject)
		}
	}

	// The transcript: the visitor's message and the reply, never the note.
	vb.call(protocol.ActionRequestTranscript, map[string]any{"roomId": left.RoomID}, protocol.EventTranscriptRequested)
	tr := awaitMail(t, ses, func(m localses.Mail) bool { return strings.Contains(m.Subject, "transcript") })
	for _, want := range []string{"Can I change the address of order 1042?", "Yes: I changed it for you."} {
		if !strings.Contains(tr.Text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, tr.Text)
		}
	}
	if strings.Contains(tr.Text+tr.HTML, "warehouse") {
		t.Fatal("the transcript holds the internal note")
	}
}

// awaitMail waits for a mail in the SES stand-in's mailbox.
func awaitMail(t *testing.T, ses *localses.Server, match func(localses.Mail) bool) localses.Mail {
	t.Helper()
	var got localses.Mail
	waitUntil(t, "the mail", func() bool {
		for _, m := range ses.Mails() {
			if match(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}
