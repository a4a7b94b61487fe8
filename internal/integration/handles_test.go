package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestHandlesOverTheGateway: sign-up derives a handle from the display
// name; a person changes theirs, a taken or reserved one is refused, and a
// mention by handle reaches the person mentioned.
func TestHandlesOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	// Derived at the first connect from the display name ("Ann Archer" ->
	// ann.archer; cognito-local gives no name claim, so "ann"), with a
	// number if the table is shared with another test's Ann.
	if h, base := tr.stateA.Me.Handle, chat.DeriveHandle(tr.ann.display, "ann@example.com"); !strings.HasPrefix(h, base) {
		t.Errorf("ann's handle %q, want %s…", h, base)
	}
	if p, ok := findUser(tr.stateC.Users, tr.ann.id); !ok || p.Handle != tr.stateA.Me.Handle {
		t.Errorf("cyd sees ann as %+v", p)
	}

	want := "bob.b" + strings.ToLower(strings.ReplaceAll(tr.bob.id[:8], "-", ""))
	prof := decode[protocol.ProfileEvent](t, tr.b.call(protocol.ActionUpdateProfile, map[string]any{"handle": "@" + strings.ToUpper(want)}, protocol.EventProfile))
	if prof.Profile.Handle != want {
		t.Fatalf("bob's new handle %q, want %q", prof.Profile.Handle, want)
	}
	tr.a.expectEvent(protocol.EventUserUpdated, func(f frame) bool {
		ev := decode[protocol.ProfileEvent](t, f)
		return ev.Profile.UserID == tr.bob.id && ev.Profile.Handle == want
	})
	tr.c.callError(protocol.ActionUpdateProfile, map[string]any{"handle": want}, "conflict")
	tr.c.callError(protocol.ActionUpdateProfile, map[string]any{"handle": "everyone"}, "invalid")
	tr.c.callError(protocol.ActionUpdateProfile, map[string]any{"handle": "no spaces"}, "invalid")

	text := "lunch, @" + want + "?"
	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "01JDB3K4Z8Q3W5E6R7T8Y9HND1", text), protocol.EventAck))
	if !slices.Equal(ack.Message.Mentions, []string{tr.bob.id}) {
		t.Errorf("mentions %v, want bob", ack.Message.Mentions)
	}
	got := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, func(f frame) bool {
		return strings.Contains(string(f.raw), "HND1") || strings.Contains(string(f.raw), want)
	}))
	if !slices.Contains(got.Message.Mentions, tr.bob.id) {
		t.Errorf("bob got %+v without his mention", got.Message)
	}
	// Bob's state after a reconnect still carries the handle.
	tr.b.conn.CloseNow()
	time.Sleep(50 * time.Millisecond)
	_, st := tr.s.online(tr.bob)
	if st.Me.Handle != want {
		t.Errorf("after reconnect: handle %q", st.Me.Handle)
	}
}
