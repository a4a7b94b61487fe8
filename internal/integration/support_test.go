package integration

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// supportVisitor gets a visitor session for widget wid from the shop's
// origin over the local HTTP API (config, proof of work, session: a real
// socket) and connects through the local gateway with the visitor token
// and that Origin, as the widget in a browser does.
func (s *stack) supportVisitor(wid, name string) (*client, string) {
	s.t.Helper()
	t := s.t.(*testing.T)
	base := s.httpAPI() + "/widget/v1/" + wid
	status, _, ch := widgetHTTP(t, "POST", base+"/challenge", widgetShop, nil)
	if status != 200 {
		t.Fatalf("challenge: %d %v", status, ch)
	}
	proof := map[string]any{"challenge": ch["challenge"], "nonce": visitor.Solve(ch["challenge"].(string), int(ch["difficulty"].(float64))), "name": name}
	status, _, sess := widgetHTTP(t, "POST", base+"/session", widgetShop, proof)
	if status != 201 || sess["token"] == "" {
		t.Fatalf("session: %d %v", status, sess)
	}
	conn, st, err := dialVisitor(t, s.gw.URL(), sess["token"].(string), widgetShop)
	if err != nil {
		t.Fatalf("visitor connect: %d %v", st, err)
	}
	return newClient(t, name, conn), sess["visitorId"].(string)
}

func isInternal(f frame) bool {
	m, _ := f.fields["message"].(map[string]any)
	in, _ := m["internal"].(bool)
	return in
}

// TestSupportOverSockets: over real sockets on DynamoDB Local, cognito-local,
// the local HTTP API and the local gateway, a visitor gets a session from
// the widget's allowed origin (proof of work, visitor token), connects,
// starts a conversation routed by the widget's topic, the team's online agent
// sees it queued and reads it, claims and answers it; an internal note
// reaches the agent's other tab but never the visitor (push, history); the
// visitor cannot reach the team chat or another visitor's conversation;
// the agent closes, the visitor rates.
func TestSupportOverSockets(t *testing.T) {
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) {
		c.Visitor = app.VisitorKeyConfig{Key: "integration-test-visitor-master-key-0123456789"}
	})
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	admin, _ := s.online(adm)
	ann := s.newUser("ann", "Ann")
	agent, st := s.online(ann) // a team takes people who signed in once
	team := decode[protocol.SupportTeamEvent](t, admin.call(protocol.ActionSaveSupportTeam, map[string]any{
		"team": map[string]any{"name": "Billing", "topics": []string{"billing"}, "agents": []string{ann.id}},
	}, protocol.EventSupportTeam)).Team
	for _, r := range st.Rooms {
		if r.Kind == chat.KindSupport {
			t.Fatalf("agent state lists a support room")
		}
	}
	agentTab, _ := s.online(ann)
	agent.call(protocol.ActionSetAgentStatus, map[string]any{"availability": "online"}, protocol.EventAgentStatus)
	created := admin.call("createWidget", map[string]any{"widget": map[string]any{"name": "Shop", "allowedOrigins": []string{widgetShop},
		"topics": []map[string]any{{"id": "billing", "label": "Billing", "teamId": team.ID}}}}, "widget")
	wid := created.fields["widget"].(map[string]any)["id"].(string)

	v, visA := s.supportVisitor(wid, "Dana")
	vst := decode[protocol.StateEvent](t, v.call(protocol.ActionGetState, nil, protocol.EventState))
	if len(vst.Rooms) != 0 || len(vst.Users) != 0 || vst.Me.UserID != visA || !chat.IsVisitorID(visA) {
		t.Fatalf("visitor's first state: %+v", vst)
	}
	started := decode[protocol.SupportStartedEvent](t, v.call(protocol.ActionStartSupport, map[string]any{
		"topic": "billing", "name": "Dana", "page": map[string]any{"url": "https://shop.example/cart", "title": "Cart"},
		"lang": "en", "text": "I was charged twice", "clientId": "v-1",
	}, protocol.EventSupportStarted))
	room := started.Conversation.RoomID
	if started.Conversation.TeamID != team.ID || started.Conversation.State != chat.SupportQueued || started.Room.Kind != chat.KindSupport || started.Conversation.WidgetID != wid {
		t.Fatalf("started: %+v", started)
	}
	// The online agent hears of it; the inbox queues it.
	agent.expectEvent(protocol.EventSupportConversation, func(f frame) bool {
		c, _ := f.fields["conversation"].(map[string]any)
		return c["roomId"] == room
	})
	inbox := decode[protocol.SupportInboxEvent](t, agent.call(protocol.ActionGetSupportInbox, nil, protocol.EventSupportInbox))
	if len(inbox.Queued) != 1 || inbox.Queued[0].RoomID != room || inbox.Queued[0].Visitor.Name != "Dana" {
		t.Fatalf("inbox: %+v", inbox)
	}
	// Before claiming: the agent reads it.
	h := decode[protocol.HistoryEvent](t, agent.call(protocol.ActionHistory, map[string]any{"roomId": room}, protocol.EventHistory))
	if len(h.Messages) != 1 || h.Messages[0].Text != "I was charged twice" {
		t.Fatalf("agent's history before claiming: %+v", h.Messages)
	}
	claimed := decode[protocol.SupportConversationEvent](t, agent.call(protocol.ActionClaimSupport, map[string]any{"roomId": room}, protocol.EventSupportConversation))
	if claimed.Conversation.AssigneeID != ann.id || claimed.Conversation.State != chat.SupportOpen {
		t.Fatalf("claimed: %+v", claimed.Conversation)
	}
	v.expectEvent(protocol.EventSupportConversation, func(f frame) bool {
		c, _ := f.fields["conversation"].(map[string]any)
		return c["state"] == chat.SupportOpen
	})
	// The agent answers; the visitor gets it live.
	agent.call(protocol.ActionSendMessage, map[string]any{"roomId": room, "clientId": "a-1", "text": "Let me check that"}, protocol.EventAck)
	v.expectEvent(protocol.EventMessage, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["text"] == "Let me check that"
	})
	// An internal note: the agent's other tab gets it, the visitor never.
	agent.call(protocol.ActionAddSupportNote, map[string]any{"roomId": room, "text": "second charge is a pre-auth"}, protocol.EventAck)
	agentTab.expectEvent(protocol.EventMessage, isInternal)
	v.expectNoEvent(protocol.EventMessage, isInternal)
	vh := decode[protocol.HistoryEvent](t, v.call(protocol.ActionHistory, map[string]any{"roomId": room}, protocol.EventHistory))
	for _, m := range vh.Messages {
		if m.Internal || strings.Contains(m.Text, "pre-auth") {
			t.Fatalf("the visitor's history holds the note: %+v", m)
		}
	}
	ah := decode[protocol.HistoryEvent](t, agent.call(protocol.ActionHistory, map[string]any{"roomId": room}, protocol.EventHistory))
	notes := 0
	for _, m := range ah.Messages {
		if m.Internal {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("the agent's history has %d notes, want 1", notes)
	}
	// The visitor replies; the agent gets it.
	v.call(protocol.ActionSendMessage, map[string]any{"roomId": room, "clientId": "v-2", "text": "thanks"}, protocol.EventAck)
	agent.expectEvent(protocol.EventMessage, func(f frame) bool {
		m, _ := f.fields["message"].(map[string]any)
		return m["text"] == "thanks"
	})
	// The visitor reaches nothing else: not the team chat, not people,
	// not another visitor's conversation, which answers as a room that
	// does not exist.
	v.callError(protocol.ActionListUsers, nil, string(chat.Forbidden))
	v.callError(protocol.ActionListChannels, nil, string(chat.Forbidden))
	v.callError(protocol.ActionHistory, map[string]any{"roomId": chat.GeneralRoomID}, string(chat.NotFound))
	v.callError(protocol.ActionAddSupportNote, map[string]any{"roomId": room, "text": "x"}, string(chat.Forbidden))
	other, _ := s.supportVisitor(wid, "Eve")
	other.callError(protocol.ActionHistory, map[string]any{"roomId": room}, string(chat.NotFound))
	other.callError(protocol.ActionSendMessage, map[string]any{"roomId": room, "clientId": "b-1", "text": "hi"}, string(chat.NotFound))
	// Close; the visitor rates.
	agent.call(protocol.ActionCloseSupport, map[string]any{"roomId": room}, protocol.EventSupportConversation)
	rated := decode[protocol.SupportConversationEvent](t, v.call(protocol.ActionRateSupport, map[string]any{"roomId": room, "score": 5, "comment": "quick"}, protocol.EventSupportConversation))
	if rated.Conversation.Rating == nil || rated.Conversation.Rating.Score != 5 || len(rated.Conversation.Transfers) != 0 {
		t.Fatalf("rated: %+v", rated.Conversation)
	}
	// The visitor's state after a reload: its conversation, nothing else.
	vst = decode[protocol.StateEvent](t, v.call(protocol.ActionGetState, nil, protocol.EventState))
	if len(vst.Rooms) != 1 || len(vst.Support) != 1 || vst.Support[0].State != chat.SupportClosed || len(vst.Users) != 0 {
		t.Fatalf("visitor's state: %+v", vst)
	}
}
