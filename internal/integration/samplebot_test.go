package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/samplebot"
)

// messageCreated is the EventBridge event the stream publishes for msg
// (internal/eventbus's detail, without the text, as by default).
func messageCreated(t *testing.T, msg chat.Message) events.EventBridgeEvent {
	t.Helper()
	d, _, err := eventbus.Detail(chat.MessageCreated{Actor: chat.Actor{UserID: msg.SenderID}, Message: msg}, false)
	if err != nil {
		t.Fatal(err)
	}
	detail, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return events.EventBridgeEvent{Version: "0", ID: "ev-" + msg.ClientID, DetailType: "message.created", Source: "backchannel", Time: msg.CreatedAt, Detail: detail}
}

// TestSampleBot: the sample bot, given the bus's message.created events
// (no text), reads each message over the bot HTTP API and answers in its
// thread: "/remind me in 10m stand-up" schedules the reminder (which the
// Scheduler stand-in then delivers as the bot) and an @mention is echoed;
// a repeated event stores nothing twice; a room it is not in is ignored.
func TestSampleBot(t *testing.T) {
	tr, sched := newScheduledTrio(t)
	s := tr.s
	ctx := context.Background()
	admin := chat.Connection{ID: "admin-setup", Identity: chat.Identity{UserID: "adm", Username: "adm", DisplayName: "Adm", Groups: []string{chat.GroupAdmins}}}
	created, err := s.app.Service.CreateBot(ctx, admin, protocol.CreateBotRequest{Name: "Helper"})
	if err != nil {
		t.Fatal(err)
	}
	room := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "standup"}, protocol.EventRoom)).Room.Room
	members := decode[protocol.MembersEvent](t, tr.a.call(protocol.ActionAddBotToRoom, map[string]any{"roomId": room.ID, "botId": created.Bot.ID}, protocol.EventMembers))
	handle := ""
	for _, m := range members.Members {
		if m.UserID == created.Bot.ID {
			handle = m.Handle
		}
	}
	if handle == "" {
		t.Fatalf("the bot has no handle: %+v", members.Members)
	}
	bot := &samplebot.Bot{API: s.httpAPI(), Token: created.Token, Now: serviceNow}
	tr.a.drain()

	fromBot := func(prefix string) func(frame) bool {
		return func(f frame) bool {
			m, _ := f.fields["message"].(map[string]any)
			text, _ := m["text"].(string)
			return m != nil && m["senderId"] == created.Bot.ID && strings.HasPrefix(text, prefix)
		}
	}
	send := func(c *client, roomID, clientID, text string) chat.Message {
		return decode[protocol.AckEvent](t, c.call(protocol.ActionSendMessage, map[string]any{"roomId": roomID, "clientId": clientID, "text": text}, protocol.EventAck)).Message
	}

	remind := send(tr.a, room.ID, "r1", "/remind me in 10m stand-up")
	ev := messageCreated(t, remind)
	if err := bot.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	ok := tr.a.expectEvent(protocol.EventMessage, fromBot("OK, I will remind you at"))
	if m := ok.fields["message"].(map[string]any); m["parentSeq"] != float64(remind.Seq) || !strings.HasSuffix(m["text"].(string), ": stand-up") {
		t.Errorf("the bot's answer: %s", ok.raw)
	}
	// Its own answer comes back on the bus marked bot: true: ignored.
	own := decode[protocol.MessageEvent](t, ok).Message
	if err := bot.Handle(ctx, messageCreated(t, own)); err != nil {
		t.Fatal(err)
	}
	tr.a.expectNoEvent(protocol.EventMessage, fromBot(""))
	if err := bot.Handle(ctx, ev); err != nil { // at least once: the same event again
		t.Fatal(err)
	}
	if n := sched.FireNow(scheduledGroup, ""); n != 1 {
		t.Fatalf("FireNow = %d, want the one reminder", n)
	}
	tr.a.expectEvent(protocol.EventMessage, fromBot("⏰ Reminder for "))

	ask := send(tr.a, room.ID, "q1", "@"+handle+" is the build green?")
	if len(ask.Mentions) != 1 || ask.Mentions[0] != created.Bot.ID {
		t.Fatalf("the question's mentions: %v", ask.Mentions)
	}
	if err := bot.Handle(ctx, messageCreated(t, ask)); err != nil {
		t.Fatal(err)
	}
	tr.a.expectEvent(protocol.EventMessage, fromBot("You asked: is the build green?"))

	// #general is not its room: read refused, nothing answered.
	other := send(tr.a, chat.GeneralRoomID, "g1", "/remind me 5m tea")
	if err := bot.Handle(ctx, messageCreated(t, other)); err != nil {
		t.Fatal(err)
	}
	tr.a.expectNoEvent(protocol.EventMessage, fromBot(""))
}
