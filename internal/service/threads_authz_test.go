package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The thread actions in the authorization matrix: on tgt's message in
// #open (the thread's parent), by every persona (see personaNames).
func init() {
	member := [9]chat.Code{fb, "", "", "", "", "", "", fb, nf}
	modCases = append(modCases,
		// A reply is a send: members who may send (not muted).
		modCase{name: "sendMessage in a thread", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			do: func(w *modWorld, who string, c chat.Connection) error {
				_, err := w.svc.SendMessage(w.ctx, c, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "thr-" + c.ID, Text: "in thread", ParentSeq: w.tgtMsg.Seq})
				return err
			}},
		modCase{name: "threadHistory", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ThreadHistory(w.ctx, c, protocol.ThreadHistoryRequest{RoomID: w.room.ID, ParentSeq: w.tgtMsg.Seq})
				return err
			}},
		modCase{name: "followThread", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.FollowThread(w.ctx, c, protocol.FollowThreadRequest{RoomID: w.room.ID, ParentSeq: w.tgtMsg.Seq, Follow: true})
				return err
			}},
		modCase{name: "markThreadRead", want: member,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.MarkThreadRead(w.ctx, c, protocol.MarkThreadReadRequest{RoomID: w.room.ID, ParentSeq: w.tgtMsg.Seq, Seq: w.tgtMsg.Seq + 1})
				return err
			}},
	)
	workspaceCases = append(workspaceCases, modCase{name: "listThreads", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListThreads(w.ctx, c)
			return err
		}})
}
