package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestSupportNotifiesAssigneeNotVisitor: a visitor's message notifies the
// conversation's assignee as a DM does; a note mentioning a lead notifies
// the lead; a visitor is never a candidate, even mentioned.
func TestSupportNotifiesAssigneeNotVisitor(t *testing.T) {
	s, q, _, n := setup(t)
	ctx := context.Background()
	now := time.Now()
	const vis = "vis_nnnnnnnnnnnnnnnnnnnnnnnnnn"
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: vis, Username: vis, DisplayName: "Visitor", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	conv := chat.SupportConversation{RoomID: "sup_1", Visitor: chat.SupportVisitor{ID: vis, Name: "Dana"}, AssigneeID: "bo", State: chat.SupportOpen, CreatedAt: now}
	if err := s.CreateSupportConversation(ctx, chat.Room{ID: "sup_1", Kind: chat.KindSupport, Name: "support", CreatedAt: now}, conv,
		chat.Member{RoomID: "sup_1", UserID: vis, Role: chat.RoleMember}); err != nil {
		t.Fatal(err)
	}
	if err := n.Consume(ctx, []chat.Event{chat.MessageCreated{Message: chat.Message{RoomID: "sup_1", Seq: 1, SenderID: vis, SenderName: "Visitor", Text: "help", CreatedAt: now}}}); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 || q.jobs[0].UserID != "bo" || q.jobs[0].Reason != "dm" || q.jobs[0].Room != "Dana" {
		t.Fatalf("visitor's message: jobs %+v, want one for the assignee bo", q.jobs)
	}
	q.jobs = nil
	send(t, n, chat.Message{RoomID: "sup_1", Seq: 2, Text: "Escalated", Internal: true, Mentions: []string{"cy", vis}})
	var to []string
	for _, j := range q.jobs {
		to = append(to, j.UserID)
	}
	if len(to) != 2 || to[0] != "bo" || to[1] != "cy" {
		t.Fatalf("a note mentioning cy (and, wrongly, the visitor): pushes to %v, want bo and cy", to)
	}
}
