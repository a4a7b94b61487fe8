package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestIntegrationsOnDynamoDBLocal: registrations per scope, the command
// name unique in its scope, the per-kind cap, listing by creator (export),
// deletion by id, and erasure deleting what the erased person registered
// while leaving others'.
func TestIntegrationsOnDynamoDBLocal(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	put := func(it chat.Integration, max int) error {
		it.CreatedAt, it.Secret = at, "bcsec_x"
		return s.PutIntegration(ctx, it, max)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(put(chat.Integration{ID: "ig_1", Kind: chat.KindCommand, RoomID: "c_ops", Command: "deploy", URL: "https://x/1", CreatedBy: "ann"}, 2))
	if err := put(chat.Integration{ID: "ig_2", Kind: chat.KindCommand, RoomID: "c_ops", Command: "deploy", URL: "https://x/2", CreatedBy: "bob"}, 2); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("the same command twice: %v", err)
	}
	must(put(chat.Integration{ID: "ig_3", Kind: chat.KindCommand, RoomID: chat.WorkspaceScope, Command: "deploy", URL: "https://x/3", CreatedBy: "bob"}, 2))
	must(put(chat.Integration{ID: "ig_4", Kind: chat.KindCommand, RoomID: "c_ops", Command: "status", URL: "https://x/4", CreatedBy: "bob"}, 2))
	if err := put(chat.Integration{ID: "ig_5", Kind: chat.KindCommand, RoomID: "c_ops", Command: "third", URL: "https://x/5", CreatedBy: "bob"}, 2); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("over the cap: %v", err)
	}
	must(put(chat.Integration{ID: "ig_6", Kind: chat.KindOutgoing, RoomID: "c_ops", URL: "https://x/6", TriggerWords: []string{"deploy"}, CreatedBy: "ann"}, 2))

	cmds, err := s.ListIntegrations(ctx, "c_ops", chat.KindCommand)
	must(err)
	out, err := s.ListIntegrations(ctx, "c_ops", chat.KindOutgoing)
	must(err)
	if len(cmds) != 2 || len(out) != 1 || out[0].TriggerWords[0] != "deploy" || out[0].Secret != "bcsec_x" {
		t.Fatalf("commands %+v, outgoing %+v", cmds, out)
	}
	ws, err := s.ListIntegrations(ctx, chat.WorkspaceScope, "")
	must(err)
	if len(ws) != 1 || ws[0].ID != "ig_3" {
		t.Fatalf("workspace %+v", ws)
	}
	mine, err := s.IntegrationsBy(ctx, "ann")
	must(err)
	if len(mine) != 2 {
		t.Fatalf("ann's registrations %+v", mine)
	}
	if _, err := s.DeleteIntegration(ctx, "c_ops", "ig_4"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteIntegration(ctx, "c_ops", "ig_4"); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("deleted twice: %v", err)
	}

	// Erasing ann removes her two registrations, not bob's.
	if _, err := s.EraseUserItems(ctx, "ann", chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	mine, err = s.IntegrationsBy(ctx, "ann")
	must(err)
	left, err := s.ListIntegrations(ctx, "c_ops", "")
	must(err)
	if len(mine) != 0 || len(left) != 0 {
		t.Fatalf("after erasure: ann's %+v, room's %+v", mine, left)
	}
	if ws, _ := s.ListIntegrations(ctx, chat.WorkspaceScope, ""); len(ws) != 1 {
		t.Fatalf("bob's workspace command went: %+v", ws)
	}
}
