package integration

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// testVisitorPrefix starts a visitor's test token: "test-visitor.<vis id>".
// The stack's authHook (only in these tests) turns it into a visitor
// identity as the visitor token's authorizer will (group visitors); any
// other token goes to the app's authorizer.
const testVisitorPrefix = "test-visitor."

func visitorAuth(req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, bool) {
	token := req.QueryStringParameters["token"]
	id, ok := strings.CutPrefix(token, testVisitorPrefix)
	if !ok || !chat.IsVisitorID(id) {
		return events.APIGatewayCustomAuthorizerResponse{}, false
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: id,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{req.MethodArn}},
		}},
		Context: map[string]any{"userId": id, "username": id, "displayName": chat.DefaultVisitorName, "groups": chat.GroupVisitors},
	}, true
}

// visitor connects a visitor with a test token over the real gateway.
func (s *stack) visitor(id string) *client {
	s.t.Helper()
	conn, resp, err := dial(s.t, s.gw.URL(), testVisitorPrefix+id)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("connect visitor %s: status %d: %v", id, status, err)
	}
	return newClient(s.t, id[:8], conn)
}

func isInternal(f frame) bool {
	m, _ := f.fields["message"].(map[string]any)
	in, _ := m["internal"].(bool)
	return in
}

// TestSupportOverSockets: over real sockets on DynamoDB Local and the
// local gateway, a visitor starts a conversation, the team's online agent
// sees it queued and reads it, claims and answers it; an internal note
// reaches the agent's other tab but never the visitor (push, history); the
// visitor cannot reach the team chat or another visitor's conversation;
// the agent closes, the visitor rates.
func TestSupportOverSockets(t *testing.T) {
	s := newStack(t, generousLimits)
	s.authHook = visitorAuth
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

	const visA, visB = "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", "vis_bbbbbbbbbbbbbbbbbbbbbbbbbb"
	v := s.visitor(visA)
	vst := decode[protocol.StateEvent](t, v.call(protocol.ActionGetState, nil, protocol.EventState))
	if len(vst.Rooms) != 0 || len(vst.Users) != 0 || vst.Me.UserID != visA {
		t.Fatalf("visitor's first state: %+v", vst)
	}
	started := decode[protocol.SupportStartedEvent](t, v.call(protocol.ActionStartSupport, map[string]any{
		"topic": "billing", "name": "Dana", "page": map[string]any{"url": "https://shop.example/cart", "title": "Cart"},
		"lang": "en", "text": "I was charged twice", "clientId": "v-1",
	}, protocol.EventSupportStarted))
	room := started.Conversation.RoomID
	if started.Conversation.TeamID != team.ID || started.Conversation.State != chat.SupportQueued || started.Room.Kind != chat.KindSupport {
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
	other := s.visitor(visB)
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
