package integration

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestChannelNamesAreUnique: a second channel with a taken name, from
// another user and in another case, is refused with "conflict", and only
// one channel carries the name.
func TestChannelNamesAreUnique(t *testing.T) {
	tr := newTrio(t, generousLimits)

	first := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel,
		map[string]any{"name": "random"}, protocol.EventRoom))
	refused := tr.b.callError(protocol.ActionCreateChannel, map[string]any{"name": "Random"}, "conflict")
	if got, want := refused.fields["message"], `a channel named "random" already exists`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	tr.b.callError(protocol.ActionCreateChannel, map[string]any{"name": "random", "private": true}, "conflict")

	named := 0
	cursor := ""
	for {
		ev := decode[protocol.ChannelsEvent](t, tr.b.call(protocol.ActionListChannels, map[string]any{"cursor": cursor}, protocol.EventChannels))
		for _, r := range ev.Rooms {
			if r.Name == "random" {
				named++
				if r.ID != first.Room.ID {
					t.Errorf("channel %s is also named random", r.ID)
				}
			}
		}
		if ev.Cursor == "" {
			break
		}
		cursor = ev.Cursor
	}
	if named != 1 {
		t.Errorf("%d listed channels named random, want 1", named)
	}

	// A rename onto the name is refused too, and a rename frees the old one.
	other := decode[protocol.RoomEvent](t, tr.b.call(protocol.ActionCreateChannel,
		map[string]any{"name": "chatter"}, protocol.EventRoom))
	tr.b.callError(protocol.ActionUpdateChannel, map[string]any{"roomId": other.Room.ID, "name": "random"}, "conflict")
	tr.a.call(protocol.ActionUpdateChannel, map[string]any{"roomId": first.Room.ID, "name": "banter"}, protocol.EventRoom)
	tr.b.call(protocol.ActionUpdateChannel, map[string]any{"roomId": other.Room.ID, "name": "random"}, protocol.EventRoom)
}
