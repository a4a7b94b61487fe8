package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// isUpdate matches a messageUpdated of room's message seq that satisfies ok.
func isUpdate(t *testing.T, roomID string, seq int64, ok func(chat.Message) bool) func(frame) bool {
	return func(f frame) bool {
		m := decode[protocol.MessageEvent](t, f).Message
		return m.RoomID == roomID && m.Seq == seq && ok(m)
	}
}

// TestConversationActions: reactions live on the other side, pins and the
// room's pin setting, saved messages (a deleted one shows deleted), and
// edit history, over real sockets through the local gateway.
func TestConversationActions(t *testing.T) {
	tr := newTrio(t, generousLimits)
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "convo"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	m1 := sendText(t, tr.a, club, "c-1", "shall we ship?")
	m2 := sendText(t, tr.a, club, "c-2", "release notes here")
	tr.b.expectEvent(protocol.EventMessage, isMessage(t, club, m2.Seq))

	// Reactions: Bob's 👍 reaches Ann live, with who reacted.
	r := decode[protocol.MessageEvent](t, tr.b.call(protocol.ActionReact,
		map[string]any{"roomId": club, "seq": m1.Seq, "emoji": "👍", "on": true}, protocol.EventMessageUpdated))
	if r.Chg == 0 || len(r.Message.Reactions) != 1 {
		t.Fatalf("react reply %+v", r)
	}
	live := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m1.Seq, func(m chat.Message) bool { return len(m.Reactions) == 1 })))
	if live.Chg != r.Chg || !slices.Equal(live.Message.Reactions[0].UserIDs, []string{tr.bob.id}) || live.Message.Text != m1.Text {
		t.Errorf("ann got %+v", live)
	}
	// Again: idempotent, nothing pushed.
	again := decode[protocol.MessageEvent](t, tr.b.call(protocol.ActionReact,
		map[string]any{"roomId": club, "seq": m1.Seq, "emoji": "👍", "on": true}, protocol.EventMessageUpdated))
	if again.Chg != 0 {
		t.Errorf("repeated reaction numbered %d", again.Chg)
	}
	tr.b.callError(protocol.ActionReact, map[string]any{"roomId": club, "seq": m1.Seq, "emoji": "not an emoji", "on": true}, string(chat.Invalid))
	tr.c.callError(protocol.ActionReact, map[string]any{"roomId": club, "seq": m1.Seq, "emoji": "👍", "on": true}, string(chat.Forbidden))

	// Pins: the owner may, a member not until the room allows it.
	tr.b.callError(protocol.ActionPinMessage, map[string]any{"roomId": club, "seq": m2.Seq, "pinned": true}, string(chat.Forbidden))
	tr.a.call(protocol.ActionPinMessage, map[string]any{"roomId": club, "seq": m2.Seq, "pinned": true}, protocol.EventMessageUpdated)
	tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m2.Seq, func(m chat.Message) bool { return m.PinnedBy == tr.ann.id }))
	tr.a.call(protocol.ActionUpdateChannel, map[string]any{"roomId": club, "membersCanPin": true}, protocol.EventRoom)
	tr.b.expectEvent(protocol.EventRoomUpdated, func(f frame) bool {
		return decode[protocol.RoomEvent](t, f).Room.MembersCanPin
	})
	tr.b.call(protocol.ActionPinMessage, map[string]any{"roomId": club, "seq": m1.Seq, "pinned": true}, protocol.EventMessageUpdated)
	pins := decode[protocol.PinsEvent](t, tr.b.call(protocol.ActionListPins, room(club), protocol.EventPins))
	if len(pins.Messages) != 2 || pins.Messages[0].Seq != m2.Seq || pins.Messages[1].Seq != m1.Seq {
		t.Errorf("pins %+v", pins.Messages)
	}
	tr.c.callError(protocol.ActionListPins, room(club), string(chat.Forbidden))

	// Saved: Bob saves both; Ann deletes one; it shows deleted.
	for _, seq := range []int64{m1.Seq, m2.Seq} {
		sv := decode[protocol.SavedEvent](t, tr.b.call(protocol.ActionSaveMessage, map[string]any{"roomId": club, "seq": seq, "saved": true}, protocol.EventSaved))
		if !sv.Saved || sv.SavedAt.IsZero() {
			t.Errorf("save %+v", sv)
		}
	}
	tr.a.call(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": m2.Seq}, protocol.EventMessageUpdated)
	saved := decode[protocol.SavedItemsEvent](t, tr.b.call(protocol.ActionListSaved, map[string]any{"limit": 1}, protocol.EventSavedItems))
	if len(saved.Items) != 1 || saved.Cursor == "" || saved.Items[0].Message == nil || !saved.Items[0].Message.Deleted {
		t.Fatalf("saved page 1 %+v", saved)
	}
	saved = decode[protocol.SavedItemsEvent](t, tr.b.call(protocol.ActionListSaved, map[string]any{"limit": 1, "cursor": saved.Cursor}, protocol.EventSavedItems))
	if len(saved.Items) != 1 || saved.Items[0].Message.Text != m1.Text || saved.Items[0].RoomName != "convo" {
		t.Errorf("saved page 2 %+v", saved)
	}
	if mine := decode[protocol.SavedItemsEvent](t, tr.a.call(protocol.ActionListSaved, nil, protocol.EventSavedItems)); len(mine.Items) != 0 {
		t.Errorf("ann's saved list %+v", mine.Items)
	}
	// The deleted pinned message left the pins.
	if pins := decode[protocol.PinsEvent](t, tr.a.call(protocol.ActionListPins, room(club), protocol.EventPins)); len(pins.Messages) != 1 {
		t.Errorf("pins after delete %+v", pins.Messages)
	}

	// Edit history: two edits keep two versions; Bob reads them.
	tr.a.call(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": m1.Seq, "text": "shall we ship today?"}, protocol.EventMessageUpdated)
	tr.a.call(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": m1.Seq, "text": "shipping today"}, protocol.EventMessageUpdated)
	vs := decode[protocol.VersionsEvent](t, tr.b.call(protocol.ActionMessageVersions, map[string]any{"roomId": club, "seq": m1.Seq}, protocol.EventVersions))
	if len(vs.Versions) != 2 || vs.Versions[0].Text != "shall we ship?" || vs.Versions[1].Text != "shall we ship today?" {
		t.Errorf("versions %+v", vs.Versions)
	}
	// The edit kept the reactions and the pin.
	hist := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	for _, m := range hist.Messages {
		if m.Seq == m1.Seq && (m.Text != "shipping today" || len(m.Reactions) != 1 || m.PinnedBy != tr.bob.id) {
			t.Errorf("after the edits: %+v", m)
		}
	}
	tr.a.call(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": m1.Seq}, protocol.EventMessageUpdated)
	if vs := decode[protocol.VersionsEvent](t, tr.b.call(protocol.ActionMessageVersions, map[string]any{"roomId": club, "seq": m1.Seq}, protocol.EventVersions)); len(vs.Versions) != 0 {
		t.Errorf("versions after delete %+v", vs.Versions)
	}
}

// view is one client's picture of a room: its messages by seq, its last
// seq and its change position, kept as docs/PROTOCOL.md §7 says.
type view struct {
	msgs    map[int64]chat.Message
	lastSeq int64
	lastChg int64
}

func (v *view) apply(m chat.Message) {
	v.msgs[m.Seq] = m
	v.lastSeq = max(v.lastSeq, m.Seq)
}

// update applies a messageUpdated (a reply or a push): the message, and
// the position only when the change is the next one.
func (v *view) update(ev protocol.MessageEvent) {
	v.apply(ev.Message)
	if ev.Chg == v.lastChg+1 {
		v.lastChg = ev.Chg
	}
}

// render is the view as text, one line per message, for comparing.
func (v *view) render() string {
	var b strings.Builder
	for _, seq := range slices.Sorted(func(yield func(int64) bool) {
		for s := range v.msgs {
			if !yield(s) {
				return
			}
		}
	}) {
		m := v.msgs[seq]
		fmt.Fprintf(&b, "%d %q deleted=%v edited=%v pinned=%q", seq, m.Text, m.Deleted, !m.EditedAt.IsZero(), m.PinnedBy)
		for _, r := range m.Reactions {
			fmt.Fprintf(&b, " %s%v", r.Emoji, r.UserIDs)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestResumeConverges: Bob is offline while Ann edits, deletes, reacts
// (adding and removing), pins and sends; after reconnecting and resuming
// with his change position, Bob's view equals Ann's, and both equal the
// room's history. Real sockets through the local gateway.
func TestResumeConverges(t *testing.T) {
	tr := newTrio(t, generousLimits)
	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "converge"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	var seqs []int64
	for i := range 6 {
		seqs = append(seqs, sendText(t, tr.a, club, fmt.Sprint("c-", i), fmt.Sprint("message ", i)).Seq)
	}
	// Both views start from history and the state's change position.
	load := func(c *client) *view {
		st := decode[protocol.StateEvent](t, c.call(protocol.ActionGetState, nil, protocol.EventState))
		v := &view{msgs: map[int64]chat.Message{}}
		for _, r := range st.Rooms {
			if r.ID == club {
				v.lastChg = r.LastChg
			}
		}
		h := decode[protocol.HistoryEvent](t, c.call(protocol.ActionHistory, room(club), protocol.EventHistory))
		for _, m := range h.Messages {
			v.apply(m)
		}
		return v
	}
	annView, bobView := load(tr.a), load(tr.b)
	// Bob reacts while online, then leaves.
	bobView.update(decode[protocol.MessageEvent](t, tr.b.call(protocol.ActionReact, map[string]any{"roomId": club, "seq": seqs[0], "emoji": "👀", "on": true}, protocol.EventMessageUpdated)))
	annView.update(decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, seqs[0], func(m chat.Message) bool { return len(m.Reactions) == 1 }))))
	if bobView.lastChg != 1 || annView.lastChg != 1 {
		t.Fatalf("positions after one live change: bob %d, ann %d", bobView.lastChg, annView.lastChg)
	}
	_ = tr.b.conn.Close(websocket.StatusNormalClosure, "going offline")
	offline := bobView.render()

	// Ann, meanwhile: every kind of change, applied to her view from the
	// replies.
	act := func(action string, payload map[string]any) {
		annView.update(decode[protocol.MessageEvent](t, tr.a.call(action, payload, protocol.EventMessageUpdated)))
	}
	act(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": seqs[1], "text": "message 1, edited"})
	act(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": seqs[2]})
	act(protocol.ActionReact, map[string]any{"roomId": club, "seq": seqs[3], "emoji": "🎉", "on": true})
	act(protocol.ActionReact, map[string]any{"roomId": club, "seq": seqs[0], "emoji": "👀", "on": true})
	act(protocol.ActionReact, map[string]any{"roomId": club, "seq": seqs[3], "emoji": "👍", "on": true})
	act(protocol.ActionReact, map[string]any{"roomId": club, "seq": seqs[3], "emoji": "🎉", "on": false})
	act(protocol.ActionPinMessage, map[string]any{"roomId": club, "seq": seqs[4], "pinned": true})
	act(protocol.ActionEditMessage, map[string]any{"roomId": club, "seq": seqs[1], "text": "message 1, edited twice"})
	act(protocol.ActionDeleteMessage, map[string]any{"roomId": club, "seq": seqs[4]}) // pinned, then deleted
	late := sendText(t, tr.a, club, "c-late", "sent while bob was away")
	annView.apply(late)
	act(protocol.ActionReact, map[string]any{"roomId": club, "seq": late.Seq, "emoji": "🚀", "on": true})
	if annView.lastChg != 11 {
		t.Errorf("ann's position %d, want 11 changes", annView.lastChg)
	}

	// Bob comes back: getState, then resume from his seq and change
	// position, applying what it answers, until nothing more follows.
	b2, _ := tr.s.online(tr.bob)
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("resume never ends")
		}
		ev := decode[protocol.MissedEvent](t, b2.call(protocol.ActionResume, map[string]any{
			"rooms": map[string]int64{club: bobView.lastSeq}, "changes": map[string]int64{club: bobView.lastChg}}, protocol.EventMissed))
		if len(ev.Rooms) != 1 || ev.Rooms[0].Reset {
			t.Fatalf("resume %+v", ev.Rooms)
		}
		r := ev.Rooms[0]
		for _, m := range r.Messages {
			bobView.apply(m)
		}
		for _, m := range r.Changed {
			bobView.apply(m)
		}
		bobView.lastChg = r.LastChg
		if !r.HasMore && !r.ChangesMore {
			break
		}
	}
	if bobView.lastChg != annView.lastChg {
		t.Errorf("positions: bob %d, ann %d", bobView.lastChg, annView.lastChg)
	}
	got, want := bobView.render(), annView.render()
	if got != want {
		t.Errorf("bob's view after resume:\n%s\nann's view:\n%s", got, want)
	}
	if got == offline {
		t.Error("resume changed nothing in bob's view")
	}
	// And both are the room as stored.
	h := decode[protocol.HistoryEvent](t, b2.call(protocol.ActionHistory, room(club), protocol.EventHistory))
	fresh := &view{msgs: map[int64]chat.Message{}}
	for _, m := range h.Messages {
		fresh.apply(m)
	}
	if fresh.render() != want {
		t.Errorf("history:\n%s\nann's view:\n%s", fresh.render(), want)
	}
	t.Logf("converged view:\n%s", want)

	// Without the change position (the old protocol), the edits and
	// deletes are not replayed: the view would stay stale.
	old := decode[protocol.MissedEvent](t, b2.call(protocol.ActionResume, map[string]any{"rooms": map[string]int64{club: seqs[5]}}, protocol.EventMissed))
	if len(old.Rooms[0].Changed) != 0 {
		t.Errorf("resume without changes replayed %d", len(old.Rooms[0].Changed))
	}
}
