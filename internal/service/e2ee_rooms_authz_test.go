package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The room-key actions in the authorization matrix, in #open: a plain
// channel, so each member passes the policy and is then refused (invalid)
// because the room has no keys; outsiders and the banned are refused by
// the policy first. e2ee_rooms_test.go covers the encrypted room itself.
func init() {
	notEncrypted := [9]chat.Code{fb, iv, iv, iv, iv, iv, iv, fb, nf}
	modCases = append(modCases,
		modCase{name: "shareRoomKeys", want: notEncrypted,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ShareRoomKeys(w.ctx, c, protocol.ShareRoomKeysRequest{RoomID: w.room.ID, Epoch: 1, Keys: []protocol.SharedRoomKey{
					{UserID: c.UserID, DeviceID: testDevice(1), SenderDevice: testDevice(1), Wrapped: testWrapped}}})
				return err
			}},
		modCase{name: "getRoomKeys", want: notEncrypted,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.GetRoomKeys(w.ctx, c, protocol.GetRoomKeysRequest{RoomID: w.room.ID, DeviceID: testDevice(1)})
				return err
			}},
	)
}
