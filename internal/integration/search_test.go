package integration

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// searchSeqs runs a search over the socket and returns the seqs found in
// room.
func searchSeqs(t *testing.T, c *client, query, roomID string) []int64 {
	t.Helper()
	ev := decode[protocol.SearchResultsEvent](t, c.call(protocol.ActionSearch, map[string]any{"query": query}, protocol.EventSearchResults))
	var out []int64
	for _, r := range ev.Results {
		if r.RoomID == roomID {
			out = append(out, r.Seq)
		}
	}
	return out
}

// awaitSearch polls the search until found says yes (the index is fed by
// the stream: eventually consistent), for at most waitLimit; it returns
// how long it took, which the tests log (freshness is measured, not
// asserted: a busy machine would fail a timed assertion).
func awaitSearch(t *testing.T, c *client, query, roomID string, found func([]int64) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got := searchSeqs(t, c, query, roomID)
		if found(got) {
			return time.Since(start)
		}
		if time.Since(start) > waitLimit {
			t.Fatalf("search %q: %v after %v", query, got, waitLimit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func has(seq int64) func([]int64) bool {
	return func(got []int64) bool {
		for _, s := range got {
			if s == seq {
				return true
			}
		}
		return false
	}
}

func hasNot(seq int64) func([]int64) bool {
	return func(got []int64) bool { return !has(seq)(got) }
}

// TestSearchOverTheStream: the stream function (streamapp.Build with
// TABLE_NAME, polled from DynamoDB Local's stream as Lambda would) keeps
// the index; a sent message is found over the socket, an edit and a delete
// are reflected within 5 s, a member who leaves stops finding the room at
// once, and an outsider never finds the private channel.
func TestSearchOverTheStream(t *testing.T) {
	tr := newTrio(t, generousLimits)
	tr.s.startStreamFunction(app.StreamConfig{TableName: tr.s.table}, nil)
	private := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "harbour", "private": true}, protocol.EventRoom)).Room.ID
	tr.a.call(protocol.ActionInviteToChannel, map[string]any{"roomId": private, "userIds": []string{tr.bob.id}}, protocol.EventMembers)
	tr.b.call(protocol.ActionAcceptInvite, room(private), protocol.EventRoom)

	msg := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		message(private, "01JDB3K4Z8Q3W5E6R7T8Y9SRC1", "Die Häuser am Hafen: deployment Friday"), protocol.EventAck)).Message
	took := awaitSearch(t, tr.b, "haus ", private, has(msg.Seq))
	t.Logf("new message searchable after %v", took)
	if got := searchSeqs(t, tr.b, "DEPLOYING fri", private); !has(msg.Seq)(got) {
		t.Errorf("stem + prefix: %v", got)
	}
	if got := searchSeqs(t, tr.c, "haus ", private); len(got) != 0 {
		t.Errorf("outsider finds %v", got)
	}

	tr.a.call(protocol.ActionEditMessage, map[string]any{"roomId": private, "seq": msg.Seq, "text": "Boote am Hafen"}, protocol.EventMessageUpdated)
	took = awaitSearch(t, tr.b, "boot ", private, has(msg.Seq))
	awaitSearch(t, tr.b, "haus ", private, hasNot(msg.Seq))
	t.Logf("edit reflected after %v", took)

	tr.a.call(protocol.ActionDeleteMessage, map[string]any{"roomId": private, "seq": msg.Seq}, protocol.EventMessageUpdated)
	took = awaitSearch(t, tr.b, "hafen ", private, hasNot(msg.Seq))
	t.Logf("delete reflected after %v", took)

	other := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage,
		message(private, "01JDB3K4Z8Q3W5E6R7T8Y9SRC2", "lighthouse keys are in the drawer"), protocol.EventAck)).Message
	awaitSearch(t, tr.b, "lighthouse ", private, has(other.Seq))
	tr.b.call(protocol.ActionLeaveChannel, room(private), protocol.EventRoomRemoved)
	if got := searchSeqs(t, tr.b, "lighthouse ", private); len(got) != 0 {
		t.Errorf("bob finds %v right after leaving", got)
	}
	if got := searchSeqs(t, tr.a, "lighthouse ", private); !has(other.Seq)(got) {
		t.Errorf("ann, still a member: %v", got)
	}
	tr.c.callError(protocol.ActionSearch, map[string]any{"query": `"unterminated`}, "invalid")
}

// TestPeopleAndChannelSearchOverTheGateway: listUsers and listChannels
// with a query, over the socket on DynamoDB Local: people by a prefix of
// a name or handle word (accents and case ignored), public channels by
// name and topic, never a private one.
func TestPeopleAndChannelSearchOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	users := func(q string) []string {
		t.Helper()
		ev := decode[protocol.UsersEvent](t, tr.c.call(protocol.ActionListUsers, map[string]any{"query": q}, protocol.EventUsers))
		var out []string
		for _, u := range ev.Users {
			out = append(out, u.DisplayName)
		}
		return out
	}
	// The local pool's tokens carry no name: the first names are
	// placeholders, which a rename replaces (and re-indexes).
	tr.b.call(protocol.ActionUpdateProfile, map[string]any{"displayName": "Bob Baker"}, protocol.EventProfile)
	tr.a.call(protocol.ActionUpdateProfile, map[string]any{"displayName": "Ånn Ärcher"}, protocol.EventProfile)
	if got := users("BAK"); len(got) != 1 || got[0] != "Bob Baker" {
		t.Errorf("BAK: %v", got)
	}
	if got := users("ann arch"); len(got) != 1 || got[0] != "Ånn Ärcher" {
		t.Errorf("ann arch: %v", got)
	}
	tr.a.call(protocol.ActionUpdateProfile, map[string]any{"displayName": "Ann Quill"}, protocol.EventProfile)
	// The first real name gave Ann the handle ann.archer, which still
	// finds her (the old display name's words are gone: the store
	// contract checks that).
	if got := users("@ann.arch"); len(got) != 1 || got[0] != "Ann Quill" {
		t.Errorf("by handle, @ann.arch: %v", got)
	}
	if got := users("quil"); len(got) != 1 || got[0] != "Ann Quill" {
		t.Errorf("after a rename, quil: %v", got)
	}
	tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "harbour-watch", "topic": "Schiffe im Überblick"}, protocol.EventRoom)
	tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "harbour-secret", "private": true}, protocol.EventRoom)
	chans := func(q string) []string {
		t.Helper()
		ev := decode[protocol.ChannelsEvent](t, tr.c.call(protocol.ActionListChannels, map[string]any{"query": q}, protocol.EventChannels))
		var out []string
		for _, r := range ev.Rooms {
			out = append(out, r.Name)
		}
		return out
	}
	for q, want := range map[string]string{"harb": "harbour-watch", "uberbl": "harbour-watch", "#harbour-w": "harbour-watch"} {
		if got := chans(q); len(got) != 1 || got[0] != want {
			t.Errorf("listChannels %q: %v, want %s", q, got, want)
		}
	}
	if got := chans("secret"); len(got) != 0 {
		t.Errorf("a private channel found: %v", got)
	}
}
