package dynamo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestSupportErasure on DynamoDB Local: erasing a visitor scrubs its
// name, email, page and rating comment from its conversations; erasing an
// agent takes them off their teams and out of the conversations'
// assignee, transfers and canned answers. Nothing kept names either.
func TestSupportErasure(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	const vis = "vis_eeeeeeeeeeeeeeeeeeeeeeeeee"
	if err := s.PutSupportTeam(ctx, chat.SupportTeam{ID: "team_e", Name: "E", Agents: []string{"agent1", "agent2"}, Leads: []string{"agent1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: "can_e", TeamID: "team_e", Shortcut: "e", Title: "E", Text: "e", UpdatedBy: "agent1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAgentAvailability(ctx, "agent1", chat.AgentOnline, 2, now); err != nil {
		t.Fatal(err)
	}
	conv := chat.SupportConversation{RoomID: "sup_e", Visitor: chat.SupportVisitor{ID: vis, Name: "Dana Secret", Email: "dana@secret.example"},
		TeamID: "team_e", AssigneeID: "agent1", State: chat.SupportClosed, Priority: chat.PriorityNormal, Channel: chat.ChannelChat,
		Page: chat.SupportPage{URL: "https://shop.example/orders/dana-secret", Title: "Dana's orders"}, Lang: "en", CreatedAt: now, ClosedAt: now,
		Rating:    &chat.SupportRating{Score: 2, Comment: "I am Dana Secret", At: now},
		Transfers: []chat.SupportTransfer{{FromUserID: "agent2", ToUserID: "agent1", By: "agent2", Note: "over", At: now}}}
	room := chat.Room{ID: "sup_e", Kind: chat.KindSupport, Name: "Dana Secret", CreatedBy: vis, CreatedAt: now}
	if err := s.CreateSupportConversation(ctx, room, conv, chat.Member{RoomID: "sup_e", UserID: vis, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{vis, "agent1", "agent2"} {
		if _, err := s.EraseUserItems(ctx, id, chat.ErasureErase, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.GetSupportConversation(ctx, "sup_e")
	if err != nil {
		t.Fatal(err)
	}
	if c.Visitor.Name != chat.DeletedUserName || c.Visitor.Email != "" || c.Page != (chat.SupportPage{}) || c.Rating.Comment != "" || c.Rating.Score != 2 {
		t.Errorf("the visitor's data stays: %+v", c)
	}
	if c.AssigneeID != chat.DeletedActor || c.Transfers[0].By != chat.DeletedActor || c.Transfers[0].FromUserID != chat.DeletedActor || c.Transfers[0].ToUserID != chat.DeletedActor {
		t.Errorf("the agents stay: %+v", c)
	}
	tm, err := s.GetSupportTeam(ctx, "team_e")
	if err != nil || len(tm.Agents) != 0 || len(tm.Leads) != 0 {
		t.Errorf("team after erasure: %+v %v", tm, err)
	}
	if a, _ := s.GetCannedAnswer(ctx, "can_e"); a.UpdatedBy != chat.DeletedActor {
		t.Errorf("canned answer: %+v", a)
	}
	if st, _ := s.GetAgentStatus(ctx, "agent1"); st.Availability != chat.AgentAway || st.Capacity != 0 {
		t.Errorf("agent status stays: %+v", st)
	}
	if _, err := s.GetMember(ctx, "sup_e", vis); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the visitor's membership stays: %v", err)
	}
	raw, _ := s.GetRoom(ctx, "sup_e")
	if raw.Support == nil || strings.Contains(raw.Support.Visitor.Name+raw.Support.Visitor.Email, "Dana") {
		t.Errorf("room's conversation: %+v", raw.Support)
	}
}
