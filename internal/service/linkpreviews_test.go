package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// stored reads a message as the worker does.
func (h *harness) stored(roomID string, seq int64) chat.Message {
	h.t.Helper()
	m, err := h.svc.StoredMessage(h.ctx, roomID, seq)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func TestLinkPreviewsStoredPushedAndRemoved(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	msg := h.send(alice, room.ID, "see https://a.example/ and https://b.example/")
	h.fan.Reset()

	a := chat.LinkPreview{URL: "https://a.example/", Title: "A", ImageURL: "https://a.example/a.png"}
	b := chat.LinkPreview{URL: "https://b.example/", Title: "B"}
	stored, changed, err := h.svc.ApplyLinkPreviews(h.ctx, h.stored(room.ID, msg.Seq), []chat.LinkPreview{a, b, {URL: "https://empty.example/"}})
	if err != nil || !changed || len(stored.Previews) != 2 {
		t.Fatalf("ApplyLinkPreviews = %+v, %v, %v", stored.Previews, changed, err)
	}
	// The worker has no connection: everyone in the room is told, the sender too.
	for _, conn := range []string{"a1", "b1"} {
		got := decodeOne[protocol.MessageEvent](t, h.fan, conn, protocol.EventMessageUpdated)
		if got.Chg != 1 || len(got.Message.Previews) != 2 || got.Message.Previews[0] != a {
			t.Errorf("%s got %+v", conn, got)
		}
	}
	// The same previews again: nothing numbered or pushed.
	h.fan.Reset()
	if _, changed, _ := h.svc.ApplyLinkPreviews(h.ctx, h.stored(room.ID, msg.Seq), []chat.LinkPreview{a, b}); changed || len(h.fan.Sends()) != 0 {
		t.Errorf("repeat changed %v, %d sends", changed, len(h.fan.Sends()))
	}

	// Only the sender removes one.
	_, err = h.svc.RemovePreview(h.ctx, bob, protocol.RemovePreviewRequest{RoomID: room.ID, Seq: msg.Seq, URL: a.URL})
	wantCode(t, err, chat.Forbidden)
	ev, err := h.svc.RemovePreview(h.ctx, alice, protocol.RemovePreviewRequest{RoomID: room.ID, Seq: msg.Seq, URL: a.URL})
	if err != nil || ev.Chg != 2 || len(ev.Message.Previews) != 1 || ev.Message.Previews[0] != b {
		t.Fatalf("RemovePreview = %+v, %v", ev, err)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated); len(got.Message.Previews) != 1 {
		t.Errorf("bob got %+v", got)
	}
	// Idempotent; a late worker does not bring it back.
	if ev, _ := h.svc.RemovePreview(h.ctx, alice, protocol.RemovePreviewRequest{RoomID: room.ID, Seq: msg.Seq, URL: a.URL}); ev.Chg != 0 {
		t.Errorf("removing again numbered a change: %+v", ev)
	}
	if m, _, _ := h.svc.ApplyLinkPreviews(h.ctx, h.stored(room.ID, msg.Seq), []chat.LinkPreview{a, b}); len(m.Previews) != 1 {
		t.Errorf("a late worker brought a removed preview back: %+v", m.Previews)
	}
	// All, without a URL.
	if ev, err := h.svc.RemovePreview(h.ctx, alice, protocol.RemovePreviewRequest{RoomID: room.ID, Seq: msg.Seq}); err != nil || len(ev.Message.Previews) != 0 {
		t.Errorf("remove all = %+v, %v", ev.Message.Previews, err)
	}
	// Replayed on resume: the change log names the message.
	changes, _, err := h.store.ChangesAfter(h.ctx, room.ID, 0, 10)
	if err != nil || len(changes) != 3 || changes[0].Seq != msg.Seq {
		t.Errorf("change log = %+v, %v", changes, err)
	}
}

func TestLinkPreviewsOnDeletedAndMissingMessages(t *testing.T) {
	h, alice, _, room := convWorld(t)
	msg := h.send(alice, room.ID, "https://a.example/")
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq}); err != nil {
		t.Fatal(err)
	}
	h.fan.Reset()
	if _, changed, err := h.svc.ApplyLinkPreviews(h.ctx, h.stored(room.ID, msg.Seq), []chat.LinkPreview{{URL: "https://a.example/", Title: "A"}}); err != nil || changed || len(h.fan.Sends()) != 0 {
		t.Errorf("previews on a tombstone: changed %v, %v", changed, err)
	}
	_, _, err := h.svc.ApplyLinkPreviews(h.ctx, chat.Message{RoomID: room.ID, Seq: 999}, []chat.LinkPreview{{URL: "https://a.example/", Title: "A"}})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.StoredMessage(h.ctx, room.ID, 999)
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.RemovePreview(h.ctx, alice, protocol.RemovePreviewRequest{RoomID: room.ID, Seq: msg.Seq})
	wantCode(t, err, chat.Conflict)
}

// A deleted message's tombstone carries no previews: not in the reply, not
// pushed to the room, not stored.
func TestDeletingAMessageDropsItsPreviews(t *testing.T) {
	h, alice, _, room := convWorld(t)
	msg := h.send(alice, room.ID, "https://a.example/")
	if _, changed, err := h.svc.ApplyLinkPreviews(h.ctx, h.stored(room.ID, msg.Seq), []chat.LinkPreview{{URL: "https://a.example/", Title: "Secret plan"}}); err != nil || !changed {
		t.Fatalf("ApplyLinkPreviews: %v, %v", changed, err)
	}
	h.fan.Reset()
	ev, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq})
	if err != nil || len(ev.Message.Previews) != 0 {
		t.Fatalf("delete reply previews = %+v, %v", ev.Message.Previews, err)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated); !got.Message.Deleted || len(got.Message.Previews) != 0 {
		t.Errorf("the room's tombstone = %+v", got.Message)
	}
	if stored := h.stored(room.ID, msg.Seq); len(stored.Previews) != 0 || len(stored.PreviewsRemoved) != 0 {
		t.Errorf("stored tombstone previews = %+v / %v", stored.Previews, stored.PreviewsRemoved)
	}
}
