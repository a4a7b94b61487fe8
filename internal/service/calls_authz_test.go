package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The call actions in the authorization matrix, in #open, about a call tgt
// started there (seedCall). "not in call": the persona's connection is
// not a participant; "in call": every persona's connection was put in the
// call (as if each had joined while a member), so what decides is whether
// they are still members: an outsider or a banned person in a call's
// participant list still cannot signal, change media or get TURN
// credentials.

// seedCall: tgt starts a call in #open from t1.
func seedCall(w *modWorld) {
	if _, err := w.svc.StartCall(w.ctx, w.tgt, protocol.StartCallRequest{RoomID: w.room.ID}); err != nil {
		w.t.Fatal(err)
	}
}

// seedCallWithEveryone: tgt's call with every persona's connection in it.
func seedCallWithEveryone(w *modWorld) {
	seedCall(w)
	call, err := w.store.RoomCall(w.ctx, w.room.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, who := range personaNames {
		c := w.p[who]
		call.Participants = append(call.Participants, chat.CallParticipant{UserID: c.UserID, ConnectionID: c.ID, JoinedAt: w.clock(), SeenAt: w.clock()})
	}
	if _, err := w.store.UpdateCall(w.ctx, call); err != nil {
		w.t.Fatal(err)
	}
}

func (w *modWorld) callID() string {
	call, err := w.store.RoomCall(w.ctx, w.room.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return call.ID
}

func init() {
	members := [9]chat.Code{fb, "", "", "", "", "", "", fb, nf}
	notInCall := [9]chat.Code{fb, fb, fb, fb, fb, fb, fb, fb, nf}
	signal := func(w *modWorld, _ string, c chat.Connection) error {
		return w.svc.CallSignal(w.ctx, c, protocol.CallSignalRequest{CallID: w.callID(), To: w.tgt.ID, Kind: chat.SignalICE, Candidate: `{"candidate":"candidate:1 1 udp 2122260223 10.0.0.9 54321 typ host"}`})
	}
	media := func(w *modWorld, _ string, c chat.Connection) error {
		_, err := w.svc.SetCallMedia(w.ctx, c, protocol.SetCallMediaRequest{CallID: w.callID(), CallMedia: chat.CallMedia{Audio: false}})
		return err
	}
	heartbeat := func(w *modWorld, _ string, c chat.Connection) error {
		_, err := w.svc.CallHeartbeat(w.ctx, c, protocol.CallRequest{CallID: w.callID()})
		return err
	}
	ice := func(w *modWorld, _ string, c chat.Connection) error {
		_, err := w.svc.GetIceServers(w.ctx, c, protocol.CallRequest{CallID: w.callID()})
		return err
	}
	modCases = append(modCases,
		modCase{name: "startCall", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.StartCall(w.ctx, c, protocol.StartCallRequest{RoomID: w.room.ID, Video: true})
				return err
			}},
		modCase{name: "joinCall", want: members, setup: seedCall,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.JoinCall(w.ctx, c, protocol.JoinCallRequest{CallID: w.callID()})
				return err
			}},
		modCase{name: "leaveCall", want: members, setup: seedCall,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.LeaveCall(w.ctx, c, protocol.CallRequest{CallID: w.callID()})
				return err
			}},
		modCase{name: "declineCall", want: members, setup: seedCall,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.DeclineCall(w.ctx, c, protocol.CallRequest{CallID: w.callID()})
				return err
			}},
		modCase{name: "callSignal not in call", want: notInCall, setup: seedCall, do: signal},
		modCase{name: "callSignal in call", want: members, setup: seedCallWithEveryone, do: signal},
		modCase{name: "setCallMedia not in call", want: notInCall, setup: seedCall, do: media},
		modCase{name: "setCallMedia in call", want: members, setup: seedCallWithEveryone, do: media},
		modCase{name: "callHeartbeat not in call", want: notInCall, setup: seedCall, do: heartbeat},
		modCase{name: "callHeartbeat in call", want: members, setup: seedCallWithEveryone, do: heartbeat},
		modCase{name: "getIceServers not in call", want: notInCall, setup: seedCall, do: ice},
		modCase{name: "getIceServers in call", want: members, setup: seedCallWithEveryone, do: ice},
	)
}
