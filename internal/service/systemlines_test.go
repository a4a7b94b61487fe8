package service_test

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// With SystemLines on, joins, leaves, invites, renames and topic changes
// are stored in the room's timeline (history and resume return them, so they
// survive a reload), sent by who did it, delivered like messages, and never
// counted unread.
func TestSystemLinesAreStoredInTheTimeline(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.SystemLines = true })
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	carol := h.connect("carol", "c1")
	room := h.channel(alice, "ops", false)
	h.join(bob, room.ID)
	if _, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: room.ID, UserIDs: []string{"carol"}}); err != nil {
		t.Fatal(err)
	}
	topic, name := "pager duty", "ops-team"
	if _, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, Name: &name, Topic: &topic}); err != nil {
		t.Fatal(err)
	}
	h.fan.Reset()
	if _, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	// The leave line reaches the members still there, as a message.
	if n := len(h.fan.OfType("c1", protocol.EventMessage)); n != 1 {
		t.Errorf("carol got %d message events for bob's leave, want 1 (all: %v)", n, h.fan.Types("c1"))
	}
	// And the actor's own connection gets its line too (the reply has none).
	h.fan.Reset()
	again := "ops"
	if _, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, Name: &again}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.fan.OfType("a1", protocol.EventMessage)); n != 1 {
		t.Errorf("alice's connection got %d message events for her rename, want 1 (all: %v)", n, h.fan.Types("a1"))
	}

	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		sender string
		kind   chat.SystemKind
		text   string
	}
	var got []line
	msgs := slices.Clone(hist.Messages)
	slices.SortFunc(msgs, func(a, b chat.Message) int { return int(a.Seq - b.Seq) }) // history is newest first
	for _, m := range msgs {
		if m.System == nil {
			t.Errorf("seq %d is not a system line: %+v", m.Seq, m)
			continue
		}
		got = append(got, line{m.SenderID, m.System.Kind, m.Text})
	}
	want := []line{
		{"bob", chat.SystemJoined, "joined the channel"},
		{"alice", chat.SystemInvited, "added Carol"},
		{"alice", chat.SystemRenamed, "renamed the channel to #ops-team"},
		{"alice", chat.SystemTopic, "changed the topic to \u201cpager duty\u201d"},
		{"bob", chat.SystemLeft, "left the channel"},
		{"alice", chat.SystemRenamed, "renamed the channel to #ops"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline = %+v\nwant       %+v", got, want)
	}
	for _, m := range hist.Messages {
		if m.System.Kind == chat.SystemInvited && !slices.Equal(m.System.UserIDs, []string{"carol"}) {
			t.Errorf("invite line names %v, want [carol]", m.System.UserIDs)
		}
	}

	// Nobody edits or deletes a system line, not even who did it.
	if _, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: msgs[2].Seq, Text: "x"}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("editing a system line: err = %v, want a refusal", err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msgs[1].Seq}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("deleting a system line: err = %v, want a refusal", err)
	}

	// Not unread for anyone: carol's state counts nothing in #ops-team.
	st, err := h.svc.GetState(h.ctx, carol)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Rooms {
		if r.ID == room.ID && (r.Unread != 0 || r.Mentions != 0) {
			t.Errorf("carol's unread in ops = %d/%d, want 0", r.Unread, r.Mentions)
		}
	}
}

// Off (the default of the service's Config), nothing is added.
func TestSystemLinesOff(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "quiet", false)
	h.join(bob, room.ID)
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 0 {
		t.Errorf("history = %+v, want none", hist.Messages)
	}
}
