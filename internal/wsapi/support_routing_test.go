package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The customer support routing cases' world (issue 17): teams team_1
// (alice an agent and lead) and team_2, canned answer can_1, and the
// visitor routingVisitor's conversations s1 (queued), s2 (closed) and s3
// (with the bot). The visitors' own actions are sent by the captured
// connection registered as that visitor.

const routingVisitor = "vis_rrrrrrrrrrrrrrrrrrrrrrrrrr"

func seedSupport(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
	t.Helper()
	now := c.clock()
	for _, tm := range []chat.SupportTeam{
		{ID: "team_1", Name: "Billing", Topics: []string{"billing"}, Agents: []string{testUserID}, Leads: []string{testUserID}},
		{ID: "team_2", Name: "Tech", Agents: []string{testUserID}},
	} {
		if err := c.store.PutSupportTeam(c.ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.store.PutCannedAnswer(c.ctx, chat.CannedAnswer{ID: "can_1", TeamID: "team_1", Shortcut: "hi", Title: "Hi", Text: "Hello"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.store.EnsureProfile(c.ctx, chat.Profile{UserID: routingVisitor, Username: routingVisitor, DisplayName: "Visitor", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for id, state := range map[string]string{"s1": chat.SupportQueued, "s2": chat.SupportClosed, "s3": chat.SupportBot} {
		conv := chat.SupportConversation{RoomID: id, Visitor: chat.SupportVisitor{ID: routingVisitor, Name: "Visitor"}, TeamID: "team_1",
			State: state, Priority: chat.PriorityNormal, Channel: chat.ChannelChat, CreatedAt: now}
		if state == chat.SupportClosed {
			conv.ClosedAt = now
		}
		room := chat.Room{ID: id, Kind: chat.KindSupport, Name: "Visitor", CreatedBy: routingVisitor, CreatedAt: now}
		if err := c.store.CreateSupportConversation(c.ctx, room, conv, chat.Member{RoomID: id, UserID: routingVisitor, Role: chat.RoleMember, JoinedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return alice
}

// asVisitor seeds support and registers the captured connection as the
// visitor.
func asVisitor(t *testing.T, c *testChat, alice chat.Connection) chat.Connection {
	seedSupport(t, c, alice)
	v := testConn
	v.Identity = chat.Identity{UserID: routingVisitor, Username: routingVisitor, DisplayName: "Visitor", Groups: []string{chat.GroupVisitors}, WidgetID: "wid_1"}
	return c.register(v)
}

var routingSeeds = map[string]func(*testing.T, *testChat, chat.Connection) chat.Connection{
	"SaveSupportTeam": seedSupport, "DeleteSupportTeam": seedSupport, "ListSupportTeams": seedSupport,
	"SaveCannedAnswer": seedSupport, "DeleteCannedAnswer": seedSupport, "ListCannedAnswers": seedSupport,
	"SetAgentStatus": seedSupport, "GetSupportInbox": seedSupport, "ClaimSupport": seedSupport,
	"TransferSupport": seedSupport, "EscalateSupport": seedSupport, "CloseSupport": seedSupport,
	"ReopenSupport": seedSupport, "AddSupportNote": seedSupport, "ListVisitorConversations": seedSupport,
	"StartSupport": asVisitor, "RequestHuman": asVisitor, "RateSupport": asVisitor,
}
