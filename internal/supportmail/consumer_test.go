package supportmail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/supportlink"
)

type fakeSource struct {
	conv map[string]Conversation
	msgs []chat.Message
}

func (f *fakeSource) Conversation(_ context.Context, roomID string) (Conversation, bool, error) {
	c, ok := f.conv[roomID]
	return c, ok, nil
}

func (f *fakeSource) Widget(context.Context, string) (Widget, error) {
	return Widget{Name: "acme", Title: "Acme Shop", Color: "#0a7d55", AllowedOrigins: []string{"https://shop.example"}}, nil
}

func (f *fakeSource) Transcript(context.Context, string) ([]chat.Message, error) { return f.msgs, nil }

type outbox struct {
	mails []digest.Email
	fail  bool
}

func (o *outbox) Send(_ context.Context, m digest.Email) error {
	if o.fail {
		return errors.New("ses throttled")
	}
	o.mails = append(o.mails, m)
	return nil
}

var t0 = time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)

func consumer(channel string) (*Consumer, *outbox, *fakeSource) {
	src := &fakeSource{conv: map[string]Conversation{"s_1": {
		RoomID: "s_1", WidgetID: "wid_1", VisitorID: "vis_kim", VisitorName: "Kim", VisitorEmail: "kim@example.org",
		Channel: channel, State: "open", Lang: "en", PageURL: "https://shop.example/orders/42", CreatedAt: t0,
	}}}
	s, _ := supportlink.NewSigner(secret)
	out := &outbox{}
	return &Consumer{Source: src, Mailer: out, Signer: s, Clock: func() time.Time { return t0 },
		IsInternal: func(m chat.Message) bool { return strings.HasPrefix(m.ClientID, "note-") }}, out, src
}

func msg(seq int64, sender, name, text string) chat.Message {
	return chat.Message{RoomID: "s_1", Seq: seq, ClientID: "c" + name, SenderID: sender, SenderName: name, Text: text, CreatedAt: t0.Add(time.Duration(seq) * time.Minute)}
}

func TestAgentRepliesToAnEmailConversationAreMailed(t *testing.T) {
	c, out, _ := consumer(ChannelEmail)
	note := msg(3, "u-ana", "Ana", "customer seems upset, refund ok")
	note.ClientID = "note-1"
	bot := msg(4, "integration:wid_1", "Shop Assistant", "I'm getting a person")
	bot.Integration = &chat.MessageIntegration{Kind: chat.IntegrationSupportBot, ID: "wid_1", Name: "Shop Assistant"}
	sys := msg(5, "u-ana", "Ana", "Ana joined")
	sys.System = &chat.SystemLine{}
	evs := []chat.Event{
		chat.MessageCreated{Message: msg(1, "vis_kim", "Kim", "Where is my parcel?")},
		chat.MessageCreated{Message: note},
		chat.MessageCreated{Message: bot},
		chat.MessageCreated{Message: sys},
		chat.MessageCreated{Message: msg(6, "u-ana", "Ana", "Hi Kim, it left our warehouse today.")},
	}
	if err := c.Consume(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if len(out.mails) != 1 {
		t.Fatalf("%d mails, want 1 (the agent's reply only)", len(out.mails))
	}
	m := out.mails[0]
	if m.To != "kim@example.org" || m.Subject != "Ana replied to your message" || !strings.Contains(m.Text, "it left our warehouse") {
		t.Fatalf("%+v", m)
	}
	if strings.Contains(m.Text, "refund ok") || strings.Contains(m.HTML, "refund ok") {
		t.Fatal("an internal note was mailed")
	}
	i := strings.Index(m.Text, "https://shop.example/orders/42#"+supportlink.ReopenParam+"=")
	if i < 0 {
		t.Fatalf("no reopen link in\n%s", m.Text)
	}
	tok := strings.Fields(m.Text[i+len("https://shop.example/orders/42#"+supportlink.ReopenParam+"="):])[0]
	r, err := c.Signer.Verify(tok, t0)
	if err != nil || r.VisitorID != "vis_kim" || r.RoomID != "s_1" || r.WidgetID != "wid_1" {
		t.Fatalf("link grants %+v, %v", r, err)
	}
}

func TestChatConversationsAreNotMailed(t *testing.T) {
	c, out, _ := consumer("chat")
	if err := c.Consume(context.Background(), []chat.Event{chat.MessageCreated{Message: msg(2, "u-ana", "Ana", "hello")}}); err != nil || len(out.mails) != 0 {
		t.Fatal(err, out.mails)
	}
	// Not a support room at all.
	m := msg(2, "u-ana", "Ana", "hello")
	m.RoomID = "c_general"
	if err := c.Consume(context.Background(), []chat.Event{chat.MessageCreated{Message: m}}); err != nil || len(out.mails) != 0 {
		t.Fatal(err, out.mails)
	}
}

func TestTranscriptLeavesOutInternalNotes(t *testing.T) {
	c, out, src := consumer("chat")
	note := msg(3, "u-ana", "Ana", "INTERNAL: check fraud score")
	note.ClientID = "note-1"
	gone := msg(4, "vis_kim", "Kim", "oops wrong")
	gone.Deleted = true
	src.msgs = []chat.Message{msg(1, "vis_kim", "Kim", "Where is my parcel?"), msg(2, "u-ana", "Ana", "On its way."), note, gone}
	evs := []chat.Event{chat.MessageCreated{Message: msg(9, "vis_kim", "Kim", "x")}, chat.SupportTranscriptRequested{RoomID: "s_1", To: "kim.other@example.org", Lang: "de", N: 1}}
	if err := c.Consume(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if len(out.mails) != 1 {
		t.Fatalf("%d mails", len(out.mails))
	}
	m := out.mails[0]
	if m.To != "kim.other@example.org" || m.Subject != "Dein Chatverlauf mit Acme Shop" {
		t.Fatalf("%s %s", m.To, m.Subject)
	}
	for _, want := range []string{"Du · 2026-11-30 18:01 UTC\nWhere is my parcel?", "Ana · 2026-11-30 18:02 UTC\nOn its way."} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("no %q in\n%s", want, m.Text)
		}
	}
	for _, never := range []string{"fraud", "oops"} {
		if strings.Contains(m.Text, never) || strings.Contains(m.HTML, never) {
			t.Errorf("%q is in the transcript", never)
		}
	}
	// Without an address of the request, the visitor's.
	out.mails = nil
	if err := c.Consume(context.Background(), []chat.Event{chat.SupportTranscriptRequested{RoomID: "s_1"}}); err != nil || len(out.mails) != 1 || out.mails[0].To != "kim@example.org" {
		t.Fatal(err, out.mails)
	}
}

func TestSendFailureIsAPartialFailureAtItsEvent(t *testing.T) {
	c, out, _ := consumer(ChannelEmail)
	out.fail = true
	err := c.Consume(context.Background(), []chat.Event{
		chat.MessageCreated{Message: msg(1, "vis_kim", "Kim", "hi")},
		chat.MessageCreated{Message: msg(2, "u-ana", "Ana", "hello")},
	})
	var pf *chat.PartialFailure
	if !errors.As(err, &pf) || pf.Index != 1 {
		t.Fatalf("%v", err)
	}
}
