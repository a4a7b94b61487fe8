package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The conversation actions in the authorization matrix: on tgt's message
// in #open, by every persona (see personaNames).
func init() {
	member := [9]chat.Code{fb, "", "", "", "", "", "", fb, nf}
	modCases = append(modCases,
		modCase{name: "react", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.React(w.ctx, c, protocol.ReactRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Emoji: "👍", On: true})
				return err
			}},
		modCase{name: "pinMessage", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.PinMessage(w.ctx, c, protocol.PinMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Pinned: true})
				return err
			}},
		modCase{name: "pinMessage when members may", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
			setup: func(w *modWorld) {
				on := true
				if _, err := w.svc.UpdateChannel(w.ctx, w.p["owner"], protocol.UpdateChannelRequest{RoomID: w.room.ID, MembersCanPin: &on}); err != nil {
					w.t.Fatal(err)
				}
			},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.PinMessage(w.ctx, c, protocol.PinMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Pinned: true})
				return err
			}},
		modCase{name: "listPins", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ListPins(w.ctx, c, w.roomReq())
				return err
			}},
		modCase{name: "saveMessage", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.SaveMessage(w.ctx, c, protocol.SaveMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Saved: true})
				return err
			}},
		modCase{name: "messageVersions", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.MessageVersions(w.ctx, c, protocol.MessageRef{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
				return err
			}},
	)
	workspaceCases = append(workspaceCases, modCase{name: "listSaved", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListSaved(w.ctx, c, protocol.ListSavedRequest{})
			return err
		}})
}
