package service_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

const (
	hoursVisitor = "vis_hhhhhhhhhhhhhhhhhhhhhhhhhh"
	otherVisitor = "vis_oooooooooooooooooooooooooo"
)

// hoursWorld: a team (agent "ana") and connected visitors.
func hoursWorld(t *testing.T) (*harness, chat.Connection) {
	h := newHarness(t, withSystemLines)
	if err := h.store.PutSupportTeam(h.ctx, chat.SupportTeam{ID: "team_h", Name: "Orders", Topics: []string{"orders"}, Agents: []string{"ana"}}); err != nil {
		t.Fatal(err)
	}
	return h, h.connect("ana", "ana1")
}

func (h *harness) visitor(id, connID string) chat.Connection {
	h.t.Helper()
	ident := chat.Identity{UserID: id, Username: id, DisplayName: "Visitor", Groups: []string{chat.GroupVisitors}, WidgetID: "wid_h"}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: connID, Identity: ident}); err != nil {
		h.t.Fatal(err)
	}
	c, err := h.svc.Connection(h.ctx, connID)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// Outside hours the visitor leaves a message: an email conversation,
// queued in the team's inbox, the text its first message.
func TestLeaveSupportMessageReachesTheInbox(t *testing.T) {
	h, ana := hoursWorld(t)
	v := h.visitor(hoursVisitor, "v1")
	ev, err := h.svc.LeaveSupportMessage(h.ctx, v, protocol.LeaveSupportMessageRequest{
		Email: "kim@example.org", Name: "Kim", Text: "Can I change the address of order 1042?", Topic: "orders",
		Page: chat.SupportPage{URL: "https://shop.example/orders/1042"}, Lang: "de",
	})
	if err != nil {
		t.Fatal(err)
	}
	conv := ev.Conversation
	if conv.Channel != chat.ChannelEmail || conv.State != chat.SupportQueued || conv.Visitor.Email != "kim@example.org" ||
		conv.Visitor.Name != "Kim" || conv.TeamID != "team_h" || conv.Lang != "de" || !strings.HasPrefix(conv.RoomID, chat.SupportIDPrefix) {
		t.Fatalf("conversation %+v", conv)
	}
	inbox, err := h.svc.GetSupportInbox(h.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(inbox.Queued, func(c chat.SupportConversation) bool {
		return c.RoomID == conv.RoomID && c.Channel == chat.ChannelEmail
	}) {
		t.Fatalf("not in the inbox: %+v", inbox.Queued)
	}
	hist, err := h.svc.History(h.ctx, ana, protocol.HistoryRequest{RoomID: conv.RoomID})
	if err != nil || len(hist.Messages) == 0 || hist.Messages[len(hist.Messages)-1].Text != "Can I change the address of order 1042?" {
		t.Fatalf("history %+v %v", hist.Messages, err)
	}
	// A chat conversation can still start: the left message is no open chat.
	started, err := h.svc.StartSupport(h.ctx, v, protocol.StartSupportRequest{Topic: "orders"})
	if err != nil || started.Conversation.RoomID == conv.RoomID {
		t.Fatalf("startSupport after leaving a message: %+v %v", started.Conversation, err)
	}
}

func TestLeaveSupportMessageRefusesBadInput(t *testing.T) {
	h, _ := hoursWorld(t)
	v := h.visitor(hoursVisitor, "v1")
	for name, r := range map[string]protocol.LeaveSupportMessageRequest{
		"no email":      {Text: "hi"},
		"not an email":  {Email: "kim at example", Text: "hi"},
		"no text":       {Email: "kim@example.org"},
		"a bad page":    {Email: "kim@example.org", Text: "hi", Page: chat.SupportPage{URL: "javascript:alert(1)"}},
		"a bad lang":    {Email: "kim@example.org", Text: "hi", Lang: "<script>"},
		"a bad client":  {Email: "kim@example.org", Text: "hi", ClientID: "has spaces"},
		"too long text": {Email: "kim@example.org", Text: strings.Repeat("x", 40_000)},
	} {
		_, err := h.svc.LeaveSupportMessage(h.ctx, v, r)
		if code := chat.ErrorCode(err); code != chat.Invalid && code != chat.TooLarge {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := h.svc.GetSupportInbox(h.ctx, h.connect("ana", "ana2")); err != nil {
		t.Fatal(err)
	}
}

// A transcript request is recorded for the stream's mailer: to the
// address given or the conversation's; only by its visitor; three an hour.
func TestRequestTranscript(t *testing.T) {
	h, _ := hoursWorld(t)
	v := h.visitor(hoursVisitor, "v1")
	ev, err := h.svc.LeaveSupportMessage(h.ctx, v, protocol.LeaveSupportMessageRequest{Email: "kim@example.org", Text: "hello", Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	room := ev.Conversation.RoomID
	got, err := h.svc.RequestTranscript(h.ctx, v, protocol.RequestTranscriptRequest{RoomID: room})
	if err != nil || got.Email != "kim@example.org" || got.Type != protocol.EventTranscriptRequested {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := h.svc.RequestTranscript(h.ctx, v, protocol.RequestTranscriptRequest{RoomID: room, Email: "kim.work@example.org"}); err != nil {
		t.Fatal(err)
	}
	reqs := h.store.TranscriptRequests()
	// The conversation's own address is not stored again; another one is,
	// until its mail is sent.
	if len(reqs) != 2 || reqs[0].To != "" || reqs[1].To != "kim.work@example.org" || reqs[1].Lang != "de" || reqs[1].N != 2 {
		t.Fatalf("requests %+v", reqs)
	}
	if _, err := h.svc.RequestTranscript(h.ctx, v, protocol.RequestTranscriptRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.RequestTranscript(h.ctx, v, protocol.RequestTranscriptRequest{RoomID: room})
	wantCode(t, err, chat.RateLimited)

	other := h.visitor(otherVisitor, "v2")
	_, err = h.svc.RequestTranscript(h.ctx, other, protocol.RequestTranscriptRequest{RoomID: room})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.RequestTranscript(h.ctx, v, protocol.RequestTranscriptRequest{RoomID: room, Email: "nope"})
	wantCode(t, err, chat.Invalid)

	// A chat conversation without an address needs one.
	started, err := h.svc.StartSupport(h.ctx, other, protocol.StartSupportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.RequestTranscript(h.ctx, other, protocol.RequestTranscriptRequest{RoomID: started.Conversation.RoomID})
	wantCode(t, err, chat.Invalid)
}

// botConversation stores a conversation in state bot (the widget routing
// that decides it is the widget-identity part's).
// The visitor connects afterwards, so its connection hears the room.
func botConversation(t *testing.T, h *harness, visitorID string) string {
	now := h.clock()
	room := chat.Room{ID: "sup_bot1", Kind: chat.KindSupport, Name: "Visitor", CreatedBy: visitorID, CreatedAt: now}
	conv := chat.SupportConversation{RoomID: room.ID, WidgetID: "wid_h", Visitor: chat.SupportVisitor{ID: visitorID, Name: "Visitor"},
		TeamID: "team_h", State: chat.SupportBot, Priority: chat.PriorityNormal, Channel: chat.ChannelChat, CreatedAt: now}
	if err := h.store.CreateSupportConversation(h.ctx, room, conv, chat.Member{RoomID: room.ID, UserID: visitorID, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	return room.ID
}

// The FAQ bot's writes: its answer is an integration message the visitor
// gets; a handover queues the conversation; after it the bot posts
// nothing more; a redelivered reply posts once.
func TestFAQBotPostsAndHandsOver(t *testing.T) {
	h, ana := hoursWorld(t)
	room := botConversation(t, h, hoursVisitor)
	v := h.visitor(hoursVisitor, "v1")
	h.send(v, room, "How long does shipping take?")
	reply := service.SupportBotReply{RoomID: room, WidgetID: "wid_h", ClientID: "sbot-1", Name: "Shop Assistant", Text: "2 to 4 days."}
	for range 2 {
		if err := h.svc.PostSupportBotReply(h.ctx, reply); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := h.svc.History(h.ctx, v, protocol.HistoryRequest{RoomID: room})
	if err != nil {
		t.Fatal(err)
	}
	var bot []chat.Message
	for _, m := range hist.Messages {
		if m.Integration != nil {
			bot = append(bot, m)
		}
	}
	if len(bot) != 1 || bot[0].SenderName != "Shop Assistant" || bot[0].SenderID != "integration:wid_h" ||
		bot[0].Integration.Kind != chat.IntegrationSupportBot || bot[0].Integration.ID != "wid_h" {
		t.Fatalf("bot messages %+v", bot)
	}
	if !slices.ContainsFunc(h.fan.Deliveries("v1"), func(d chattest.Delivery) bool { return strings.Contains(string(d.Payload), "2 to 4 days.") }) {
		t.Error("the visitor was not sent the bot's answer")
	}

	if err := h.svc.HandOverFromBot(h.ctx, room, "requested"); err != nil {
		t.Fatal(err)
	}
	inbox, err := h.svc.GetSupportInbox(h.ctx, ana)
	if err != nil || !slices.ContainsFunc(inbox.Queued, func(c chat.SupportConversation) bool { return c.RoomID == room && c.State == chat.SupportQueued }) {
		t.Fatalf("after the handover: %+v %v", inbox.Queued, err)
	}
	if err := h.svc.HandOverFromBot(h.ctx, room, "requested"); err != nil { // again: nothing
		t.Fatal(err)
	}
	reply.ClientID, reply.Text = "sbot-9", "too late"
	if err := h.svc.PostSupportBotReply(h.ctx, reply); err != nil {
		t.Fatal(err)
	}
	hist, _ = h.svc.History(h.ctx, v, protocol.HistoryRequest{RoomID: room})
	if slices.ContainsFunc(hist.Messages, func(m chat.Message) bool { return m.Text == "too late" }) {
		t.Fatal("the bot answered a queued conversation")
	}
}

// A bot account added to the conversation hands it over: queued, its
// reason an internal note the visitor never sees, the bot out of the room.
func TestBotAccountHandsOver(t *testing.T) {
	h, ana := hoursWorld(t)
	room := botConversation(t, h, hoursVisitor)
	v := h.visitor(hoursVisitor, "v1")
	if err := h.store.AddMember(h.ctx, chat.Member{RoomID: room, UserID: "bot_h", Role: chat.RoleMember, JoinedAt: h.clock()}); err != nil {
		t.Fatal(err)
	}
	_, hash := chat.NewBotToken()
	now := h.clock()
	if err := h.store.CreateBot(h.ctx, chat.Bot{ID: "bot_h", Name: "Helper", CreatedBy: "ana", CreatedAt: now, TokenIssuedAt: now, TokenHash: hash},
		chat.Profile{UserID: "bot_h", Username: "bot_h", DisplayName: "Helper", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	b := h.connectWithGroups("bot_h", "b1", chat.GroupBots)
	ev, err := h.svc.HandOverSupport(h.ctx, b, protocol.HandOverSupportRequest{RoomID: room, Reason: "refund over 500 EUR"})
	if err != nil || ev.Conversation.State != chat.SupportQueued {
		t.Fatalf("%+v %v", ev, err)
	}
	if _, err := h.store.GetMember(h.ctx, room, "bot_h"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the bot is still a member: %v", err)
	}
	agentView, err := h.svc.History(h.ctx, ana, protocol.HistoryRequest{RoomID: room})
	if err != nil || !slices.ContainsFunc(agentView.Messages, func(m chat.Message) bool { return m.Internal && strings.Contains(m.Text, "refund over 500 EUR") }) {
		t.Fatalf("agents do not see the reason: %+v %v", agentView.Messages, err)
	}
	visitorView, _ := h.svc.History(h.ctx, v, protocol.HistoryRequest{RoomID: room})
	if slices.ContainsFunc(visitorView.Messages, func(m chat.Message) bool { return strings.Contains(m.Text, "refund") }) {
		t.Fatal("the visitor sees the internal reason")
	}
	// Now not a member: not_found; another bot never was.
	_, err = h.svc.HandOverSupport(h.ctx, b, protocol.HandOverSupportRequest{RoomID: room})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.HandOverSupport(h.ctx, v, protocol.HandOverSupportRequest{RoomID: room})
	wantCode(t, err, chat.Forbidden)
}

// Retention: a closed conversation expires the workspace's retention after
// closing; reopening clears it; without a retention it is kept.
func TestClosedConversationsFollowTheRetention(t *testing.T) {
	h, ana := hoursWorld(t)
	v := h.visitor(hoursVisitor, "v1")
	ev, err := h.svc.LeaveSupportMessage(h.ctx, v, protocol.LeaveSupportMessageRequest{Email: "kim@example.org", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	room := ev.Conversation.RoomID
	expiry := func() time.Time {
		c, err := h.store.GetSupportConversation(h.ctx, room)
		if err != nil {
			t.Fatal(err)
		}
		return c.ExpiresAt
	}
	admin := h.connectWithGroups("boss", "boss1", chat.GroupAdmins)
	if _, err := h.svc.SetWorkspaceSettings(h.ctx, admin, protocol.SetWorkspaceSettingsRequest{RetentionDays: ptr(30)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ClaimSupport(h.ctx, ana, protocol.RoomRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	if !expiry().IsZero() {
		t.Fatal("an open conversation expires")
	}
	if _, err := h.svc.CloseSupport(h.ctx, ana, protocol.RoomRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	if got, want := expiry(), h.clock().Add(30*24*time.Hour); !got.Equal(want) {
		t.Fatalf("closed: expires %v, want %v", got, want)
	}
	if _, err := h.svc.ReopenSupport(h.ctx, ana, protocol.RoomRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	if !expiry().IsZero() {
		t.Fatal("a reopened conversation still expires")
	}
}

// A widget whose first responder is a bot account: startSupport adds the
// bot to the room (state bot); it hands over with handOverSupport.
func TestBotAccountIsAddedAtStart(t *testing.T) {
	h, _ := hoursWorld(t)
	now := h.clock()
	_, hash := chat.NewBotToken()
	if err := h.store.CreateBot(h.ctx, chat.Bot{ID: "bot_w", Name: "Helper", CreatedBy: "ana", CreatedAt: now, TokenIssuedAt: now, TokenHash: hash},
		chat.Profile{UserID: "bot_w", Username: "bot_w", DisplayName: "Helper", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateWidget(h.ctx, chat.Widget{ID: "wid_h", Name: "Shop", AllowedOrigins: []string{"https://shop.example"}, DefaultTeamID: "team_h",
		Bot: chat.WidgetBot{Kind: chat.WidgetBotBot, BotID: "bot_w", Name: "Helper"}}); err != nil {
		t.Fatal(err)
	}
	b := h.connectWithGroups("bot_w", "bw1", chat.GroupBots)
	v := h.visitor(hoursVisitor, "v1")
	ev, err := h.svc.StartSupport(h.ctx, v, protocol.StartSupportRequest{Text: "hello", ClientID: "c1"})
	if err != nil || ev.Conversation.State != chat.SupportBot {
		t.Fatalf("%+v %v", ev.Conversation, err)
	}
	room := ev.Conversation.RoomID
	if _, err := h.store.GetMember(h.ctx, room, "bot_w"); err != nil {
		t.Fatalf("the bot is not a member: %v", err)
	}
	if len(h.fan.OfType("bw1", protocol.EventRoomAdded)) != 1 {
		t.Errorf("the bot's connection was not told: %v", h.fan.Types("bw1"))
	}
	out, err := h.svc.HandOverSupport(h.ctx, b, protocol.HandOverSupportRequest{RoomID: room, Reason: "wants a person"})
	if err != nil || out.Conversation.State != chat.SupportQueued {
		t.Fatalf("%+v %v", out.Conversation, err)
	}
}
