package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// routingCallID is the call seedCalls leaves in r3: alice and u2 in it.
const routingCallID = "r3/k1"

// seedCalls: the public channel r3 of alice and u2, with a call both are
// in (alice on testConnID, u2 on testOtherConn), for the call actions'
// routing cases (startCall starts one in r1).
func seedCalls(t *testing.T, c *testChat) {
	t.Helper()
	now := c.clock()
	if err := c.store.CreateRoom(c.ctx, chat.Room{ID: "r3", Kind: chat.KindPublic, Name: "r3", CreatedBy: testUserID, CreatedAt: now},
		[]chat.Member{{RoomID: "r3", UserID: testUserID, Role: chat.RoleOwner, JoinedAt: now}, {RoomID: "r3", UserID: "u2", Role: chat.RoleMember, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	call := chat.Call{ID: routingCallID, RoomID: "r3", State: chat.CallActive, StartedBy: testUserID, StartedAt: now, MaxSize: 6,
		Participants: []chat.CallParticipant{
			{UserID: testUserID, ConnectionID: testConnID, JoinedAt: now, SeenAt: now},
			{UserID: "u2", ConnectionID: testOtherConn, JoinedAt: now, SeenAt: now},
		}}
	call.Refresh()
	if err := c.store.CreateCall(c.ctx, call); err != nil {
		t.Fatal(err)
	}
}

// callRoutingCases are the call actions' routing cases.
var callRoutingCases = []callRoutingCase{
	{`{"action":"startCall","requestId":"q","roomId":"r1","video":true}`, "StartCall", protocol.StartCallRequest{RoomID: "r1", Video: true}, protocol.EventCall},
	{`{"action":"joinCall","requestId":"q","callId":"r3/k1","media":{"audio":true,"video":false,"screen":false}}`, "JoinCall",
		protocol.JoinCallRequest{CallID: routingCallID, Media: &chat.CallMedia{Audio: true}}, protocol.EventCall},
	{`{"action":"leaveCall","requestId":"q","callId":"r3/k1"}`, "LeaveCall", protocol.CallRequest{CallID: routingCallID}, protocol.EventCall},
	{`{"action":"declineCall","requestId":"q","callId":"r3/k1"}`, "DeclineCall", protocol.CallRequest{CallID: routingCallID}, protocol.EventCall},
	{`{"action":"callSignal","requestId":"q","callId":"r3/k1","to":"S2lnyd3WOkNDGJB=","kind":"offer","sdp":"v=0"}`, "CallSignal",
		protocol.CallSignalRequest{CallID: routingCallID, To: testOtherConn, Kind: "offer", SDP: "v=0"}, ""},
	{`{"action":"setCallMedia","requestId":"q","callId":"r3/k1","audio":false,"video":true,"screen":true}`, "SetCallMedia",
		protocol.SetCallMediaRequest{CallID: routingCallID, CallMedia: chat.CallMedia{Video: true, Screen: true}}, protocol.EventCall},
	{`{"action":"callHeartbeat","requestId":"q","callId":"r3/k1"}`, "CallHeartbeat", protocol.CallRequest{CallID: routingCallID}, protocol.EventCall},
	{`{"action":"getIceServers","requestId":"q","callId":"r3/k1"}`, "GetIceServers", protocol.CallRequest{CallID: routingCallID}, protocol.EventIceServers},
}

// callRoutingCase is TestActionRouting's case type (an alias: its cases append to the test's).
type callRoutingCase = struct {
	body     string
	method   string
	req      any
	wantType string // "" means no reply
}
