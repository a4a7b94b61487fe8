package service_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// rings records CallPush.Ring's calls.
type rings struct {
	mu    sync.Mutex
	calls []string // "<room name>|<caller>|<user ids>"
}

func (r *rings) Ring(_ context.Context, call chat.Call, roomName string, caller chat.Profile, userIDs []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, roomName+"|"+caller.UserID+"|"+strings.Join(userIDs, ","))
	return nil
}

// staticICE hands out one TURN server per user.
type staticICE struct{}

func (staticICE) ICEServers(_ context.Context, userID, callID string) ([]chat.ICEServer, time.Time, error) {
	return []chat.ICEServer{{URLs: []string{"turn:turn.example:3478?transport=udp"}, Username: "1700000000:" + userID, Credential: "c"}}, time.Unix(1700000000, 0), nil
}

// callWorld: alice and bob in a DM (bob with two tabs, b1 and b2), carol
// signed in but not in it.
type callWorld struct {
	*harness
	rings            *rings
	alice, bob, bob2 chat.Connection
	carol            chat.Connection
	dm               chat.Room
}

func newCallWorld(t *testing.T, tweak ...func(*service.Config)) *callWorld {
	r := &rings{}
	h := newHarness(t, append([]func(*service.Config){withSystemLines, func(c *service.Config) {
		c.CallPush, c.ICEServers = r, staticICE{}
	}}, tweak...)...)
	w := &callWorld{harness: h, rings: r}
	w.alice = h.connect("alice", "a1")
	w.bob = h.connect("bob", "b1")
	w.bob2 = h.connect("bob", "b2")
	w.carol = h.connect("carol", "c1")
	w.dm = h.direct(w.alice, "bob")
	// bob's tabs are in the background (a new connection counts visible).
	for _, c := range []chat.Connection{w.bob, w.bob2} {
		if err := h.svc.SetVisibility(h.ctx, c, protocol.SetVisibilityRequest{Visible: false}); err != nil {
			t.Fatal(err)
		}
	}
	h.fan.Reset()
	return w
}

func (w *callWorld) start(c chat.Connection, video bool) chat.Call {
	w.t.Helper()
	ev, err := w.svc.StartCall(w.ctx, c, protocol.StartCallRequest{RoomID: w.dm.ID, Video: video})
	if err != nil {
		w.t.Fatalf("StartCall: %v", err)
	}
	return ev.Call
}

func (w *callWorld) joinCall(c chat.Connection, callID string) chat.Call {
	w.t.Helper()
	ev, err := w.svc.JoinCall(w.ctx, c, protocol.JoinCallRequest{CallID: callID})
	if err != nil {
		w.t.Fatalf("JoinCall(%s): %v", c.ID, err)
	}
	return ev.Call
}

func connIDs(call chat.Call) []string {
	var out []string
	for _, p := range call.Participants {
		out = append(out, p.ConnectionID)
	}
	return out
}

// TestCallStartRingJoinSignalLeave: a DM call from start to end. Ringing
// reaches bob's tabs (and his devices by push), not carol; a signal goes to
// exactly the named connection with the sender from the verified
// connection; the last one out ends the call for everyone.
func TestCallStartRingJoinSignalLeave(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, true)
	if call.State != chat.CallRinging || !slices.Equal(connIDs(call), []string{"a1"}) || !slices.Equal(call.Rung, []string{"bob"}) || !call.Video {
		t.Fatalf("started call = %+v", call)
	}
	if room, ok := chat.CallRoomID(call.ID); !ok || room != w.dm.ID {
		t.Errorf("call id %q does not name its room", call.ID)
	}
	for _, conn := range []string{"b1", "b2"} {
		ring := decodeOne[protocol.CallRingingEvent](t, w.fan, conn, protocol.EventCallRinging)
		if ring.Call.ID != call.ID || ring.From.UserID != "alice" {
			t.Errorf("%s rang with %+v", conn, ring)
		}
	}
	if n := len(w.fan.Deliveries("c1")) + len(w.fan.Deliveries("a1")); n != 0 {
		t.Errorf("carol or the caller's own connection got %d events", n)
	}
	if !slices.Equal(w.rings.calls, []string{"Alice|alice|bob"}) {
		t.Errorf("pushes = %v", w.rings.calls)
	}

	w.fan.Reset()
	ev, err := w.svc.JoinCall(w.ctx, w.bob, protocol.JoinCallRequest{CallID: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Call.State != chat.CallActive || !slices.Equal(connIDs(ev.Call), []string{"a1", "b1"}) || len(ev.IceServers) != 1 || ev.IceServers[0].Username != "1700000000:bob" {
		t.Fatalf("joined = %+v", ev)
	}
	up := decodeOne[protocol.CallEvent](t, w.fan, "a1", protocol.EventCallUpdated)
	if up.Call.State != chat.CallActive {
		t.Errorf("alice's update: %+v", up.Call)
	}

	// Offer, answer and candidates: each to exactly its target.
	w.fan.Reset()
	signals := []struct {
		from chat.Connection
		req  protocol.CallSignalRequest
	}{
		{w.alice, protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "offer", SDP: "v=0 offer"}},
		{w.bob, protocol.CallSignalRequest{CallID: call.ID, To: "a1", Kind: "answer", SDP: "v=0 answer"}},
		{w.alice, protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "ice", Candidate: `{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host"}`}},
		{w.bob, protocol.CallSignalRequest{CallID: call.ID, To: "a1", Kind: "ice", Candidate: ""}},
	}
	for _, s := range signals {
		if err := w.svc.CallSignal(w.ctx, s.from, s.req); err != nil {
			t.Fatalf("%s signal %s: %v", s.from.ID, s.req.Kind, err)
		}
	}
	for _, send := range w.fan.Sends() {
		if len(send.ConnectionIDs) != 1 {
			t.Errorf("a signal went to %v", send.ConnectionIDs)
		}
	}
	if got := w.fan.OfType("b1", protocol.EventCallSignal); len(got) != 2 {
		t.Fatalf("b1 got %d signals", len(got))
	}
	var offer protocol.CallSignalEvent
	if err := w.fan.OfType("b1", protocol.EventCallSignal)[0].Decode(&offer); err != nil {
		t.Fatal(err)
	}
	if offer.From != "a1" || offer.FromUserID != "alice" || offer.Kind != "offer" || offer.SDP != "v=0 offer" || offer.CallID != call.ID {
		t.Errorf("relayed offer = %+v", offer)
	}
	if len(w.fan.OfType("a1", protocol.EventCallSignal)) != 2 || len(w.fan.Deliveries("b2")) != 0 || len(w.fan.Deliveries("c1")) != 0 {
		t.Errorf("signals leaked: b2 %v, c1 %v", w.fan.Types("b2"), w.fan.Types("c1"))
	}

	// Bob leaves: alice stays in the call; alice leaves: it ends.
	w.fan.Reset()
	left, err := w.svc.LeaveCall(w.ctx, w.bob, protocol.CallRequest{CallID: call.ID})
	if err != nil || left.Call.State != chat.CallActive || !slices.Equal(connIDs(left.Call), []string{"a1"}) {
		t.Fatalf("bob left: %+v, %v", left.Call, err)
	}
	end, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID})
	if err != nil || end.Call.State != chat.CallEnded || end.Call.EndReason != chat.CallEndHangUp {
		t.Fatalf("alice left: %+v, %v", end.Call, err)
	}
	for _, conn := range []string{"a1", "b1", "b2"} {
		ended := decodeOne[protocol.CallEndedEvent](t, w.fan, conn, protocol.EventCallEnded)
		if ended.CallID != call.ID || ended.Reason != chat.CallEndHangUp {
			t.Errorf("%s: %+v", conn, ended)
		}
	}
	if _, err := w.store.RoomCall(w.ctx, w.dm.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the ended call is still stored: %v", err)
	}
	if msgs := w.history(w.alice); len(msgs) != 0 {
		t.Errorf("an answered call left lines: %+v", msgs)
	}
	// Leaving again is fine; signalling into the ended call is not.
	if ev, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil || ev.Call.State != chat.CallEnded {
		t.Errorf("leaving an ended call: %+v, %v", ev, err)
	}
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "ice", Candidate: "x"}), chat.NotFound)
}

func (w *callWorld) history(c chat.Connection) []chat.Message {
	w.t.Helper()
	ev, err := w.svc.History(w.ctx, c, protocol.HistoryRequest{RoomID: w.dm.ID})
	if err != nil {
		w.t.Fatal(err)
	}
	return ev.Messages
}

// TestCallSignalAuthorization: nobody outside the call can inject a
// candidate or an offer, and nobody inside can aim one outside it.
func TestCallSignalAuthorization(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	ice := func(to string) protocol.CallSignalRequest {
		return protocol.CallSignalRequest{CallID: call.ID, To: to, Kind: "ice", Candidate: `{"candidate":"candidate:9 1 udp 1 203.0.113.9 9 typ host"}`}
	}
	w.fan.Reset()
	// carol: not a member of the DM: as if neither room nor call existed.
	err := w.svc.CallSignal(w.ctx, w.carol, ice("a1"))
	wantCode(t, err, chat.NotFound)
	if !strings.Contains(err.Error(), "room not found") {
		t.Errorf("the outsider learnt about the call: %v", err)
	}
	// bob's other tab, a member but not in the call.
	wantCode(t, w.svc.CallSignal(w.ctx, w.bob2, ice("a1")), chat.Forbidden)
	// carol is refused whatever she names: the call, another call id in
	// the room, a made-up one.
	wantCode(t, w.svc.CallSignal(w.ctx, w.carol, protocol.CallSignalRequest{CallID: w.dm.ID + "/nope", To: "a1", Kind: "ice"}), chat.NotFound)
	// Participants aim only at participants, never themselves.
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, ice("b2")), chat.NotFound)
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, ice("c1")), chat.NotFound)
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, ice("a1")), chat.Invalid)
	// Malformed signals.
	for _, bad := range []protocol.CallSignalRequest{
		{CallID: call.ID, To: "b1", Kind: "bye"},
		{CallID: call.ID, To: "b1", Kind: "offer"},
		{CallID: call.ID, To: "b1", Kind: "ice", SDP: "v=0"},
		{CallID: call.ID, To: "", Kind: "ice"},
		{CallID: "", To: "b1", Kind: "ice"},
		{CallID: "no-room-in-it", To: "b1", Kind: "ice"},
	} {
		wantCode(t, w.svc.CallSignal(w.ctx, w.alice, bad), chat.Invalid)
	}
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "offer", SDP: strings.Repeat("a", chat.MaxCallSDP+1)}), chat.TooLarge)
	if sends := w.fan.Sends(); len(sends) != 0 {
		t.Errorf("refused signals pushed %d events", len(sends))
	}
	// carol cannot join, decline, change media, heartbeat or get TURN
	// credentials either.
	_, err = w.svc.JoinCall(w.ctx, w.carol, protocol.JoinCallRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.DeclineCall(w.ctx, w.carol, protocol.CallRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.SetCallMedia(w.ctx, w.carol, protocol.SetCallMediaRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.GetIceServers(w.ctx, w.carol, protocol.CallRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.GetIceServers(w.ctx, w.bob2, protocol.CallRequest{CallID: call.ID})
	wantCode(t, err, chat.Forbidden)
	got, err := w.svc.GetIceServers(w.ctx, w.bob, protocol.CallRequest{CallID: call.ID})
	if err != nil || len(got.IceServers) != 1 || got.ExpiresAt.IsZero() {
		t.Errorf("a participant's ICE servers: %+v, %v", got, err)
	}
}

// TestCallMissedLine: a call nobody answered leaves a missed-call line
// naming the callee; a declined one ends at once without one.
func TestCallMissedLine(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, true)
	w.advance(chat.CallRingTimeout + time.Second)
	w.fan.Reset()
	// The caller's heartbeat after the ring timeout finds it unanswered.
	_, err := w.svc.CallHeartbeat(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	ended := decodeOne[protocol.CallEndedEvent](t, w.fan, "b1", protocol.EventCallEnded)
	if ended.Reason != chat.CallEndUnanswered {
		t.Errorf("ended: %+v", ended)
	}
	msgs := w.history(w.bob)
	if len(msgs) != 1 || msgs[0].System == nil || msgs[0].System.Kind != chat.SystemMissedCall || !slices.Equal(msgs[0].System.UserIDs, []string{"bob"}) ||
		!msgs[0].System.Video || msgs[0].SenderID != "alice" || msgs[0].Text != "video called: missed by Bob" {
		t.Fatalf("timeline = %+v", msgs)
	}

	// Declined: ended, no line.
	call = w.start(w.alice, false)
	ev, err := w.svc.DeclineCall(w.ctx, w.bob2, protocol.CallRequest{CallID: call.ID})
	if err != nil || ev.Call.State != chat.CallEnded || ev.Call.EndReason != chat.CallEndDeclined {
		t.Fatalf("declined: %+v, %v", ev.Call, err)
	}
	if msgs := w.history(w.bob); len(msgs) != 1 {
		t.Errorf("a declined call left a line: %d lines", len(msgs))
	}
	// The caller hangs up before anyone answers: missed.
	call = w.start(w.alice, false)
	if _, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil {
		t.Fatal(err)
	}
	if msgs := w.history(w.bob); len(msgs) != 2 || msgs[0].Text != "called: missed by Bob" {
		t.Errorf("timeline after a hung-up call: %+v", msgs)
	}
}

// TestCallExpiry: a participant without heartbeats is dropped; a call
// whose participants all vanished is gone (its item expired), and the
// next startCall in the room ends it for the room and starts anew.
func TestCallExpiry(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	for i := 0; i < 3; i++ {
		w.advance(chat.CallHeartbeatEvery)
		if _, err := w.svc.CallHeartbeat(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil {
			t.Fatal(err)
		}
	}
	w.advance(chat.CallHeartbeatEvery)
	w.fan.Reset()
	ev, err := w.svc.CallHeartbeat(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID})
	if err != nil || !slices.Equal(connIDs(ev.Call), []string{"a1"}) {
		t.Fatalf("after bob's silence: %+v, %v", ev.Call, err)
	}
	if up := decodeOne[protocol.CallEvent](t, w.fan, "b2", protocol.EventCallUpdated); len(up.Call.Participants) != 1 {
		t.Errorf("the room was not told bob dropped: %+v", up.Call)
	}
	// bob's dropped connection can no longer signal.
	wantCode(t, w.svc.CallSignal(w.ctx, w.bob, protocol.CallSignalRequest{CallID: call.ID, To: "a1", Kind: "ice", Candidate: "x"}), chat.Forbidden)

	// Everyone vanishes: past ExpiresAt (the item's TTL) the call is
	// over; the first to touch it ends it for the room.
	w.advance(chat.CallParticipantTimeout + time.Second)
	if got, err := w.store.RoomCall(w.ctx, w.dm.ID); err != nil || got.ExpiresAt.After(w.clock()) {
		t.Fatalf("an abandoned call's expiry: %v, %v", got.ExpiresAt, err)
	}
	w.fan.Reset()
	_, err = w.svc.JoinCall(w.ctx, w.bob, protocol.JoinCallRequest{CallID: call.ID})
	wantCode(t, err, chat.NotFound)
	if ended := decodeOne[protocol.CallEndedEvent](t, w.fan, "a1", protocol.EventCallEnded); ended.Reason != chat.CallEndExpired {
		t.Errorf("ended: %+v", ended)
	}
	if _, err := w.store.RoomCall(w.ctx, w.dm.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the expired call is still stored: %v", err)
	}
	next := w.start(w.bob, false)
	if next.ID == call.ID || next.StartedBy != "bob" {
		t.Errorf("the next call = %+v", next)
	}
}

// TestCallOneAtATimeAndFull: a room has one call; a call holds
// CallMaxSize people; a second tab moves its person instead of adding one.
func TestCallOneAtATimeAndFull(t *testing.T) {
	w := newCallWorld(t, func(c *service.Config) { c.CallMaxSize = 2 })
	call := w.start(w.alice, false)
	_, err := w.svc.StartCall(w.ctx, w.bob, protocol.StartCallRequest{RoomID: w.dm.ID})
	wantCode(t, err, chat.Conflict)
	w.joinCall(w.bob, call.ID)
	// bob's second tab takes his place (a reconnect rejoins).
	moved := w.joinCall(w.bob2, call.ID)
	if !slices.Equal(connIDs(moved), []string{"a1", "b2"}) {
		t.Errorf("after bob's second tab joined: %v", connIDs(moved))
	}
	// A channel of three: the third is refused while two are in.
	g := w.channel(w.alice, "standup", false)
	w.join(w.carol, g.ID)
	w.join(w.bob, g.ID)
	ev, err := w.svc.StartCall(w.ctx, w.carol, protocol.StartCallRequest{RoomID: g.ID})
	if err != nil || len(ev.Call.Rung) != 0 {
		t.Fatalf("a channel call: %+v, %v (channels ring nobody)", ev.Call, err)
	}
	w.joinCall(w.alice, ev.Call.ID)
	_, err = w.svc.JoinCall(w.ctx, w.bob, protocol.JoinCallRequest{CallID: ev.Call.ID})
	wantCode(t, err, chat.Conflict)
}

// TestCallSignalBudget: an ICE burst within CallSignalsPerWindow passes;
// beyond it signals are refused until the window turns.
func TestCallSignalBudget(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	req := protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "ice", Candidate: "c"}
	for i := 0; i < chat.CallSignalsPerWindow; i++ {
		if err := w.svc.CallSignal(w.ctx, w.alice, req); err != nil {
			t.Fatalf("signal %d: %v", i, err)
		}
	}
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, req), chat.RateLimited)
	// bob's budget is his own.
	if err := w.svc.CallSignal(w.ctx, w.bob, protocol.CallSignalRequest{CallID: call.ID, To: "a1", Kind: "ice", Candidate: "c"}); err != nil {
		t.Fatal(err)
	}
	w.advance(chat.CallSignalWindow)
	if err := w.svc.CallSignal(w.ctx, w.alice, req); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// TestCallSignalToGoneConnection: a signal to a connection API Gateway
// says is gone drops that participant at once.
func TestCallSignalToGoneConnection(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	w.fan.SetGone("b1")
	wantCode(t, w.svc.CallSignal(w.ctx, w.alice, protocol.CallSignalRequest{CallID: call.ID, To: "b1", Kind: "offer", SDP: "v=0"}), chat.NotFound)
	got, err := w.store.RoomCall(w.ctx, w.dm.ID)
	if err != nil || !slices.Equal(connIDs(got), []string{"a1"}) {
		t.Errorf("after the gone target: %+v, %v", got, err)
	}
}

// TestCallMedia: setCallMedia is told to the room.
func TestCallMedia(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, true)
	w.joinCall(w.bob, call.ID)
	w.fan.Reset()
	ev, err := w.svc.SetCallMedia(w.ctx, w.bob, protocol.SetCallMediaRequest{CallID: call.ID, CallMedia: chat.CallMedia{Audio: false, Video: true, Screen: true}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ev.Call.Participant("b1")
	if p.Audio || !p.Video || !p.Screen {
		t.Errorf("bob's media = %+v", p.CallMedia)
	}
	up := decodeOne[protocol.CallEvent](t, w.fan, "a1", protocol.EventCallUpdated)
	if q, _ := up.Call.Participant("b1"); !q.Screen {
		t.Errorf("alice saw %+v", q)
	}
	if len(w.fan.Deliveries("b1")) != 0 {
		t.Error("the actor's connection got its own update pushed")
	}
}

// TestCallPushOnlyWhenHidden: a callee with a visible tab is rung there,
// not pushed; with every tab hidden (newCallWorld's), pushed.
func TestCallPushOnlyWhenHidden(t *testing.T) {
	w := newCallWorld(t)
	if err := w.svc.SetVisibility(w.ctx, w.bob, protocol.SetVisibilityRequest{Visible: true}); err != nil {
		t.Fatal(err)
	}
	call := w.start(w.alice, false)
	if len(w.rings.calls) != 0 {
		t.Errorf("pushed despite a visible tab: %v", w.rings.calls)
	}
	if _, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil {
		t.Fatal(err)
	}
	w.advance(time.Minute) // setVisibility is throttled per connection
	if err := w.svc.SetVisibility(w.ctx, w.bob, protocol.SetVisibilityRequest{Visible: false}); err != nil {
		t.Fatal(err)
	}
	w.start(w.alice, false)
	if len(w.rings.calls) != 1 {
		t.Errorf("pushes with every tab hidden: %v", w.rings.calls)
	}
}

// TestCallDisconnectLeaves: a participant's $disconnect takes its
// connection out of the call at once, as leaveCall does: the room gets
// callUpdated without it; the last one's $disconnect ends the call.
func TestCallDisconnectLeaves(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, true)
	w.joinCall(w.bob, call.ID)
	w.fan.Reset()
	if err := w.svc.Disconnect(w.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	up := decodeOne[protocol.CallEvent](t, w.fan, "a1", protocol.EventCallUpdated)
	if !slices.Equal(connIDs(up.Call), []string{"a1"}) || up.Call.State != chat.CallActive {
		t.Errorf("alice saw %+v", up.Call)
	}
	if got, err := w.store.RoomCall(w.ctx, w.dm.ID); err != nil || !slices.Equal(connIDs(got), []string{"a1"}) {
		t.Errorf("stored after bob's disconnect: %+v, %v", got, err)
	}
	w.fan.Reset()
	if err := w.svc.Disconnect(w.ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if ended := decodeOne[protocol.CallEndedEvent](t, w.fan, "b2", protocol.EventCallEnded); ended.CallID != call.ID || ended.Reason != chat.CallEndHangUp {
		t.Errorf("bob's other tab saw %+v", ended)
	}
	if _, err := w.store.RoomCall(w.ctx, w.dm.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the call outlived its last participant: %v", err)
	}
	for _, m := range w.history(w.bob2) {
		if m.System != nil && m.System.Kind == chat.SystemMissedCall {
			t.Errorf("an answered call left a missed-call line: %+v", m)
		}
	}
}

// TestCallDisconnectWhileRinging: the caller closing the tab of a ringing
// call ends it, and bob, who never answered, gets the missed-call line.
func TestCallDisconnectWhileRinging(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.fan.Reset()
	if err := w.svc.Disconnect(w.ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if ended := decodeOne[protocol.CallEndedEvent](t, w.fan, "b1", protocol.EventCallEnded); ended.CallID != call.ID {
		t.Errorf("bob saw %+v", ended)
	}
	missed := false
	for _, m := range w.history(w.bob) {
		missed = missed || (m.System != nil && m.System.Kind == chat.SystemMissedCall && slices.Equal(m.System.UserIDs, []string{"bob"}))
	}
	if !missed {
		t.Error("no missed-call line for bob")
	}
}

// TestCallDisconnectOfAMovedTab: bob rejoins from his second tab; closing
// the first one (no longer in the call) changes nothing, and a connection
// that never joined a call costs no call read.
func TestCallDisconnectOfAMovedTab(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	w.joinCall(w.bob2, call.ID)
	w.fan.Reset()
	if err := w.svc.Disconnect(w.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if got, err := w.store.RoomCall(w.ctx, w.dm.ID); err != nil || !slices.Equal(connIDs(got), []string{"a1", "b2"}) {
		t.Errorf("after the old tab closed: %+v, %v", got, err)
	}
	if n := len(w.fan.Deliveries("a1")); n != 0 {
		t.Errorf("alice got %d events for a tab that had left", n)
	}
	if err := w.svc.Disconnect(w.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if got, err := w.store.RoomCall(w.ctx, w.dm.ID); err != nil || len(got.Participants) != 2 {
		t.Errorf("after carol left: %+v, %v", got, err)
	}
}

// TestCallPushRespectsPreferences: the ring's Web Push follows the
// callee's preferences as a message's push does: none during
// do-not-disturb or in a muted conversation (the open tabs still ring);
// one again once both are off.
func TestCallPushRespectsPreferences(t *testing.T) {
	w := newCallWorld(t)
	on, all, tz := true, "00:00", "UTC"
	if _, err := w.svc.SetPreferences(w.ctx, w.bob, protocol.SetPreferencesRequest{Notify: &protocol.NotifyPatch{
		DND: &protocol.DNDPatch{Enabled: &on, Start: &all, End: &all, TZ: &tz, Days: []int{1, 2, 3, 4, 5, 6, 7}}}}); err != nil {
		t.Fatal(err)
	}
	w.fan.Reset()
	call := w.start(w.alice, false)
	if len(w.rings.calls) != 0 {
		t.Errorf("pushed during do-not-disturb: %v", w.rings.calls)
	}
	for _, conn := range []string{"b1", "b2"} {
		decodeOne[protocol.CallRingingEvent](t, w.fan, conn, protocol.EventCallRinging)
	}
	if _, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil {
		t.Fatal(err)
	}

	off := false
	if _, err := w.svc.SetPreferences(w.ctx, w.bob, protocol.SetPreferencesRequest{Notify: &protocol.NotifyPatch{DND: &protocol.DNDPatch{Enabled: &off}}}); err != nil {
		t.Fatal(err)
	}
	forever := chat.MuteForever.Format(time.RFC3339)
	if _, err := w.svc.SetRoomNotify(w.ctx, w.bob, protocol.SetRoomNotifyRequest{RoomID: w.dm.ID, MuteUntil: &forever}); err != nil {
		t.Fatal(err)
	}
	call = w.start(w.alice, false)
	if len(w.rings.calls) != 0 {
		t.Errorf("pushed in a muted conversation: %v", w.rings.calls)
	}
	if _, err := w.svc.LeaveCall(w.ctx, w.alice, protocol.CallRequest{CallID: call.ID}); err != nil {
		t.Fatal(err)
	}

	unmute := ""
	if _, err := w.svc.SetRoomNotify(w.ctx, w.bob, protocol.SetRoomNotifyRequest{RoomID: w.dm.ID, MuteUntil: &unmute}); err != nil {
		t.Fatal(err)
	}
	w.start(w.alice, false)
	if !slices.Equal(w.rings.calls, []string{"Alice|alice|bob"}) {
		t.Errorf("pushes with neither: %v", w.rings.calls)
	}
}

// TestCallGoneConnectionLeaves: a fan-out's 410 for a participant's
// connection (older than the connect grace) forgets it as $disconnect
// does, and takes it out of the call.
func TestCallGoneConnectionLeaves(t *testing.T) {
	w := newCallWorld(t)
	call := w.start(w.alice, false)
	w.joinCall(w.bob, call.ID)
	w.advance(40 * time.Second)
	for _, c := range []chat.Connection{w.alice, w.bob} {
		if _, err := w.svc.CallHeartbeat(w.ctx, c, protocol.CallRequest{CallID: call.ID}); err != nil {
			t.Fatal(err)
		}
	}
	w.advance(service.ConnectGrace - 39*time.Second) // past the grace since connecting, not past the heartbeats
	w.fan.Reset()
	if err := w.svc.Gone(w.ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	up := decodeOne[protocol.CallEvent](t, w.fan, "a1", protocol.EventCallUpdated)
	if !slices.Equal(connIDs(up.Call), []string{"a1"}) {
		t.Errorf("alice saw %+v", up.Call)
	}
}
