package service_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// convWorld: alice owns #talk, bob is a member; both connected.
func convWorld(t *testing.T) (*harness, chat.Connection, chat.Connection, chat.Room) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "talk", false)
	h.join(bob, room.ID)
	h.fan.Reset()
	h.events.Reset()
	return h, alice, bob, room
}

func (h *harness) react(c chat.Connection, room string, seq int64, emoji string, on bool) protocol.MessageEvent {
	h.t.Helper()
	ev, err := h.svc.React(h.ctx, c, protocol.ReactRequest{RoomID: room, Seq: seq, Emoji: emoji, On: on})
	if err != nil {
		h.t.Fatalf("React(%s, %d, %s, %v): %v", room, seq, emoji, on, err)
	}
	return ev
}

func TestReactPushesLiveAndIsIdempotent(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	msg := h.send(alice, room.ID, "ship it")
	h.fan.Reset()

	ev := h.react(bob, room.ID, msg.Seq, "👍", true)
	if ev.Chg != 1 || len(ev.Message.Reactions) != 1 || ev.Message.Reactions[0].UserIDs[0] != "bob" {
		t.Fatalf("reply = %+v", ev)
	}
	got := decodeOne[protocol.MessageEvent](t, h.fan, "a1", protocol.EventMessageUpdated)
	if got.Chg != 1 || got.Message.Reactions[0].Emoji != "👍" || got.Message.Text != "ship it" {
		t.Errorf("alice got %+v", got)
	}
	if n := len(h.fan.OfType("b1", protocol.EventMessageUpdated)); n != 0 {
		t.Errorf("the reacting connection got %d pushes (it has the reply)", n)
	}
	// The same reaction again: nothing stored, pushed or numbered.
	h.fan.Reset()
	h.events.Reset()
	again := h.react(bob, room.ID, msg.Seq, "👍", true)
	if again.Chg != 0 || len(again.Message.Reactions) != 1 || len(h.fan.Sends()) != 0 || len(h.events.All()) != 0 {
		t.Errorf("repeat: %+v, %d sends, events %v", again, len(h.fan.Sends()), h.events.Types())
	}
	// A shortcode maps to its emoji; alice joins the 👍.
	if ev := h.react(alice, room.ID, msg.Seq, ":+1:", true); !slices.Equal(ev.Message.Reactions[0].UserIDs, []string{"bob", "alice"}) {
		t.Errorf("shortcode: %+v", ev.Message.Reactions)
	}
	// Removing: bob's goes, alice's stays; removing again is a no-op.
	if ev := h.react(bob, room.ID, msg.Seq, "👍", false); ev.Chg != 3 || !slices.Equal(ev.Message.Reactions[0].UserIDs, []string{"alice"}) {
		t.Errorf("remove: %+v", ev)
	}
	if ev := h.react(bob, room.ID, msg.Seq, "👍", false); ev.Chg != 0 {
		t.Errorf("remove again numbered a change: %+v", ev)
	}
	if r, _ := h.store.GetRoom(h.ctx, room.ID); r.LastChg != 3 {
		t.Errorf("room LastChg = %d, want 3", r.LastChg)
	}
}

func TestReactRefusals(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	msg := h.send(alice, room.ID, "hello")
	for _, bad := range []string{"", "ok", "👍👍", "<b>", ":unknown:"} {
		_, err := h.svc.React(h.ctx, bob, protocol.ReactRequest{RoomID: room.ID, Seq: msg.Seq, Emoji: bad, On: true})
		wantCode(t, err, chat.Invalid)
	}
	_, err := h.svc.React(h.ctx, bob, protocol.ReactRequest{RoomID: room.ID, Seq: 999, Emoji: "👍", On: true})
	wantCode(t, err, chat.NotFound)
	// The distinct-emoji cap.
	emoji := []string{"😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗", "😙", "🥲", "😚", "🙂"}
	for _, e := range emoji[:chat.MaxReactionEmoji] {
		h.react(bob, room.ID, msg.Seq, e, true)
	}
	_, err = h.svc.React(h.ctx, alice, protocol.ReactRequest{RoomID: room.ID, Seq: msg.Seq, Emoji: "🚀", On: true})
	wantCode(t, err, chat.Invalid)
	h.react(alice, room.ID, msg.Seq, emoji[0], true) // an emoji the message has is fine
	// A deleted message takes no reactions, and lost its own.
	del, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq})
	if err != nil || len(del.Message.Reactions) != 0 {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	_, err = h.svc.React(h.ctx, bob, protocol.ReactRequest{RoomID: room.ID, Seq: msg.Seq, Emoji: "👍", On: true})
	wantCode(t, err, chat.Conflict)
}

func TestPinsAndTheRoomSetting(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	m1 := h.send(bob, room.ID, "first")
	m2 := h.send(bob, room.ID, "second")
	_, err := h.svc.PinMessage(h.ctx, bob, protocol.PinMessageRequest{RoomID: room.ID, Seq: m1.Seq, Pinned: true})
	wantCode(t, err, chat.Forbidden)
	h.fan.Reset()
	ev, err := h.svc.PinMessage(h.ctx, alice, protocol.PinMessageRequest{RoomID: room.ID, Seq: m1.Seq, Pinned: true})
	if err != nil || ev.Message.PinnedBy != "alice" || ev.Chg == 0 {
		t.Fatalf("pin = %+v, %v", ev, err)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessageUpdated); got.Message.PinnedBy != "alice" {
		t.Errorf("bob got %+v", got)
	}
	// The owner lets every member pin.
	on := true
	rev, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: room.ID, MembersCanPin: &on})
	if err != nil || !rev.Room.MembersCanPin {
		t.Fatalf("updateChannel membersCanPin = %+v, %v", rev.Room, err)
	}
	if _, err := h.svc.PinMessage(h.ctx, bob, protocol.PinMessageRequest{RoomID: room.ID, Seq: m2.Seq, Pinned: true}); err != nil {
		t.Fatalf("member pins once allowed: %v", err)
	}
	pins, err := h.svc.ListPins(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID})
	if err != nil || len(pins.Messages) != 2 || pins.Messages[0].Seq != m2.Seq || pins.Messages[1].Seq != m1.Seq {
		t.Fatalf("pins = %+v, %v", pins, err)
	}
	// Pinning again is a no-op; unpinning removes it; deleting a pinned
	// message takes it off the list.
	if again, _ := h.svc.PinMessage(h.ctx, bob, protocol.PinMessageRequest{RoomID: room.ID, Seq: m2.Seq, Pinned: true}); again.Chg != 0 {
		t.Errorf("pin again numbered a change: %+v", again)
	}
	if _, err := h.svc.PinMessage(h.ctx, bob, protocol.PinMessageRequest{RoomID: room.ID, Seq: m1.Seq, Pinned: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: m2.Seq}); err != nil {
		t.Fatal(err)
	}
	if pins, _ := h.svc.ListPins(h.ctx, alice, protocol.RoomRequest{RoomID: room.ID}); len(pins.Messages) != 0 {
		t.Errorf("pins after unpin and delete = %+v", pins.Messages)
	}
	if seqs, _ := h.store.PinnedSeqs(h.ctx, room.ID); len(seqs) != 0 {
		t.Errorf("the room's pinned set = %v", seqs)
	}
	// In a direct room everyone pins.
	dm := h.direct(bob, "alice")
	dmMsg := h.send(alice, dm.ID, "psst")
	if _, err := h.svc.PinMessage(h.ctx, bob, protocol.PinMessageRequest{RoomID: dm.ID, Seq: dmMsg.Seq, Pinned: true}); err != nil {
		t.Errorf("pin in a direct room: %v", err)
	}
}

func TestPinCap(t *testing.T) {
	h, alice, _, room := convWorld(t)
	for i := range chat.MaxPins {
		m := h.send(alice, room.ID, fmt.Sprint("m", i))
		if _, err := h.svc.PinMessage(h.ctx, alice, protocol.PinMessageRequest{RoomID: room.ID, Seq: m.Seq, Pinned: true}); err != nil {
			t.Fatal(err)
		}
	}
	m := h.send(alice, room.ID, "one too many")
	_, err := h.svc.PinMessage(h.ctx, alice, protocol.PinMessageRequest{RoomID: room.ID, Seq: m.Seq, Pinned: true})
	wantCode(t, err, chat.Invalid)
}

func TestSavedMessages(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	var msgs []chat.Message
	for i := range 4 {
		msgs = append(msgs, h.send(alice, room.ID, fmt.Sprint("note ", i)))
	}
	for _, m := range msgs {
		h.advance(time.Second)
		ev, err := h.svc.SaveMessage(h.ctx, bob, protocol.SaveMessageRequest{RoomID: room.ID, Seq: m.Seq, Saved: true})
		if err != nil || !ev.Saved || ev.SavedAt.IsZero() {
			t.Fatalf("save = %+v, %v", ev, err)
		}
	}
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msgs[3].Seq}); err != nil {
		t.Fatal(err)
	}
	page, err := h.svc.ListSaved(h.ctx, bob, protocol.ListSavedRequest{Limit: 3})
	if err != nil || len(page.Items) != 3 || page.Cursor == "" {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	first := page.Items[0]
	if first.Seq != msgs[3].Seq || first.Message == nil || !first.Message.Deleted || first.RoomName != "talk" {
		t.Errorf("the deleted saved message = %+v", first)
	}
	if page.Items[1].Message.Text != "note 2" {
		t.Errorf("second item = %+v", page.Items[1])
	}
	next, _ := h.svc.ListSaved(h.ctx, bob, protocol.ListSavedRequest{Limit: 3, Cursor: page.Cursor})
	if len(next.Items) != 1 || next.Items[0].Seq != msgs[0].Seq || next.Cursor != "" {
		t.Errorf("page 2 = %+v", next)
	}
	// Alice's list is her own.
	if mine, _ := h.svc.ListSaved(h.ctx, alice, protocol.ListSavedRequest{}); len(mine.Items) != 0 {
		t.Errorf("alice sees %+v", mine.Items)
	}
	// Unsave; then, after leaving the room, the rest is unavailable.
	if ev, err := h.svc.SaveMessage(h.ctx, bob, protocol.SaveMessageRequest{RoomID: room.ID, Seq: msgs[0].Seq}); err != nil || ev.Saved {
		t.Fatalf("unsave = %+v, %v", ev, err)
	}
	if _, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	left, _ := h.svc.ListSaved(h.ctx, bob, protocol.ListSavedRequest{})
	if len(left.Items) != 3 || !left.Items[0].Unavailable || left.Items[0].Message != nil {
		t.Errorf("after leaving = %+v", left.Items)
	}
	// Saving a deleted message is refused.
	_, err = h.svc.SaveMessage(h.ctx, alice, protocol.SaveMessageRequest{RoomID: room.ID, Seq: msgs[3].Seq, Saved: true})
	wantCode(t, err, chat.Conflict)
}

func TestEditHistory(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	msg := h.send(alice, room.ID, "draft")
	created := h.clock()
	h.advance(time.Minute)
	if _, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: msg.Seq, Text: "second"}); err != nil {
		t.Fatal(err)
	}
	firstEdit := h.clock()
	h.advance(time.Minute)
	if _, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: msg.Seq, Text: "final"}); err != nil {
		t.Fatal(err)
	}
	ev, err := h.svc.MessageVersions(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq})
	if err != nil || len(ev.Versions) != 2 {
		t.Fatalf("versions = %+v, %v", ev, err)
	}
	if ev.Versions[0].Text != "draft" || !ev.Versions[0].At.Equal(created) || ev.Versions[1].Text != "second" || !ev.Versions[1].At.Equal(firstEdit) {
		t.Errorf("versions = %+v", ev.Versions)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq}); err != nil {
		t.Fatal(err)
	}
	if vs, _ := h.store.MessageVersions(h.ctx, room.ID, msg.Seq); len(vs) != 0 {
		t.Errorf("versions kept after delete: %+v", vs)
	}
	if ev, _ := h.svc.MessageVersions(h.ctx, bob, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq}); len(ev.Versions) != 0 {
		t.Errorf("versions of a deleted message = %+v", ev.Versions)
	}
	outsider := h.connect("olga", "o1")
	_, err = h.svc.MessageVersions(h.ctx, outsider, protocol.MessageRef{RoomID: room.ID, Seq: msg.Seq})
	wantCode(t, err, chat.Forbidden)
}

// TestResumeReplaysChanges: a client away during edits, deletes,
// reactions and pins gets every changed message it had, as it is now, and
// the position to resume from; new messages come as before.
func TestResumeReplaysChanges(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	m1 := h.send(alice, room.ID, "one")
	m2 := h.send(alice, room.ID, "two")
	m3 := h.send(alice, room.ID, "three")
	st, err := h.svc.GetState(h.ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	var pos protocol.RoomState
	for _, r := range st.Rooms {
		if r.ID == room.ID {
			pos = r
		}
	}
	// Bob is away: an edit, a delete, a reaction, a pin; then a new message.
	if _, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: m1.Seq, Text: "one!"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: room.ID, Seq: m2.Seq}); err != nil {
		t.Fatal(err)
	}
	h.react(alice, room.ID, m3.Seq, "🎉", true)
	h.react(alice, room.ID, m1.Seq, "👀", true)
	if _, err := h.svc.PinMessage(h.ctx, alice, protocol.PinMessageRequest{RoomID: room.ID, Seq: m3.Seq, Pinned: true}); err != nil {
		t.Fatal(err)
	}
	m4 := h.send(alice, room.ID, "four")
	h.react(alice, room.ID, m4.Seq, "👍", true) // a new message's change: it comes as a new message

	missed, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{
		Rooms: map[string]int64{room.ID: pos.LastSeq}, Changes: map[string]int64{room.ID: pos.LastChg}})
	if err != nil || len(missed.Rooms) != 1 {
		t.Fatalf("resume = %+v, %v", missed, err)
	}
	r := missed.Rooms[0]
	if r.LastChg != 6 || r.ChangesMore || r.Reset {
		t.Errorf("LastChg %d more %v reset %v, want 6 false false", r.LastChg, r.ChangesMore, r.Reset)
	}
	if len(r.Messages) != 1 || r.Messages[0].Seq != m4.Seq || len(r.Messages[0].Reactions) != 1 {
		t.Errorf("new messages = %+v", r.Messages)
	}
	if len(r.Changed) != 3 {
		t.Fatalf("changed = %+v", r.Changed)
	}
	c1, c2, c3 := r.Changed[0], r.Changed[1], r.Changed[2]
	if c1.Text != "one!" || c1.Reactions[0].Emoji != "👀" || !c2.Deleted || c3.PinnedBy != "alice" || c3.Reactions[0].Emoji != "🎉" {
		t.Errorf("changed = %+v", r.Changed)
	}
	// From the new position: nothing more.
	again, _ := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{
		Rooms: map[string]int64{room.ID: m4.Seq}, Changes: map[string]int64{room.ID: r.LastChg}})
	if ar := again.Rooms[0]; len(ar.Changed) != 0 || ar.LastChg != r.LastChg || len(ar.Messages) != 0 {
		t.Errorf("second resume = %+v", ar)
	}
	// Without Changes, resume is as before.
	plain, _ := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: pos.LastSeq}})
	if pr := plain.Rooms[0]; pr.Changed != nil || pr.LastChg != 0 {
		t.Errorf("resume without changes = %+v", pr)
	}
	// A position the log no longer holds: reset, with where to go on from.
	reset, _ := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{
		Rooms: map[string]int64{room.ID: m4.Seq}, Changes: map[string]int64{room.ID: 99}})
	if rr := reset.Rooms[0]; !rr.Reset || rr.LastChg != 6 {
		t.Errorf("reset = %+v", rr)
	}
	_, err = h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{}, Changes: map[string]int64{room.ID: 1}})
	wantCode(t, err, chat.Invalid)
}

// TestResumeChangesPage: more changes than a page: ChangesMore, and the
// next resume from LastChg gets the rest.
func TestResumeChangesPage(t *testing.T) {
	h, alice, bob, room := convWorld(t)
	m := h.send(alice, room.ID, "popular")
	other := h.send(alice, room.ID, "other")
	for i := range protocol.ChangesPageSize + 5 {
		e := "👍"
		if i%2 == 1 {
			e = "🎉"
		}
		h.react(alice, room.ID, m.Seq, e, i%4 < 2)
	}
	h.react(alice, room.ID, other.Seq, "👀", true)
	missed, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: other.Seq}, Changes: map[string]int64{room.ID: 0}})
	if err != nil {
		t.Fatal(err)
	}
	r := missed.Rooms[0]
	if !r.ChangesMore || r.LastChg != protocol.ChangesPageSize || len(r.Changed) != 1 {
		t.Fatalf("page 1: more %v last %d changed %d", r.ChangesMore, r.LastChg, len(r.Changed))
	}
	missed, _ = h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: other.Seq}, Changes: map[string]int64{room.ID: r.LastChg}})
	r = missed.Rooms[0]
	if r.ChangesMore || len(r.Changed) != 2 || r.Changed[1].Reactions[0].Emoji != "👀" {
		t.Errorf("page 2: %+v", r)
	}
}
