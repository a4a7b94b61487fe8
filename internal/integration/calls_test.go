package integration

import (
	"encoding/json"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// signal sends a callSignal frame without a request id (it has no reply
// on success) and fails on an error frame by the next ping.
func signal(t *testing.T, c *client, callID, to, kind, sdp, candidate string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"action": protocol.ActionCallSignal, "callId": callID, "to": to, "kind": kind, "sdp": sdp, "candidate": candidate})
	if err != nil {
		t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, b)
	c.expectNoEvent(protocol.EventError, nil)
}

func participantConn(t *testing.T, call chat.Call, userID string) string {
	t.Helper()
	for _, p := range call.Participants {
		if p.UserID == userID {
			return p.ConnectionID
		}
	}
	t.Fatalf("%s is not in %+v", userID, call)
	return ""
}

// TestCallOverTheGateway: over real sockets through the local gateway, Ann
// calls Bob in their DM: Bob's connection rings, he joins, they exchange an
// offer, an answer and ICE candidates, each relayed to exactly the other's
// connection with the sender from the server's record; Cyd, outside the
// DM, can neither join nor inject a candidate; Bob leaving and then Ann
// leaving ends the call for both.
func TestCallOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	tr.b.drain()

	started := decode[protocol.CallEvent](t, tr.a.call(protocol.ActionStartCall, map[string]any{"roomId": dm, "video": true}, protocol.EventCall))
	call := started.Call
	if call.State != chat.CallRinging || len(call.Participants) != 1 || len(started.IceServers) != 0 {
		t.Fatalf("started: %+v", started)
	}
	annConn := participantConn(t, call, tr.ann.id)
	ring := decode[protocol.CallRingingEvent](t, tr.b.expectEvent(protocol.EventCallRinging, nil))
	if ring.Call.ID != call.ID || ring.From.UserID != tr.ann.id || !ring.Call.Video {
		t.Errorf("bob's ring: %+v", ring)
	}
	tr.c.expectNoEvent(protocol.EventCallRinging, nil)

	// Cyd cannot see, join or signal into the DM's call.
	tr.c.callError(protocol.ActionJoinCall, map[string]any{"callId": call.ID}, "not_found")
	tr.c.callError(protocol.ActionCallSignal, map[string]any{"callId": call.ID, "to": annConn, "kind": "ice", "candidate": `{"candidate":"candidate:1 1 udp 1 198.51.100.7 9 typ host"}`}, "not_found")
	tr.c.callError(protocol.ActionGetIceServers, map[string]any{"callId": call.ID}, "not_found")

	joined := decode[protocol.CallEvent](t, tr.b.call(protocol.ActionJoinCall, map[string]any{"callId": call.ID}, protocol.EventCall))
	if joined.Call.State != chat.CallActive || len(joined.Call.Participants) != 2 {
		t.Fatalf("joined: %+v", joined.Call)
	}
	bobConn := participantConn(t, joined.Call, tr.bob.id)
	if up := decode[protocol.CallEvent](t, tr.a.expectEvent(protocol.EventCallUpdated, nil)); up.Call.State != chat.CallActive {
		t.Errorf("ann's update: %+v", up.Call)
	}

	// Bob (the newcomer) offers, Ann answers, both trickle candidates.
	signal(t, tr.b, call.ID, annConn, "offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", "")
	offer := decode[protocol.CallSignalEvent](t, tr.a.expectEvent(protocol.EventCallSignal, nil))
	if offer.Kind != "offer" || offer.From != bobConn || offer.FromUserID != tr.bob.id || offer.SDP == "" {
		t.Fatalf("ann got %+v", offer)
	}
	signal(t, tr.a, call.ID, offer.From, "answer", "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n", "")
	answer := decode[protocol.CallSignalEvent](t, tr.b.expectEvent(protocol.EventCallSignal, nil))
	if answer.Kind != "answer" || answer.From != annConn || answer.FromUserID != tr.ann.id {
		t.Fatalf("bob got %+v", answer)
	}
	cand := `{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}`
	for i := 0; i < 5; i++ {
		signal(t, tr.a, call.ID, bobConn, "ice", "", cand)
		signal(t, tr.b, call.ID, annConn, "ice", "", cand)
	}
	for _, c := range []*client{tr.a, tr.b} {
		for i := 0; i < 5; i++ {
			got := decode[protocol.CallSignalEvent](t, c.expectEvent(protocol.EventCallSignal, func(f frame) bool { return f.fields["kind"] == "ice" }))
			if got.Candidate != cand {
				t.Fatalf("%s got candidate %q", c.name, got.Candidate)
			}
		}
	}
	tr.c.expectNoEvent(protocol.EventCallSignal, nil)
	// Nobody aims at a connection outside the call, or at themselves.
	tr.a.callError(protocol.ActionCallSignal, map[string]any{"callId": call.ID, "to": "not-a-participant", "kind": "ice", "candidate": cand}, "not_found")
	tr.a.callError(protocol.ActionCallSignal, map[string]any{"callId": call.ID, "to": annConn, "kind": "ice", "candidate": cand}, "invalid")

	// Media and ICE servers for participants (none locally).
	tr.b.call(protocol.ActionSetCallMedia, map[string]any{"callId": call.ID, "audio": false, "video": true, "screen": false}, protocol.EventCall)
	tr.a.expectEvent(protocol.EventCallUpdated, func(f frame) bool {
		call := decode[protocol.CallEvent](t, f).Call
		p, _ := call.Participant(bobConn)
		return !p.Audio && p.Video
	})
	ice := decode[protocol.IceServersEvent](t, tr.a.call(protocol.ActionGetIceServers, map[string]any{"callId": call.ID}, protocol.EventIceServers))
	if ice.IceServers == nil || len(ice.IceServers) != 0 {
		t.Errorf("local ICE servers: %+v", ice)
	}

	// Bob leaves, then Ann: the call ends for both, with no missed line.
	tr.b.call(protocol.ActionLeaveCall, map[string]any{"callId": call.ID}, protocol.EventCall)
	ended := decode[protocol.CallEvent](t, tr.a.call(protocol.ActionLeaveCall, map[string]any{"callId": call.ID}, protocol.EventCall))
	if ended.Call.State != chat.CallEnded || ended.Call.EndReason != chat.CallEndHangUp {
		t.Fatalf("ended: %+v", ended.Call)
	}
	for _, c := range []*client{tr.a, tr.b} {
		ev := decode[protocol.CallEndedEvent](t, c.expectEvent(protocol.EventCallEnded, nil))
		if ev.CallID != call.ID || ev.Reason != chat.CallEndHangUp {
			t.Errorf("%s: %+v", c.name, ev)
		}
	}
	tr.a.callError(protocol.ActionCallSignal, map[string]any{"callId": call.ID, "to": bobConn, "kind": "ice", "candidate": cand}, "not_found")
	hist := decode[protocol.HistoryEvent](t, tr.a.call(protocol.ActionHistory, room(dm), protocol.EventHistory))
	for _, m := range hist.Messages {
		if m.System != nil && m.System.Kind == chat.SystemMissedCall {
			t.Errorf("an answered call left a missed-call line: %+v", m)
		}
	}
}

// TestCallMissedOverTheGateway: a call Ann hangs up before Bob answers
// leaves a missed-call line that Bob receives like any message.
func TestCallMissedOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	call := decode[protocol.CallEvent](t, tr.a.call(protocol.ActionStartCall, map[string]any{"roomId": dm}, protocol.EventCall)).Call
	tr.a.call(protocol.ActionLeaveCall, map[string]any{"callId": call.ID}, protocol.EventCall)
	line := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, func(f frame) bool {
		m := decode[protocol.MessageEvent](t, f).Message
		return m.RoomID == dm && m.System != nil
	})).Message
	if line.System.Kind != chat.SystemMissedCall || len(line.System.UserIDs) != 1 || line.System.UserIDs[0] != tr.bob.id || line.SenderID != tr.ann.id {
		t.Errorf("missed-call line: %+v %+v", line, line.System)
	}
}

// TestCallDisconnectOverTheGateway: in a call over real sockets, Bob
// closing his socket ($disconnect through the local gateway) takes him out
// of the call at once: Ann gets callUpdated without him, long before his
// heartbeats would have run out; Ann closing hers then ends the call for
// Bob's other tab.
func TestCallDisconnectOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.bob.id}}, protocol.EventRoom)).Room.ID
	call := decode[protocol.CallEvent](t, tr.a.call(protocol.ActionStartCall, map[string]any{"roomId": dm}, protocol.EventCall)).Call
	annConn := participantConn(t, call, tr.ann.id)
	joined := decode[protocol.CallEvent](t, tr.b.call(protocol.ActionJoinCall, map[string]any{"callId": call.ID}, protocol.EventCall)).Call
	participantConn(t, joined, tr.bob.id)
	tr.a.expectEvent(protocol.EventCallUpdated, func(f frame) bool { return len(decode[protocol.CallEvent](t, f).Call.Participants) == 2 })

	_ = tr.b.conn.Close(websocket.StatusNormalClosure, "tab closed")
	up := decode[protocol.CallEvent](t, tr.a.expectEvent(protocol.EventCallUpdated, func(f frame) bool {
		return len(decode[protocol.CallEvent](t, f).Call.Participants) == 1
	})).Call
	if up.ID != call.ID || up.Participants[0].ConnectionID != annConn {
		t.Fatalf("ann's update after bob's disconnect: %+v", up)
	}
	// Ann's own view agrees (the call as stored).
	hb := decode[protocol.CallEvent](t, tr.a.call(protocol.ActionCallHeartbeat, map[string]any{"callId": call.ID}, protocol.EventCall)).Call
	if len(hb.Participants) != 1 {
		t.Fatalf("after bob's disconnect the call holds %+v", hb.Participants)
	}

	bob2, _ := tr.s.online(tr.bob)
	_ = tr.a.conn.Close(websocket.StatusNormalClosure, "tab closed")
	ended := decode[protocol.CallEndedEvent](t, bob2.expectEvent(protocol.EventCallEnded, nil))
	if ended.CallID != call.ID || ended.Reason != chat.CallEndHangUp {
		t.Errorf("bob's new tab: %+v", ended)
	}
}
