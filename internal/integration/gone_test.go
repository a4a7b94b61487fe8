package integration

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestGoneConnectionIsCleanedUp: a connection the store still lists but the
// gateway no longer has (its $disconnect was lost) answers 410 to the
// fan-out, which deletes exactly that connection, never the sender's, and
// the send still succeeds for everyone else.
func TestGoneConnectionIsCleanedUp(t *testing.T) {
	tr := newTrio(t, generousLimits)
	ctx := context.Background()
	store, err := dynamo.New(dynamodb.NewFromConfig(tr.s.awsCfg), tr.s.table)
	if err != nil {
		t.Fatal(err)
	}
	// A ghost: Cyd's second connection, registered in #general, never
	// opened on the gateway, connected long enough ago that it cannot be
	// in its $connect any more (service.ConnectGrace).
	const ghost = "GhostConnAAAA="
	now := time.Now()
	err = store.PutConnection(ctx, chat.Connection{
		ID: ghost, Identity: chat.Identity{UserID: tr.cyd.id, Username: tr.cyd.id, DisplayName: tr.cyd.display},
		ConnectedAt: now.Add(-2 * service.ConnectGrace), ExpiresAt: now.Add(3 * time.Hour),
	}, []string{chat.GeneralRoomID})
	if err != nil {
		t.Fatal(err)
	}

	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "g-1", "anyone there?"), protocol.EventAck))
	if ack.Delivered != 2 {
		t.Errorf("delivered to %d connections, want 2 (bob and cyd, not the ghost)", ack.Delivered)
	}
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, chat.GeneralRoomID, ack.Message.Seq))
	tr.c.expectEvent(protocol.EventMessage, isMessage(t, chat.GeneralRoomID, ack.Message.Seq))

	if _, err := store.GetConnection(ctx, ghost); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("ghost connection still stored: %v", err)
	}
	rcs, err := store.RoomConnections(ctx, chat.GeneralRoomID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range rcs {
		if rc.ConnectionID == ghost {
			t.Error("ghost connection still indexed in #general")
		}
	}
	// The sender's and the others' connections are untouched.
	for _, id := range []string{tr.stateA.ConnectionID, tr.stateB.ConnectionID, tr.stateC.ConnectionID} {
		if _, err := store.GetConnection(ctx, id); err != nil {
			t.Errorf("live connection %s: %v", id, err)
		}
	}
	tr.a.call(protocol.ActionPing, nil, protocol.EventPong)
	// Cyd still has a live connection: no offline presence for her.
	tr.b.expectNoEvent(protocol.EventPresence, func(f frame) bool { return f.fields["userId"] == tr.cyd.id })
}
