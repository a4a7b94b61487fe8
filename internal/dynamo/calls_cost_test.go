package dynamo_test

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestDisconnectCallCost measures $disconnect on DynamoDB Local through the
// service (docs/ARCHITECTURE.md "## Calls", Expiry): of a connection in no
// call, and of a participant of a two-person call (it leaves the call at
// once). No transaction is involved, so the units are what DynamoDB bills.
func TestDisconnectCallCost(t *testing.T) {
	harness := newCostHarness(t, service.Config{SystemLines: true})
	svc, log := harness.svc, harness.log
	ctx := context.Background()
	connect := func(id, conn string, groups ...string) chat.Connection {
		return harness.connect(t, id, conn, groups...)
	}
	ann, bob := connect("ann", "ann1"), connect("bob", "bob1")
	connect("ann", "ann2") // a second tab: the disconnects below are not the last
	connect("bob", "bob2")
	dm, err := svc.OpenDirect(ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	measure := func(what string) (int, float64) {
		t.Helper()
		ops, units := log.reset()
		t.Logf("%s: %d requests, %.1f capacity units: %v", what, len(ops), units, ops)
		return len(ops), units
	}

	log.reset()
	if err := svc.Disconnect(ctx, "ann2"); err != nil {
		t.Fatal(err)
	}
	plainReqs, _ := measure("$disconnect, in no call")

	log.reset()
	started, err := svc.StartCall(ctx, ann, protocol.StartCallRequest{RoomID: dm.Room.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Each records the call on the connection (one UpdateItem more) so
	// that $disconnect needs no lookup.
	measure("startCall")
	if _, err := svc.JoinCall(ctx, bob, protocol.JoinCallRequest{CallID: started.Call.ID}); err != nil {
		t.Fatal(err)
	}
	measure("joinCall")
	if err := svc.Disconnect(ctx, "bob1"); err != nil {
		t.Fatal(err)
	}
	callReqs, _ := measure("$disconnect, in a two-person call")
	// The call's GetItem and PutItem, and the room's fan-out lookup for
	// callUpdated (one Query per shard), as leaveCall.
	if want := plainReqs + 2 + dynamo.RoomConnShards; callReqs > want {
		t.Errorf("$disconnect of a participant: %d requests, want at most %d", callReqs, want)
	}
}
