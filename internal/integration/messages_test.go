package integration

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// isMessage matches a message event of room with seq.
func isMessage(t *testing.T, roomID string, seq int64) func(frame) bool {
	return func(f frame) bool {
		m := decode[protocol.MessageEvent](t, f).Message
		return m.RoomID == roomID && m.Seq == seq
	}
}

// TestMessaging: send, idempotent retry, mentions, edit, delete, limits, and
// delivery only to the room's members.
func TestMessaging(t *testing.T) {
	tr := newTrio(t, generousLimits)
	// A channel of Ann and Bob; Cyd is not in it.
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "pair"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	// Bob's join is the room's first message: a system line (seq 1).
	tr.a.drain()
	tr.b.drain()

	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		map[string]any{"roomId": club, "clientId": "01JDB3K4Z8Q3W5E6R7T8Y9U0I1", "text": "hello @" + tr.bob.display + " \n "}, protocol.EventAck))
	msg := ack.Message
	if ack.ClientID != "01JDB3K4Z8Q3W5E6R7T8Y9U0I1" || ack.Duplicate || msg.Seq != 2 || msg.RoomID != club {
		t.Fatalf("ack %+v", ack)
	}
	if msg.SenderID != tr.ann.id || msg.SenderName != tr.ann.display || msg.Text != "hello @"+tr.bob.display || msg.CreatedAt.IsZero() {
		t.Errorf("stored %+v: want sender, name, text without trailing space and time from the server", msg)
	}
	if !slices.Equal(msg.Mentions, []string{tr.bob.id}) {
		t.Errorf("mentions %v, want [%s]", msg.Mentions, tr.bob.id)
	}
	if ack.Delivered != 1 {
		t.Errorf("delivered to %d connections, want 1 (bob)", ack.Delivered)
	}
	got := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, isMessage(t, club, 2)))
	if got.Message.Text != msg.Text || got.Message.SenderID != tr.ann.id {
		t.Errorf("bob got %+v", got.Message)
	}
	tr.c.expectNoEvent(protocol.EventMessage, nil) // not a member

	// The same clientId again (a retry after a lost ack): stored once,
	// answered with the first message, not delivered again.
	retry := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		map[string]any{"roomId": club, "clientId": "01JDB3K4Z8Q3W5E6R7T8Y9U0I1", "text": "hello again?"}, protocol.EventAck))
	if !retry.Duplicate || retry.Message.Seq != 2 || retry.Message.Text != "hello @"+tr.bob.display {
		t.Errorf("retry ack %+v: want duplicate of seq 2", retry)
	}
	tr.b.expectNoEvent(protocol.EventMessage, nil)
	hist := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	if len(hist.Messages) != 2 {
		t.Errorf("history has %d messages after a retried send, want 2 (the join line and the message)", len(hist.Messages))
	}
	// The same clientId from someone else is a different message.
	other := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage,
		map[string]any{"roomId": club, "clientId": "01JDB3K4Z8Q3W5E6R7T8Y9U0I1", "text": "mine"}, protocol.EventAck))
	if other.Duplicate || other.Message.Seq != 3 {
		t.Errorf("bob's send with ann's clientId: %+v", other)
	}
	tr.a.expectEvent(protocol.EventMessage, isMessage(t, club, 3))

	// Edit own message: reply and broadcast.
	edited := decode[protocol.MessageEvent](t, tr.a.call(protocol.ActionEditMessage,
		map[string]any{"roomId": club, "seq": 2, "text": "hello, edited"}, protocol.EventMessageUpdated)).Message
	if edited.Text != "hello, edited" || edited.EditedAt.IsZero() || len(edited.Mentions) != 0 {
		t.Errorf("edited %+v", edited)
	}
	tr.b.expectEvent(protocol.EventMessageUpdated, func(f frame) bool {
		m := decode[protocol.MessageEvent](t, f).Message
		return m.Seq == 2 && m.Text == "hello, edited"
	})
	// Nobody edits or deletes someone else's message.
	tr.b.callError(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": 2, "text": "pwned"}, "forbidden")
	tr.b.callError(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": 2}, "forbidden")
	tr.a.callError(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": 99, "text": "?"}, "not_found")

	// Delete own: a tombstone keeps the seq.
	deleted := decode[protocol.MessageEvent](t, tr.a.call(protocol.ActionDeleteMessage,
		map[string]any{"roomId": club, "seq": 2}, protocol.EventMessageUpdated)).Message
	if !deleted.Deleted || deleted.Text != "" || deleted.Seq != 2 {
		t.Errorf("deleted %+v, want a tombstone", deleted)
	}
	tr.b.expectEvent(protocol.EventMessageUpdated, func(f frame) bool {
		m := decode[protocol.MessageEvent](t, f).Message
		return m.Seq == 2 && m.Deleted
	})
	hist = decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	if len(hist.Messages) != 3 || hist.Messages[1].Seq != 2 || !hist.Messages[1].Deleted || hist.Messages[1].Text != "" {
		t.Errorf("history after delete: %+v", hist.Messages)
	}
	tr.a.callError(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": 2, "text": "undead"}, "conflict")

	// Size limit: 8 KB of text passes, one byte more does not.
	limit := strings.Repeat("é", protocol.MaxTextBytes/2)
	tr.a.call(protocol.ActionSendMessage, message(club, "max-size", limit), protocol.EventAck)
	tr.a.callError(protocol.ActionSendMessage, message(club, "too-big", limit+"x"), string(chat.TooLarge))
	tr.a.callError(protocol.ActionSendMessage, message(club, "blank", "   "), "invalid")

	// The sender's other connection gets the message too; the sending
	// connection gets only its ack.
	a2 := tr.s.connect(tr.ann)
	a2.drain()
	ack3 := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(club, "two-tabs", "sync"), protocol.EventAck))
	a2.expectEvent(protocol.EventMessage, isMessage(t, club, ack3.Message.Seq))
	tr.a.expectNoEvent(protocol.EventMessage, isMessage(t, club, ack3.Message.Seq))
}
