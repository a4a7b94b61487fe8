package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// support-hours' rows of the authorization matrix: nobody of the
// personas is a visitor (leaveSupportMessage, requestTranscript) or a bot
// (handOverSupport). supporthours_test.go has visitors and bots.
var hoursCases = []modCase{
	{name: "leaveSupportMessage", want: visitorsOnly, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.LeaveSupportMessage(w.ctx, c, protocol.LeaveSupportMessageRequest{Email: "kim@example.org", Text: "hello"})
			return err
		}},
	{name: "requestTranscript", want: visitorsOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestTranscript(w.ctx, c, protocol.RequestTranscriptRequest{RoomID: w.room.ID, Email: "kim@example.org"})
			return err
		}},
	{name: "handOverSupport", want: visitorsOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.HandOverSupport(w.ctx, c, protocol.HandOverSupportRequest{RoomID: w.room.ID})
			return err
		}},
}

func init() {
	workspaceCases = append(workspaceCases, hoursCases...)
	// A visitor leaving a message starts its own conversation, as
	// startSupport does (support_authz_test.go's TestVisitorAcrossTheMatrix).
	visitorSucceeds["leaveSupportMessage"] = true
}
