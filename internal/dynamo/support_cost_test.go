package dynamo_test

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestSupportCost measures the table's side of customer support's hot
// paths through the service on DynamoDB Local (docs/ARCHITECTURE.md
// "Customer support", Cost): a visitor starting a conversation that is
// assigned at once, a visitor's message, an agent's claim. The one
// transactions (CreateSupportConversation, 4 items; AddMember, 2) DynamoDB
// bills at twice what DynamoDB Local reports; the log adds the difference.
func TestSupportCost(t *testing.T) {
	harness := newCostHarness(t, service.Config{SystemLines: true})
	svc, log := harness.svc, harness.log
	ctx := context.Background()
	connect := func(id, conn string, groups ...string) chat.Connection {
		return harness.connect(t, id, conn, groups...)
	}
	adm := connect("adm", "adm1", chat.GroupAdmins)
	ann := connect("ann", "ann1")
	bob := connect("bob", "bob1")
	for _, team := range []chat.SupportTeam{
		{Name: "Billing", Topics: []string{"billing"}, Agents: []string{"ann"}, AutoAssign: true},
		{Name: "Tech", Topics: []string{"tech"}, Agents: []string{"bob"}},
	} {
		if _, err := svc.SaveSupportTeam(ctx, adm, protocol.SaveSupportTeamRequest{Team: team}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.SetAgentStatus(ctx, ann, protocol.SetAgentStatusRequest{Availability: chat.AgentOnline}); err != nil {
		t.Fatal(err)
	}
	v1 := connect("vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", "v1", chat.GroupVisitors)
	v2 := connect("vis_bbbbbbbbbbbbbbbbbbbbbbbbbb", "v2", chat.GroupVisitors)
	measure := func(what string, maxRequests int) {
		t.Helper()
		ops, units := log.reset()
		txItems := 0
		for _, op := range ops {
			switch op {
			case "CreateSupportConversation:TransactWriteItems":
				txItems += 4 // room, counter, membership, conversation
			case "AddMember:TransactWriteItems":
				txItems += 2 // membership, member count
			}
		}
		t.Logf("%s: %d requests, %.1f units as DynamoDB Local counts (+%d WCU billed for the transaction's items): %v", what, len(ops), units, txItems, ops)
		if len(ops) > maxRequests {
			t.Errorf("%s: %d requests, want at most %d", what, len(ops), maxRequests)
		}
	}
	log.reset()
	started, err := svc.StartSupport(ctx, v1, protocol.StartSupportRequest{Topic: "billing"})
	if err != nil || started.Conversation.State != chat.SupportOpen {
		t.Fatalf("start: %+v %v", started, err)
	}
	measure("startSupport, auto-assigned", 40)
	if _, err := svc.SendMessage(ctx, v1, protocol.SendMessageRequest{RoomID: started.Conversation.RoomID, ClientID: "m1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	measure("a visitor's message", 16)
	queued, err := svc.StartSupport(ctx, v2, protocol.StartSupportRequest{Topic: "tech"})
	if err != nil {
		t.Fatal(err)
	}
	log.reset()
	if _, err := svc.ClaimSupport(ctx, bob, protocol.RoomRequest{RoomID: queued.Conversation.RoomID}); err != nil {
		t.Fatal(err)
	}
	measure("claimSupport", 30)
	if _, err := svc.AddSupportNote(ctx, bob, protocol.AddSupportNoteRequest{RoomID: queued.Conversation.RoomID, Text: "note"}); err != nil {
		t.Fatal(err)
	}
	measure("addSupportNote", 12)
	if _, err := svc.GetSupportInbox(ctx, ann); err != nil {
		t.Fatal(err)
	}
	measure("getSupportInbox, one team", 12)
}
