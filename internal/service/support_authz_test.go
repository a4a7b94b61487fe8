package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The support actions' rows of the authorization matrix (issue #17),
// appended to workspaceCases. Nobody of newModWorld's personas is a
// support agent or a visitor: the agents' actions are workspace admins'
// (who act as agents of every team), the visitors' nobody's, and the
// conversation actions in #open are invalid (not a support conversation)
// to those who may act there at all.
// support_test.go has the agents, visitors and other teams.

const matrixVisitor = "vis_mmmmmmmmmmmmmmmmmmmmmmmmmm"

func withTeam(w *modWorld) {
	if err := w.store.PutSupportTeam(w.ctx, chat.SupportTeam{ID: "team_m", Name: "Matrix"}); err != nil {
		w.t.Fatal(err)
	}
}

func withCanned(w *modWorld) {
	if err := w.store.PutCannedAnswer(w.ctx, chat.CannedAnswer{ID: "can_m", Shortcut: "hi", Title: "Hi", Text: "Hello"}); err != nil {
		w.t.Fatal(err)
	}
}

// notSupport: a support action in #open.
var notSupport = [9]chat.Code{fb, iv, iv, iv, iv, iv, iv, fb, nf}

// visitorsOnly: nobody of the personas.
var visitorsOnly = [9]chat.Code{fb, fb, fb, fb, fb, fb, fb, fb, nf}

var supportCases = []modCase{
	{name: "saveSupportTeam", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SaveSupportTeam(w.ctx, c, protocol.SaveSupportTeamRequest{Team: chat.SupportTeam{Name: "Billing", Topics: []string{"billing"}, Agents: []string{"tgt"}}})
			return err
		}},
	{name: "deleteSupportTeam", want: adminOnly, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteSupportTeam(w.ctx, c, protocol.SupportTeamRef{TeamID: "team_m"})
			return err
		}},
	{name: "listSupportTeams", want: everyone, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListSupportTeams(w.ctx, c)
			return err
		}},
	{name: "saveCannedAnswer", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SaveCannedAnswer(w.ctx, c, protocol.SaveCannedAnswerRequest{Answer: chat.CannedAnswer{Shortcut: "refund", Title: "Refunds", Text: "5 to 10 days"}})
			return err
		}},
	{name: "deleteCannedAnswer", want: adminOnly, setup: withCanned,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteCannedAnswer(w.ctx, c, protocol.CannedAnswerRef{ID: "can_m"})
			return err
		}},
	{name: "listCannedAnswers", want: adminOnly, setup: withCanned,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListCannedAnswers(w.ctx, c, protocol.ListCannedAnswersRequest{})
			return err
		}},
	{name: "setAgentStatus", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SetAgentStatus(w.ctx, c, protocol.SetAgentStatusRequest{Availability: chat.AgentOnline})
			return err
		}},
	{name: "getSupportInbox", want: adminOnly, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.GetSupportInbox(w.ctx, c)
			return err
		}},
	{name: "listVisitorConversations", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListVisitorConversations(w.ctx, c, protocol.ListVisitorConversationsRequest{VisitorID: matrixVisitor})
			return err
		}},
	{name: "startSupport", want: visitorsOnly, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.StartSupport(w.ctx, c, protocol.StartSupportRequest{Topic: "billing"})
			return err
		}},
	{name: "requestHuman", want: visitorsOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestHuman(w.ctx, c, protocol.RoomRequest{RoomID: w.room.ID})
			return err
		}},
	{name: "rateSupport", want: visitorsOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RateSupport(w.ctx, c, protocol.RateSupportRequest{RoomID: w.room.ID, Score: 5})
			return err
		}},
	{name: "claimSupport", want: notSupport,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ClaimSupport(w.ctx, c, protocol.RoomRequest{RoomID: w.room.ID})
			return err
		}},
	{name: "transferSupport", want: notSupport, setup: withTeam,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.TransferSupport(w.ctx, c, protocol.TransferSupportRequest{RoomID: w.room.ID, ToTeamID: "team_m", Note: "over to you"})
			return err
		}},
	{name: "escalateSupport", want: notSupport,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.EscalateSupport(w.ctx, c, protocol.EscalateSupportRequest{RoomID: w.room.ID, Priority: chat.PriorityHigh})
			return err
		}},
	{name: "closeSupport", want: notSupport,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.CloseSupport(w.ctx, c, protocol.RoomRequest{RoomID: w.room.ID})
			return err
		}},
	{name: "reopenSupport", want: notSupport,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ReopenSupport(w.ctx, c, protocol.RoomRequest{RoomID: w.room.ID})
			return err
		}},
	{name: "addSupportNote", want: notSupport,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.AddSupportNote(w.ctx, c, protocol.AddSupportNoteRequest{RoomID: w.room.ID, Text: "note"})
			return err
		}},
}

func init() { workspaceCases = append(workspaceCases, supportCases...) }

// visitorSucceeds are the matrix cases a visitor passes: what it may do
// without any room (its state, the keepalive) and starting its own
// conversation (withTeam made a team).
var visitorSucceeds = map[string]bool{"ping": true, "getState": true, "startSupport": true}

// preparesInDo are the cases whose do prepares the world for the caller
// before acting (a ready export of the caller's own): what they store and
// push is not the refused action's.
var preparesInDo = map[string]bool{"requestExportDownload own": true}

// TestVisitorAcrossTheMatrix: every case of the authorization matrix
// (each action with the payload its case sends, in #open, #general, the
// moderation world's direct rooms and files) done by a visitor is refused
// (forbidden, or not_found for a room, or invalid), and a refusal changes,
// pushes and publishes nothing. A visitor can never reach a team room.
func TestVisitorAcrossTheMatrix(t *testing.T) {
	cases := append(append([]modCase{}, modCases...), workspaceCases...)
	if len(cases) < len(protocol.ActionTable) {
		t.Fatalf("only %d matrix cases for %d actions", len(cases), len(protocol.ActionTable))
	}
	for _, mc := range cases {
		w := newModWorld(t)
		if mc.setup != nil {
			mc.setup(w)
		}
		id := chat.Identity{UserID: matrixVisitor, Username: matrixVisitor, DisplayName: "Visitor", Groups: []string{chat.GroupVisitors}, WidgetID: "wid_m"}
		if err := w.svc.Connect(w.ctx, chat.Connection{ID: "vis1", Identity: id}); err != nil {
			t.Fatal(err)
		}
		v, err := w.svc.Connection(w.ctx, "vis1")
		if err != nil {
			t.Fatal(err)
		}
		before := w.state()
		w.fan.Reset()
		w.events.Reset()
		err = mc.do(w, "visitor", v)
		code := chat.ErrorCode(err)
		if visitorSucceeds[mc.name] {
			continue
		}
		switch code {
		case chat.Forbidden, chat.NotFound, chat.Invalid:
		default:
			t.Errorf("%s by a visitor: %v (code %q), want it refused", mc.name, err, code)
			continue
		}
		if chat.IsRoomAction(chat.Action(matrixAction(mc.name))) && chat.VisitorMay(chat.Action(matrixAction(mc.name))) && code != chat.NotFound && code != chat.Invalid && mc.name != "resume" {
			// (resume leaves rooms out rather than failing: its case
			// answers forbidden "left out" for a room left out.)
			t.Errorf("%s by a visitor in a team room: %v, want not_found (as for a room that does not exist)", mc.name, err)
		}
		if preparesInDo[mc.name] {
			continue
		}
		if after := w.state(); after != before && mc.name != "resume" {
			t.Errorf("%s by a visitor was refused but changed the store, the pool, the bucket or closed connections", mc.name)
		}
		if sends := w.fan.Sends(); len(sends) > 0 {
			t.Errorf("%s by a visitor was refused but pushed %d events", mc.name, len(sends))
		}
		if evs := w.events.All(); len(evs) > 0 {
			t.Errorf("%s by a visitor was refused but published %v", mc.name, w.events.Types())
		}
	}
}
