package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// supportWorld: admin adm; team Billing (topic billing, agents ann and
// bob, lead lea, auto-assign, capacity 2) and team Tech (topic tech, agent
// tia, claims only); plain member pat; visitors vA and vB.
type supportWorld struct {
	*harness
	adm, ann, bob, lea, tia, pat chat.Connection
	billing, tech                chat.SupportTeam
}

const (
	visA = "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa"
	visB = "vis_bbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func newSupportWorld(t *testing.T) *supportWorld {
	h := newHarness(t, withSystemLines)
	w := &supportWorld{harness: h}
	w.adm = h.connectWithGroups("adm", "adm1", chat.GroupAdmins)
	w.ann, w.bob, w.lea, w.tia, w.pat = h.connect("ann", "ann1"), h.connect("bob", "bob1"), h.connect("lea", "lea1"), h.connect("tia", "tia1"), h.connect("pat", "pat1")
	w.billing = w.team(chat.SupportTeam{Name: "Billing", Topics: []string{"billing", "refunds"}, Agents: []string{"ann", "bob"}, Leads: []string{"lea"}, AutoAssign: true, Capacity: 2})
	w.tech = w.team(chat.SupportTeam{Name: "Tech", Topics: []string{"tech"}, Agents: []string{"tia"}})
	return w
}

func (w *supportWorld) team(t chat.SupportTeam) chat.SupportTeam {
	w.t.Helper()
	ev, err := w.svc.SaveSupportTeam(w.ctx, w.adm, protocol.SaveSupportTeamRequest{Team: t})
	if err != nil {
		w.t.Fatal(err)
	}
	return ev.Team
}

func (w *supportWorld) visitor(id, connID string) chat.Connection {
	w.t.Helper()
	ident := chat.Identity{UserID: id, Username: id, DisplayName: "Visitor", Groups: []string{chat.GroupVisitors}, WidgetID: "wid_1"}
	if err := w.svc.Connect(w.ctx, chat.Connection{ID: connID, Identity: ident}); err != nil {
		w.t.Fatal(err)
	}
	c, err := w.svc.Connection(w.ctx, connID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *supportWorld) online(c chat.Connection) {
	w.t.Helper()
	if _, err := w.svc.SetAgentStatus(w.ctx, c, protocol.SetAgentStatusRequest{Availability: chat.AgentOnline}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *supportWorld) start(v chat.Connection, topic, text string) chat.SupportConversation {
	w.t.Helper()
	ev, err := w.svc.StartSupport(w.ctx, v, protocol.StartSupportRequest{Topic: topic, Text: text, ClientID: "first",
		Page: chat.SupportPage{URL: "https://shop.example/cart", Title: "Cart"}, Lang: "en"})
	if err != nil {
		w.t.Fatal(err)
	}
	return ev.Conversation
}

func (w *supportWorld) conv(roomID string) chat.SupportConversation {
	w.t.Helper()
	c, err := w.store.GetSupportConversation(w.ctx, roomID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// TestSupportRoutingAndRoundRobin: topics pick the team; an
// auto-assigning team gives new conversations to its online agents under
// capacity, the one assigned longest ago first; at capacity they wait in
// the queue until someone frees up or comes online.
func TestSupportRoutingAndRoundRobin(t *testing.T) {
	w := newSupportWorld(t)
	// Nobody online: queued.
	v1 := w.visitor(visA, "va1")
	c1 := w.start(v1, "refunds", "I was charged twice")
	if c1.TeamID != w.billing.ID || c1.State != chat.SupportQueued || c1.AssigneeID != "" {
		t.Fatalf("first: %+v", c1)
	}
	// ann comes online: the waiting one is hers at once.
	w.online(w.ann)
	if got := w.conv(c1.RoomID); got.AssigneeID != "ann" || got.State != chat.SupportOpen {
		t.Fatalf("after ann online: %+v", got)
	}
	w.online(w.bob)
	var assignees []string
	for i, id := range []string{"vis_cccccccccccccccccccccccccc", "vis_dddddddddddddddddddddddddd", "vis_eeeeeeeeeeeeeeeeeeeeeeeeee", "vis_ffffffffffffffffffffffffff"} {
		w.advance(time.Second)
		c := w.start(w.visitor(id, "v"+id[4:6]), "billing", "")
		assignees = append(assignees, c.AssigneeID)
		_ = i
	}
	// bob (never assigned) first, then ann and bob in turn until both are
	// at capacity 2: the fourth waits.
	if strings.Join(assignees, ",") != "bob,ann,bob," {
		t.Fatalf("round robin: %q", assignees)
	}
	inbox, err := w.svc.GetSupportInbox(w.ctx, w.ann)
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.Mine) != 2 || len(inbox.Queued) != 1 || inbox.Status.Availability != chat.AgentBusy {
		t.Fatalf("ann's inbox: mine %d queued %d status %+v", len(inbox.Mine), len(inbox.Queued), inbox.Status)
	}
	if inbox.Unread[c1.RoomID] != 1 {
		t.Errorf("unread of the first conversation: %v", inbox.Unread)
	}
	// Closing one frees ann up; the next agent going online drains the
	// queue (tia is in Tech: not hers).
	if _, err := w.svc.CloseSupport(w.ctx, w.ann, protocol.RoomRequest{RoomID: c1.RoomID}); err != nil {
		t.Fatal(err)
	}
	w.online(w.ann)
	if got := w.conv(inbox.Queued[0].RoomID); got.AssigneeID != "ann" {
		t.Errorf("the waiting one after ann freed up: %+v", got)
	}
	// A topic of Tech, which does not auto-assign: queued for a claim.
	w.online(w.tia)
	ct := w.start(w.visitor(visB, "vb1"), "tech", "wifi?")
	if ct.TeamID != w.tech.ID || ct.State != chat.SupportQueued {
		t.Fatalf("tech: %+v", ct)
	}
	// Away agents get nothing; disconnecting makes an agent away.
	if err := w.svc.Disconnect(w.ctx, "bob1"); err != nil {
		t.Fatal(err)
	}
	if st, _ := w.store.GetAgentStatus(w.ctx, "bob"); st.Availability != chat.AgentAway {
		t.Errorf("bob after his last connection closed: %+v", st)
	}
}

// TestSupportClaimTransferNotes: an agent of the team reads a queued
// conversation and claims it; an agent of another team cannot; a
// transfer to another team leaves an internal note and a system line;
// the visitor never receives the note (push, history, resume, state).
func TestSupportClaimTransferNotes(t *testing.T) {
	w := newSupportWorld(t)
	v := w.visitor(visA, "va1")
	conv := w.start(v, "tech", "my router blinks")
	room := conv.RoomID
	// Before the claim: Tech's agent reads it; Billing's agent, a plain
	// member and another visitor cannot even see it exists.
	if _, err := w.svc.History(w.ctx, w.tia, protocol.HistoryRequest{RoomID: room}); err != nil {
		t.Fatalf("team agent reads the queued conversation: %v", err)
	}
	vb := w.visitor(visB, "vb1")
	for who, c := range map[string]chat.Connection{"other team's agent": w.ann, "member": w.pat, "other visitor": vb} {
		_, err := w.svc.History(w.ctx, c, protocol.HistoryRequest{RoomID: room})
		wantCode(t, err, chat.NotFound)
		_, err = w.svc.ClaimSupport(w.ctx, c, protocol.RoomRequest{RoomID: room})
		if who == "other visitor" {
			wantCode(t, err, chat.Forbidden)
		} else {
			wantCode(t, err, chat.NotFound)
		}
		_ = who
	}
	claimed, err := w.svc.ClaimSupport(w.ctx, w.tia, protocol.RoomRequest{RoomID: room})
	if err != nil {
		t.Fatal(err)
	}
	if claimed.Conversation.AssigneeID != "tia" || claimed.Conversation.State != chat.SupportOpen {
		t.Fatalf("claimed: %+v", claimed.Conversation)
	}
	// A second claim by another agent of the team: conflict.
	w2 := w.team(chat.SupportTeam{ID: w.tech.ID, Name: "Tech", Topics: []string{"tech"}, Agents: []string{"tia", "bob"}})
	_ = w2
	_, err = w.svc.ClaimSupport(w.ctx, w.bob, protocol.RoomRequest{RoomID: room})
	wantCode(t, err, chat.Conflict)
	// tia answers; the visitor gets it live.
	w.fan.Reset()
	w.send(w.tia, room, "Please restart it")
	if len(w.fan.OfType("va1", protocol.EventMessage)) != 1 {
		t.Fatalf("the visitor did not get the answer: %v", w.fan.Types("va1"))
	}
	// A note: tia's other connections would get it, the visitor never.
	w.fan.Reset()
	note, err := w.svc.AddSupportNote(w.ctx, w.tia, protocol.AddSupportNoteRequest{RoomID: room, Text: "customer sounds upset"})
	if err != nil {
		t.Fatal(err)
	}
	if !note.Message.Internal {
		t.Fatal("the note is not internal")
	}
	// The visitor may not add notes.
	_, err = w.svc.AddSupportNote(w.ctx, v, protocol.AddSupportNoteRequest{RoomID: room, Text: "x"})
	wantCode(t, err, chat.Forbidden)
	// Transfer to Billing with a note.
	w.online(w.ann)
	tr, err := w.svc.TransferSupport(w.ctx, w.tia, protocol.TransferSupportRequest{RoomID: room, ToTeamID: w.billing.ID, Note: "refund question really"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Conversation.TeamID != w.billing.ID || tr.Conversation.AssigneeID != "ann" || len(tr.Conversation.Transfers) != 1 {
		t.Fatalf("transferred: %+v", tr.Conversation)
	}
	for _, d := range w.fan.Deliveries("va1") {
		var ev struct {
			Type         string                   `json:"type"`
			Message      chat.Message             `json:"message"`
			Conversation chat.SupportConversation `json:"conversation"`
		}
		if err := d.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		if ev.Message.Internal || strings.Contains(ev.Message.Text, "upset") || strings.Contains(ev.Message.Text, "refund question") {
			t.Errorf("the visitor got a note: %+v", ev.Message)
		}
		if len(ev.Conversation.Transfers) > 0 {
			t.Errorf("the visitor got the transfers: %+v", ev.Conversation)
		}
	}
	// History, resume, getState for the visitor: no notes; for ann: both.
	hv, err := w.svc.History(w.ctx, v, protocol.HistoryRequest{RoomID: room})
	if err != nil {
		t.Fatal(err)
	}
	ha, err := w.svc.History(w.ctx, w.ann, protocol.HistoryRequest{RoomID: room})
	if err != nil {
		t.Fatal(err)
	}
	count := func(ms []chat.Message) (internal int) {
		for _, m := range ms {
			if m.Internal {
				internal++
			}
		}
		return internal
	}
	if count(hv.Messages) != 0 || count(ha.Messages) != 2 {
		t.Errorf("notes in history: visitor %d, agent %d (want 0 and 2)", count(hv.Messages), count(ha.Messages))
	}
	var sawTransferLine bool
	for _, m := range hv.Messages {
		if m.System != nil && m.System.Kind == "transferred" && m.System.Name == "Billing" {
			sawTransferLine = true
		}
	}
	if !sawTransferLine {
		t.Error("the visitor's history has no 'transferred to Billing' line")
	}
	mv, err := w.svc.Resume(w.ctx, v, protocol.ResumeRequest{Rooms: map[string]int64{room: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(mv.Rooms) != 1 || count(mv.Rooms[0].Messages) != 0 || len(mv.Rooms[0].Messages) == 0 {
		t.Errorf("visitor's resume: %+v", mv.Rooms)
	}
	st, err := w.svc.GetState(w.ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rooms) != 1 || len(st.Support) != 1 || len(st.Users) != 0 || st.Rooms[0].Unread != hvUnread(hv.Messages, visA) {
		t.Errorf("visitor state: rooms %d support %d users %d unread %d", len(st.Rooms), len(st.Support), len(st.Users), st.Rooms[0].Unread)
	}
	if len(st.Support[0].Transfers) != 0 {
		t.Error("the visitor's state holds the transfers")
	}
	// tia lost the conversation: out of the room, capacity back.
	if _, err := w.svc.SendMessage(w.ctx, w.tia, protocol.SendMessageRequest{RoomID: room, ClientID: "late", Text: "hi"}); err == nil {
		t.Error("the previous assignee still sends")
	}
	// The agents' own state: support rooms stay out of the team chat.
	as, err := w.svc.GetState(w.ctx, w.ann)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range as.Rooms {
		if r.Kind == chat.KindSupport {
			t.Errorf("ann's getState lists support room %s", r.ID)
		}
	}
}

// hvUnread counts what a visitor has not read: others' messages, no notes.
func hvUnread(ms []chat.Message, visitor string) int {
	n := 0
	for _, m := range ms {
		if !m.Internal && m.SenderID != visitor {
			n++
		}
	}
	return n
}

// TestSupportEscalateCloseReopenRate: escalation notifies the leads (an
// internal note mentioning them, the event), close frees capacity, the
// visitor rates once within 7 days, reopen assigns the caller.
func TestSupportEscalateCloseReopenRate(t *testing.T) {
	w := newSupportWorld(t)
	w.online(w.ann)
	v := w.visitor(visA, "va1")
	conv := w.start(v, "billing", "hello")
	room := conv.RoomID
	_, err := w.svc.EscalateSupport(w.ctx, w.ann, protocol.EscalateSupportRequest{RoomID: room, Priority: "urgent"})
	wantCode(t, err, chat.Invalid)
	w.fan.Reset()
	esc, err := w.svc.EscalateSupport(w.ctx, w.ann, protocol.EscalateSupportRequest{RoomID: room, Priority: chat.PriorityHigh, Note: "chargeback threat"})
	if err != nil {
		t.Fatal(err)
	}
	if esc.Conversation.Priority != chat.PriorityHigh {
		t.Fatalf("escalated: %+v", esc.Conversation)
	}
	if len(w.fan.OfType("lea1", protocol.EventSupportConversation)) != 1 {
		t.Errorf("the lead was not told: %v", w.fan.Types("lea1"))
	}
	var mentioned bool
	for _, e := range w.events.All() {
		if mc, ok := e.(chat.MessageCreated); ok && mc.Message.Internal && strings.Contains(strings.Join(mc.Message.Mentions, ","), "lea") {
			mentioned = true
		}
	}
	if !mentioned {
		t.Error("no internal note mentions the lead (the notification path pushes mentions)")
	}
	for _, d := range w.fan.Deliveries("va1") {
		var ev struct {
			Conversation chat.SupportConversation `json:"conversation"`
		}
		_ = d.Decode(&ev)
		if ev.Conversation.Priority == chat.PriorityHigh {
			t.Error("the visitor sees the escalation")
		}
	}
	// The visitor cannot rate before closing; sends after closing are refused.
	_, err = w.svc.RateSupport(w.ctx, v, protocol.RateSupportRequest{RoomID: room, Score: 5})
	wantCode(t, err, chat.Invalid)
	if _, err := w.svc.CloseSupport(w.ctx, w.ann, protocol.RoomRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	if st, _ := w.store.GetAgentStatus(w.ctx, "ann"); st.Open != 0 {
		t.Errorf("ann's open count after close: %d", st.Open)
	}
	_, err = w.svc.SendMessage(w.ctx, v, protocol.SendMessageRequest{RoomID: room, ClientID: "after", Text: "hello?"})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.RateSupport(w.ctx, v, protocol.RateSupportRequest{RoomID: room, Score: 6})
	wantCode(t, err, chat.Invalid)
	// Another visitor cannot rate it; the agent cannot either.
	_, err = w.svc.RateSupport(w.ctx, w.visitor(visB, "vb1"), protocol.RateSupportRequest{RoomID: room, Score: 1})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.RateSupport(w.ctx, w.ann, protocol.RateSupportRequest{RoomID: room, Score: 1})
	wantCode(t, err, chat.Forbidden)
	rated, err := w.svc.RateSupport(w.ctx, v, protocol.RateSupportRequest{RoomID: room, Score: 4, Comment: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if rated.Conversation.Rating == nil || rated.Conversation.Rating.Score != 4 {
		t.Fatalf("rating: %+v", rated.Conversation)
	}
	_, err = w.svc.RateSupport(w.ctx, v, protocol.RateSupportRequest{RoomID: room, Score: 5})
	wantCode(t, err, chat.Conflict)
	// Reopen by bob: his now.
	re, err := w.svc.ReopenSupport(w.ctx, w.bob, protocol.RoomRequest{RoomID: room})
	if err != nil {
		t.Fatal(err)
	}
	if re.Conversation.State != chat.SupportOpen || re.Conversation.AssigneeID != "bob" {
		t.Fatalf("reopened: %+v", re.Conversation)
	}
	// Rating window: a second conversation closed 8 days ago.
	if _, err := w.svc.CloseSupport(w.ctx, w.bob, protocol.RoomRequest{RoomID: room}); err != nil {
		t.Fatal(err)
	}
	c := w.conv(room)
	c.Rating = nil
	if _, err := w.store.UpdateSupportConversation(w.ctx, c); err != nil {
		t.Fatal(err)
	}
	w.advance(8 * 24 * time.Hour)
	_, err = w.svc.RateSupport(w.ctx, v, protocol.RateSupportRequest{RoomID: room, Score: 5})
	wantCode(t, err, chat.Invalid)
}

// TestSupportTeamsAndCannedAnswers: admins manage teams; leads manage
// their team's canned answers, agents list them, shortcuts are unique per
// team; bad input is refused with a clear message.
func TestSupportTeamsAndCannedAnswers(t *testing.T) {
	w := newSupportWorld(t)
	_, err := w.svc.SaveSupportTeam(w.ctx, w.lea, protocol.SaveSupportTeamRequest{Team: chat.SupportTeam{Name: "X"}})
	wantCode(t, err, chat.Forbidden)
	for _, bad := range []chat.SupportTeam{
		{Name: ""},
		{Name: "X", Agents: []string{"nobody"}},
		{Name: "X", Agents: []string{visA}},
		{Name: "X", Capacity: 99},
		{Name: "X", Hours: &chat.BusinessHours{TZ: "Nowhere/City"}},
		{Name: "X", Topics: []string{"<script>"}},
	} {
		_, err := w.svc.SaveSupportTeam(w.ctx, w.adm, protocol.SaveSupportTeamRequest{Team: bad})
		wantCode(t, err, chat.Invalid)
	}
	teams, err := w.svc.ListSupportTeams(w.ctx, w.ann)
	if err != nil || len(teams.Teams) != 1 || teams.Teams[0].Name != "Billing" {
		t.Fatalf("ann's teams: %+v %v", teams.Teams, err)
	}
	if all, _ := w.svc.ListSupportTeams(w.ctx, w.adm); len(all.Teams) != 2 {
		t.Errorf("admin's teams: %+v", all.Teams)
	}
	if none, _ := w.svc.ListSupportTeams(w.ctx, w.pat); len(none.Teams) != 0 {
		t.Errorf("a plain member's teams: %+v", none.Teams)
	}
	// Lead of Billing: may save Billing's answers, not Tech's nor global ones.
	save := func(c chat.Connection, a chat.CannedAnswer) (chat.CannedAnswer, error) {
		ev, err := w.svc.SaveCannedAnswer(w.ctx, c, protocol.SaveCannedAnswerRequest{Answer: a})
		return ev.Answer, err
	}
	refund, err := save(w.lea, chat.CannedAnswer{TeamID: w.billing.ID, Shortcut: "#Refund", Title: "Refunds", Text: "5 to 10 days"})
	if err != nil {
		t.Fatal(err)
	}
	if refund.Shortcut != "refund" {
		t.Errorf("shortcut: %q", refund.Shortcut)
	}
	_, err = save(w.lea, chat.CannedAnswer{TeamID: w.tech.ID, Shortcut: "x", Title: "X", Text: "x"})
	wantCode(t, err, chat.Forbidden)
	_, err = save(w.lea, chat.CannedAnswer{Shortcut: "x", Title: "X", Text: "x"})
	wantCode(t, err, chat.Forbidden)
	_, err = save(w.ann, chat.CannedAnswer{TeamID: w.billing.ID, Shortcut: "x", Title: "X", Text: "x"})
	wantCode(t, err, chat.Forbidden)
	_, err = save(w.lea, chat.CannedAnswer{TeamID: w.billing.ID, Shortcut: "refund", Title: "Again", Text: "y"})
	wantCode(t, err, chat.Conflict)
	_, err = save(w.lea, chat.CannedAnswer{TeamID: w.billing.ID, Shortcut: "bad shortcut", Title: "X", Text: "x"})
	wantCode(t, err, chat.Invalid)
	if _, err := save(w.adm, chat.CannedAnswer{Shortcut: "hello", Title: "Hello", Text: "Hi, how can I help?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := save(w.adm, chat.CannedAnswer{TeamID: w.tech.ID, Shortcut: "reboot", Title: "Reboot", Text: "Restart it"}); err != nil {
		t.Fatal(err)
	}
	list, err := w.svc.ListCannedAnswers(w.ctx, w.ann, protocol.ListCannedAnswersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var shortcuts []string
	for _, a := range list.Answers {
		shortcuts = append(shortcuts, a.Shortcut)
	}
	if strings.Join(shortcuts, ",") != "hello,refund" {
		t.Errorf("ann's answers: %v", shortcuts)
	}
	_, err = w.svc.ListCannedAnswers(w.ctx, w.ann, protocol.ListCannedAnswersRequest{TeamID: w.tech.ID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.ListCannedAnswers(w.ctx, w.pat, protocol.ListCannedAnswersRequest{})
	wantCode(t, err, chat.Forbidden)
	if _, err := w.svc.DeleteCannedAnswer(w.ctx, w.lea, protocol.CannedAnswerRef{ID: refund.ID}); err != nil {
		t.Fatal(err)
	}
	// Deleting a team: its agents no longer see it.
	if _, err := w.svc.DeleteSupportTeam(w.ctx, w.adm, protocol.SupportTeamRef{TeamID: w.tech.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.GetSupportInbox(w.ctx, w.tia)
	wantCode(t, err, chat.Forbidden)
}

// TestVisitorIsolation: a visitor's one conversation at a time, its
// state, its refusals: no channels, people, others' rooms.
func TestVisitorIsolation(t *testing.T) {
	w := newSupportWorld(t)
	v := w.visitor(visA, "va1")
	first := w.start(v, "", "hi")
	if _, err := w.svc.StartSupport(w.ctx, w.visitor(visB, "vb0"), protocol.StartSupportRequest{Name: "Dana", Text: "hello", ClientID: "d1"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.store.GetProfile(w.ctx, visB); p.DisplayName != "Dana" {
		t.Errorf("the pre-chat name does not name the visitor: %+v", p)
	}
	again := w.start(v, "tech", "")
	if again.RoomID != first.RoomID {
		t.Errorf("a second startSupport opened another conversation")
	}
	if first.TeamID != w.billing.ID {
		t.Errorf("no topic: routed to %s, want the first team by name", first.TeamID)
	}
	// The visitor is in no channel (not #general) and nobody lists it.
	st, err := w.svc.GetState(w.ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rooms) != 1 || st.Rooms[0].Kind != chat.KindSupport {
		t.Fatalf("visitor rooms: %+v", st.Rooms)
	}
	users, err := w.svc.ListUsers(w.ctx, w.pat, protocol.ListUsersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		if chat.IsVisitorID(u.UserID) {
			t.Errorf("listUsers shows visitor %s", u.UserID)
		}
	}
	_, err = w.svc.ListUsers(w.ctx, v, protocol.ListUsersRequest{})
	wantCode(t, err, chat.Forbidden)
	_, err = w.svc.History(w.ctx, v, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.SendMessage(w.ctx, v, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "x", Text: "spam"})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.JoinChannel(w.ctx, v, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
	wantCode(t, err, chat.Forbidden)
	vb := w.visitor(visB, "vb1")
	for _, err := range []error{
		func() error {
			_, err := w.svc.History(w.ctx, vb, protocol.HistoryRequest{RoomID: first.RoomID})
			return err
		}(),
		func() error {
			_, err := w.svc.SendMessage(w.ctx, vb, protocol.SendMessageRequest{RoomID: first.RoomID, ClientID: "y", Text: "hi"})
			return err
		}(),
	} {
		wantCode(t, err, chat.NotFound)
	}
	mv, err := w.svc.Resume(w.ctx, vb, protocol.ResumeRequest{Rooms: map[string]int64{first.RoomID: 0, chat.GeneralRoomID: 0}})
	if err != nil || len(mv.Rooms) != 0 {
		t.Errorf("another visitor's resume: %+v %v", mv.Rooms, err)
	}
	// Bad pre-chat input is refused clearly, storing nothing.
	for _, r := range []protocol.StartSupportRequest{
		{Email: "not an address"},
		{Page: chat.SupportPage{URL: "javascript:alert(1)"}},
		{Lang: "english please"},
		{Topic: strings.Repeat("t", 50)},
	} {
		_, err := w.svc.StartSupport(w.ctx, w.visitor("vis_gggggggggggggggggggggggggg", "vg1"), r)
		wantCode(t, err, chat.Invalid)
	}
}

// TestSupportMessagesWhileQueued: a visitor's message while it waits
// stamps lastMessageAt (outside the lock: a claim does not conflict) and
// tells the team's agents; a visitor cannot touch a note even by its seq.
func TestSupportMessagesWhileQueued(t *testing.T) {
	w := newSupportWorld(t)
	v := w.visitor(visA, "va1")
	conv := w.start(v, "tech", "hello")
	w.fan.Reset()
	w.advance(time.Minute)
	w.send(v, conv.RoomID, "anyone there?")
	if got := w.conv(conv.RoomID); !got.LastMessageAt.Equal(w.clock()) || got.Version != conv.Version {
		t.Errorf("after a message: lastMessageAt %v (want %v), version %d (want %d)", got.LastMessageAt, w.clock(), got.Version, conv.Version)
	}
	if len(w.fan.OfType("tia1", protocol.EventSupportConversation)) != 1 {
		t.Errorf("the team's agent was not told: %v", w.fan.Types("tia1"))
	}
	if _, err := w.svc.ClaimSupport(w.ctx, w.tia, protocol.RoomRequest{RoomID: conv.RoomID}); err != nil {
		t.Fatalf("claim after the visitor's message: %v", err)
	}
	note, err := w.svc.AddSupportNote(w.ctx, w.tia, protocol.AddSupportNoteRequest{RoomID: conv.RoomID, Text: "vip"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.EditMessage(w.ctx, v, protocol.EditMessageRequest{RoomID: conv.RoomID, Seq: note.Message.Seq, Text: "x"})
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.DeleteMessage(w.ctx, v, protocol.MessageRef{RoomID: conv.RoomID, Seq: note.Message.Seq})
	wantCode(t, err, chat.NotFound)
	// The agent edits the note: the visitor is not told.
	w.fan.Reset()
	if _, err := w.svc.EditMessage(w.ctx, w.tia, protocol.EditMessageRequest{RoomID: conv.RoomID, Seq: note.Message.Seq, Text: "vip customer"}); err != nil {
		t.Fatal(err)
	}
	if n := len(w.fan.OfType("va1", protocol.EventMessageUpdated)); n != 0 {
		t.Errorf("the visitor got the note's edit (%d)", n)
	}
}
