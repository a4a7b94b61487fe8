package service_test

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// noTimer accepts every schedule (the matrix's world).
type noTimer struct{}

func (noTimer) At(context.Context, string, time.Time, []byte) error { return nil }
func (noTimer) Cancel(context.Context, string) error                { return nil }

// ownScheduled stores a pending scheduled message of c's in #open.
func ownScheduled(w *modWorld, c chat.Connection) string {
	it := chat.ScheduledItem{ID: "s-" + c.UserID, UserID: c.UserID, Kind: chat.ScheduledMessage, RoomID: w.room.ID,
		Text: "later", ClientID: "s-" + c.UserID, At: w.clock().Add(time.Hour)}
	if err := w.store.PutScheduled(w.ctx, it, 0); err != nil {
		w.t.Fatal(err)
	}
	return it.ID
}

// The scheduled actions in the authorization matrix: scheduling a message
// is a send (refused to the muted and banned), a reminder needs the
// message's room; the list, edits and cancels are the caller's own
// (editing a message's item checks the send again: the muted cannot).
func init() {
	modCases = append(modCases,
		modCase{name: "scheduleMessage", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ScheduleMessage(w.ctx, c, protocol.ScheduleMessageRequest{RoomID: w.room.ID, Text: "later", At: w.clock().Add(time.Hour), ClientID: "sched-1"})
				return err
			}},
		modCase{name: "remindMe", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RemindMe(w.ctx, c, protocol.RemindMeRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, At: w.clock().Add(time.Hour)})
				return err
			}},
	)
	workspaceCases = append(workspaceCases,
		modCase{name: "listScheduled", want: everyone,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ListScheduled(w.ctx, c)
				return err
			}},
		// Own items in #open: the outsider and the banned are refused the
		// edit of a message's item as a send would be.
		modCase{name: "editScheduled", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				id := ownScheduled(w, c)
				text := "edited"
				_, err := w.svc.EditScheduled(w.ctx, c, protocol.EditScheduledRequest{ID: id, Text: &text})
				return err
			}},
		modCase{name: "cancelScheduled", want: everyone,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				id := ownScheduled(w, c)
				_, err := w.svc.CancelScheduled(w.ctx, c, protocol.ScheduledRef{ID: id})
				return err
			}},
	)
}
