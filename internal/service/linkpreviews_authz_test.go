package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// removePreview in the authorization matrix: on one's own message (the
// persona's own message in #open, as editMessage's case) and on tgt's.
func init() {
	modCases = append(modCases,
		modCase{name: "removePreview own", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
			do: func(w *modWorld, who string, c chat.Connection) error {
				seq, ok := w.own[who]
				if !ok {
					seq = w.tgtMsg.Seq
				}
				_, err := w.svc.RemovePreview(w.ctx, c, protocol.RemovePreviewRequest{RoomID: w.room.ID, Seq: seq})
				return err
			}},
		modCase{name: "removePreview other's", want: [9]chat.Code{fb, fb, fb, fb, fb, fb, fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RemovePreview(w.ctx, c, protocol.RemovePreviewRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
				return err
			}},
	)
}
