package service_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestSendDeliversToEveryConnectionButTheSendingOne(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	h.connect("bob", "b1")
	h.connect("bob", "b2")
	h.fan.SetGone("b2")
	h.fan.Reset()

	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k-1", Text: "hello  \n\t"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Type != protocol.EventAck || ack.ClientID != "k-1" || ack.Duplicate {
		t.Errorf("ack = %+v", ack)
	}
	if ack.Message.Text != "hello" || ack.Message.Seq != 1 || ack.Message.RoomID != chat.GeneralRoomID {
		t.Errorf("stored = %+v", ack.Message)
	}
	if ack.Delivered != 2 { // a2 and b1; b2 is gone
		t.Errorf("delivered = %d, want 2", ack.Delivered)
	}
	if len(h.fan.Deliveries("a1")) != 0 {
		t.Errorf("sending connection got %v", h.fan.Types("a1"))
	}
	for _, c := range []string{"a2", "b1"} {
		ev := decodeOne[protocol.MessageEvent](t, h.fan, c, protocol.EventMessage)
		if ev.Message.Seq != 1 || ev.Message.SenderID != "alice" || ev.RequestID != "" {
			t.Errorf("%s got %+v", c, ev)
		}
	}
}

func TestSendIsIdempotentOnClientID(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	h.fan.Reset()
	req := protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "retry-me", Text: "once"}
	first, err := h.svc.SendMessage(h.ctx, alice, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Text = "twice?"
	second, err := h.svc.SendMessage(h.ctx, alice, req)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Duplicate || second.Message.Seq != first.Message.Seq || second.Message.Text != "once" || second.Delivered != 0 {
		t.Errorf("retry ack = %+v", second)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessage)); n != 1 {
		t.Errorf("bob got %d copies, want 1", n)
	}
	// The retry took a seq and left it unused (a gap), nothing more.
	if r, _ := h.store.GetRoom(h.ctx, chat.GeneralRoomID); r.LastSeq != 2 {
		t.Errorf("LastSeq = %d, want 2", r.LastSeq)
	}
	// The same client id from another user is a different message.
	bob, _ := h.svc.Connection(h.ctx, "b1")
	other, err := h.svc.SendMessage(h.ctx, bob, req)
	if err != nil || other.Duplicate || other.Message.Seq != 3 {
		t.Errorf("bob's send = %+v, %v", other, err)
	}
}

func TestSendValidation(t *testing.T) {
	att := []chat.Attachment{{Key: "files/general/x.png", Name: "x.png", Size: 10, Type: "image/png"}}
	cases := []struct {
		name     string
		clientID string
		text     string
		atts     []chat.Attachment
		code     chat.Code
		stored   string
	}{
		{"plain", "k", "hi", nil, "", "hi"},
		{"leading space kept", "k", "   indented\ncode  ", nil, "", "   indented\ncode"},
		{"empty", "k", "", nil, chat.Invalid, ""},
		{"whitespace only", "k", " \n\t ", nil, chat.Invalid, ""},
		{"attachment without file storage", "k", "", att, chat.Invalid, ""}, // with storage: files_test.go
		{"invalid utf8", "k", "bad \xff", nil, chat.Invalid, ""},
		{"at the limit", "k", strings.Repeat("a", protocol.MaxTextBytes), nil, "", strings.Repeat("a", protocol.MaxTextBytes)},
		{"limit after trimming", "k", strings.Repeat("a", protocol.MaxTextBytes) + "   ", nil, "", strings.Repeat("a", protocol.MaxTextBytes)},
		{"too large", "k", strings.Repeat("a", protocol.MaxTextBytes+1), nil, chat.TooLarge, ""},
		{"no client id", "", "hi", nil, chat.Invalid, ""},
		{"client id too long", strings.Repeat("k", 65), "hi", nil, chat.Invalid, ""},
		{"client id charset", "k k", "hi", nil, chat.Invalid, ""},
		{"attachment without key", "k", "", []chat.Attachment{{Name: "x"}}, chat.Invalid, ""},
		{"attachment key escapes", "k", "x", []chat.Attachment{{Key: "../etc/passwd", Name: "x"}}, chat.Invalid, ""},
		{"too many attachments", "k", "x", slices.Repeat(att, 11), chat.TooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			alice := h.connect("alice", "a1")
			ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
				RoomID: chat.GeneralRoomID, ClientID: tc.clientID, Text: tc.text, Attachments: tc.atts,
			})
			wantCode(t, err, tc.code)
			if tc.code == "" && ack.Message.Text != tc.stored {
				t.Errorf("stored %q, want %q", ack.Message.Text, tc.stored)
			}
			if tc.code == chat.TooLarge && tc.atts == nil && !strings.Contains(chat.ErrorMessage(err), "8192") {
				t.Errorf("message %q does not state the limit", chat.ErrorMessage(err))
			}
		})
	}
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{ClientID: "k", Text: "hi"})
	wantCode(t, err, chat.Invalid)
}

func TestSenderNameIsTheProfileNameAtSendTime(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	before := h.send(alice, chat.GeneralRoomID, "one")
	name := "Alice Liddell"
	if _, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	after := h.send(alice, chat.GeneralRoomID, "two")
	if before.SenderName != "Alice" || after.SenderName != "Alice Liddell" {
		t.Errorf("sender names %q, %q", before.SenderName, after.SenderName)
	}
}

func TestMentionsAreResolvedAgainstMembers(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	h.connect("carol", "c1")
	dana := h.connect("dana", "d1")
	room := h.channel(alice, "team", false)
	h.join(dana, room.ID)
	// bob and carol are not in #team: they cannot be mentioned there.
	m := h.send(alice, room.ID, "@Dana and @bob, see @DANA again and mail carol@example.com")
	if !slices.Equal(m.Mentions, []string{"dana"}) {
		t.Errorf("mentions = %v, want [dana]", m.Mentions)
	}
	g := h.send(alice, chat.GeneralRoomID, "@bob @carol: hi")
	if !slices.Equal(g.Mentions, []string{"bob", "carol"}) {
		t.Errorf("mentions = %v, want [bob carol]", g.Mentions)
	}
}

func TestEditAndDeleteOwnMessage(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("bob", "b1")
	msg := h.send(alice, chat.GeneralRoomID, "tpyo")
	h.advance(time.Second)
	h.fan.Reset()

	ev, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: msg.Seq, Text: "typo @bob "})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventMessageUpdated || ev.Message.Text != "typo @bob" || !ev.Message.EditedAt.Equal(h.clock()) ||
		!slices.Equal(ev.Message.Mentions, []string{"bob"}) || !ev.Message.CreatedAt.Equal(msg.CreatedAt) {
		t.Errorf("edited = %+v", ev.Message)
	}
	pushed := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated)
	if pushed.Message.Text != "typo @bob" {
		t.Errorf("bob saw %+v", pushed.Message)
	}
	_, err = h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: msg.Seq, Text: "  "})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: 99, Text: "x"})
	wantCode(t, err, chat.NotFound)

	h.fan.Reset()
	del, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: msg.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if !del.Message.Deleted || del.Message.Text != "" || del.Message.Mentions != nil || del.Message.Seq != msg.Seq {
		t.Errorf("tombstone = %+v", del.Message)
	}
	decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated)
	stored, _ := h.store.GetMessage(h.ctx, chat.GeneralRoomID, msg.Seq)
	if !stored.Deleted || stored.Text != "" {
		t.Errorf("stored = %+v", stored)
	}

	_, err = h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: chat.GeneralRoomID, Seq: msg.Seq, Text: "back"})
	wantCode(t, err, chat.Conflict)
	h.fan.Reset()
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: msg.Seq}); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("second delete pushed %d events", n)
	}
}

func TestDeleteRemovesAttachments(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	att := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "a.pdf", "application/pdf", []byte("%PDF"))
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{
		RoomID: chat.GeneralRoomID, ClientID: "f", Attachments: []chat.Attachment{att},
	})
	if err != nil {
		t.Fatal(err)
	}
	del, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: ack.Message.Seq})
	if err != nil || del.Message.Attachments != nil {
		t.Errorf("tombstone attachments = %v, err %v", del.Message.Attachments, err)
	}
}

func TestSendSurvivesAFailingFanoutQuery(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.store.FailOn("RoomConnections", chat.Errorf(chat.Internal, "throttled"))
	ack, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "k", Text: "stored anyway"})
	if err != nil || ack.Message.Seq != 1 || ack.Delivered != 0 {
		t.Errorf("ack = %+v, err %v", ack, err)
	}
}
