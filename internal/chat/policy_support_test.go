package chat_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The support rows of the policy matrix (policy_support.go): in a public
// channel the support actions are refused (invalid to those who may act
// there, as for any room that is not a support conversation).
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
func init() {
	agentRoom := [10]string{F, I, I, I, I, I, F, F, I, F}
	visitorOnly := [10]string{F, F, F, F, F, F, F, F, F, F}
	for _, a := range []chat.Action{chat.ActClaimSupport, chat.ActTransferSupport, chat.ActEscalateSupport,
		chat.ActCloseSupport, chat.ActReopenSupport, chat.ActAddSupportNote} {
		matrix = append(matrix, matrixRow{action: a, want: agentRoom})
		directGoneWant[a] = I
	}
	for _, a := range []chat.Action{chat.ActRequestHuman, chat.ActRateSupport} {
		matrix = append(matrix, matrixRow{action: a, want: visitorOnly})
		directGoneWant[a] = F
	}
	workspaceMatrix[chat.ActSaveSupportTeam] = [3]string{F, F, y}
	workspaceMatrix[chat.ActDeleteSupportTeam] = [3]string{F, F, y}
	workspaceMatrix[chat.ActListSupportTeams] = [3]string{y, y, y}
	workspaceMatrix[chat.ActSaveCannedAnswer] = [3]string{F, F, y}
	workspaceMatrix[chat.ActDeleteCannedAnswer] = [3]string{F, F, y}
	workspaceMatrix[chat.ActListCannedAnswers] = [3]string{F, F, y}
	workspaceMatrix[chat.ActSetAgentStatus] = [3]string{F, F, y}
	workspaceMatrix[chat.ActGetSupportInbox] = [3]string{F, F, y}
	workspaceMatrix[chat.ActListVisitorConversations] = [3]string{F, F, y}
	workspaceMatrix[chat.ActStartSupport] = [3]string{F, F, F}
}

const (
	visA = "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa"
	visB = "vis_bbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func supportRoom(visitor, state string) chat.Room {
	return chat.Room{ID: "s_" + visitor[4:8], Kind: chat.KindSupport, Name: "support",
		Support: &chat.SupportConversation{Visitor: chat.SupportVisitor{ID: visitor}, State: state, TeamID: "team_a"}}
}

func visitor(id string, role chat.Role, room chat.Room) chat.Access {
	return chat.Access{UserID: id, Groups: []string{chat.GroupVisitors}, Role: role, Room: room, Author: chat.AuthorSelf}
}

// TestVisitorNeverReachesOthers: a visitor can never reach another
// visitor's conversation or any team room, whatever it claims to be (a
// member, an admin besides), and may do nothing beyond visitorActions.
func TestVisitorNeverReachesOthers(t *testing.T) {
	own := supportRoom(visA, chat.SupportOpen)
	other := supportRoom(visB, chat.SupportOpen)
	elsewhere := []chat.Room{other, publicRoom, privateRoom, directRoom, generalRoom,
		{ID: "s_nosupport", Kind: chat.KindSupport}} // a support room without its conversation
	for _, a := range chat.Actions() {
		for _, extra := range [][]string{nil, {chat.GroupAdmins}, {chat.GroupModerators, chat.GroupBots}} {
			groups := append([]string{chat.GroupVisitors}, extra...)
			if !chat.VisitorMay(a) {
				acc := visitor(visA, chat.RoleOwner, own)
				acc.Groups = groups
				err := chat.Authorize(a, acc)
				if chat.ErrorCode(err) != chat.Forbidden {
					t.Errorf("visitor (groups %v) %s: %v, want forbidden", groups, a, err)
				}
				continue
			}
			if !chat.IsRoomAction(a) {
				continue
			}
			for _, room := range elsewhere {
				for _, role := range []chat.Role{"", chat.RoleMember, chat.RoleOwner} {
					acc := visitor(visA, role, room)
					acc.Groups = groups
					acc.Support = chat.SupportAccess{Agent: true, Lead: true}
					if err := chat.Authorize(a, acc); chat.ErrorCode(err) != chat.NotFound || chat.ErrorMessage(err) != "room not found" {
						t.Errorf("visitor %s in %s (%s, role %q, groups %v): %v, want room not found", a, room.ID, room.Kind, role, groups, err)
					}
				}
			}
		}
	}
}

// TestVisitorInOwnRoom: in its own conversation a visitor is a plain
// member: it sends, reads, rates; it cannot act on others' messages, nor
// claim, transfer or add notes.
func TestVisitorInOwnRoom(t *testing.T) {
	open := supportRoom(visA, chat.SupportOpen)
	closed := supportRoom(visA, chat.SupportClosed)
	cases := []struct {
		a      chat.Action
		room   chat.Room
		author chat.Authorship
		want   string
	}{
		{chat.ActSendMessage, open, chat.AuthorSelf, y},
		{chat.ActHistory, open, chat.AuthorSelf, y},
		{chat.ActResume, open, chat.AuthorSelf, y},
		{chat.ActTyping, open, chat.AuthorSelf, y},
		{chat.ActMarkRead, open, chat.AuthorSelf, y},
		{chat.ActRequestUpload, open, chat.AuthorSelf, y},
		{chat.ActRequestDownload, open, chat.AuthorSelf, y},
		{chat.ActEditMessage, open, chat.AuthorSelf, y},
		{chat.ActEditMessage, open, chat.AuthorOther, F},
		{chat.ActDeleteMessage, open, chat.AuthorOther, F},
		{chat.ActRequestHuman, open, chat.AuthorSelf, y},
		{chat.ActRateSupport, closed, chat.AuthorSelf, y},
		{chat.ActSendMessage, closed, chat.AuthorSelf, I},
		{chat.ActClaimSupport, open, chat.AuthorSelf, F},
		{chat.ActAddSupportNote, open, chat.AuthorSelf, F},
		{chat.ActTransferSupport, open, chat.AuthorSelf, F},
		{chat.ActListMembers, open, chat.AuthorSelf, F},
		{chat.ActSearch, open, chat.AuthorSelf, F},
		{chat.ActGetSupportInbox, open, chat.AuthorSelf, F},
		{chat.ActListUsers, chat.Room{}, chat.AuthorSelf, F},
		{chat.ActListChannels, chat.Room{}, chat.AuthorSelf, F},
		{chat.ActStartSupport, chat.Room{}, chat.AuthorSelf, y},
		{chat.ActGetState, chat.Room{}, chat.AuthorSelf, y},
	}
	for _, c := range cases {
		acc := visitor(visA, chat.RoleMember, c.room)
		acc.Author = c.author
		if got := code(chat.Authorize(c.a, acc)); got != c.want {
			t.Errorf("visitor %s (state %v, author %d): %s, want %s", c.a, c.room.Support, c.author, got, c.want)
		}
	}
	err := chat.Authorize(chat.ActListUsers, visitor(visA, "", chat.Room{}))
	if !strings.Contains(chat.ErrorMessage(err), "visitors may not use listUsers") {
		t.Errorf("message: %v", err)
	}
}

// TestSupportRoomAgents: agents of the conversation's team (and admins)
// read a conversation they are not in and claim it; others (members of
// the workspace, agents of another team, workspace moderators) get
// not_found; only members send.
func TestSupportRoomAgents(t *testing.T) {
	queued := supportRoom(visA, chat.SupportQueued)
	teamAgent := chat.Access{UserID: "ag1", Room: queued, Support: chat.SupportAccess{Agent: true}}
	otherTeam := chat.Access{UserID: "ag2", Room: queued}
	admin := chat.Access{UserID: "adm", Room: queued, Groups: []string{chat.GroupAdmins}}
	mod := chat.Access{UserID: "mod", Room: queued, Groups: []string{chat.GroupModerators}}
	assignee := chat.Access{UserID: "ag1", Room: queued, Role: chat.RoleMember, Support: chat.SupportAccess{Agent: true}}
	cases := []struct {
		who  string
		acc  chat.Access
		a    chat.Action
		want string
	}{
		{"team agent", teamAgent, chat.ActHistory, y},
		{"team agent", teamAgent, chat.ActListMembers, y},
		{"team agent", teamAgent, chat.ActClaimSupport, y},
		{"team agent", teamAgent, chat.ActTransferSupport, y},
		{"team agent", teamAgent, chat.ActAddSupportNote, y},
		{"team agent", teamAgent, chat.ActSendMessage, N},
		{"team agent", teamAgent, chat.ActTyping, N},
		{"other team's agent", otherTeam, chat.ActHistory, N},
		{"other team's agent", otherTeam, chat.ActClaimSupport, N},
		{"other team's agent", otherTeam, chat.ActAddSupportNote, N},
		{"workspace moderator", mod, chat.ActHistory, N},
		{"workspace moderator", mod, chat.ActDeleteMessage, N},
		{"admin", admin, chat.ActHistory, y},
		{"admin", admin, chat.ActClaimSupport, y},
		{"assignee", assignee, chat.ActSendMessage, y},
		{"assignee", assignee, chat.ActInviteToChannel, I},
		{"assignee", assignee, chat.ActUpdateChannel, I},
		{"assignee", assignee, chat.ActLeaveChannel, I},
		{"assignee", assignee, chat.ActSearch, I},
		{"assignee", assignee, chat.ActPinMessage, I},
		{"assignee", assignee, chat.ActRateSupport, F},
		{"assignee", assignee, chat.ActRequestHuman, F},
	}
	for _, c := range cases {
		if got := code(chat.Authorize(c.a, c.acc)); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.who, c.a, got, c.want)
		}
	}
}

// TestCannedAnswerLeads: a team's leads manage its canned answers (the
// service sets Support.Lead for the answer's team); agents only list them.
func TestCannedAnswerLeads(t *testing.T) {
	lead := chat.Access{UserID: "l", Support: chat.SupportAccess{Agent: true, Lead: true}}
	agent := chat.Access{UserID: "a", Support: chat.SupportAccess{Agent: true}}
	for _, a := range []chat.Action{chat.ActSaveCannedAnswer, chat.ActDeleteCannedAnswer} {
		if err := chat.Authorize(a, lead); err != nil {
			t.Errorf("lead %s: %v", a, err)
		}
		if code(chat.Authorize(a, agent)) != F {
			t.Errorf("agent %s allowed", a)
		}
	}
	for _, a := range []chat.Action{chat.ActListCannedAnswers, chat.ActGetSupportInbox, chat.ActSetAgentStatus, chat.ActListVisitorConversations} {
		if err := chat.Authorize(a, agent); err != nil {
			t.Errorf("agent %s: %v", a, err)
		}
	}
	if code(chat.Authorize(chat.ActSaveSupportTeam, lead)) != F {
		t.Error("a lead manages teams")
	}
}

func TestBusinessHours(t *testing.T) {
	h := &chat.BusinessHours{TZ: "Europe/Berlin"}
	h.Days[1] = []chat.Span{{From: "09:00", To: "17:30"}}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	berlin := mustLoc(t, "Europe/Berlin")
	for _, c := range []struct {
		at   string
		want bool
	}{{"2026-11-30 09:00", true}, {"2026-11-30 08:59", false}, {"2026-11-30 17:29", true}, {"2026-11-30 17:30", false}, {"2026-12-01 10:00", false}} {
		at, err := timeIn(c.at, berlin)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.OpenAt(at); got != c.want {
			t.Errorf("%s: open %v, want %v", c.at, got, c.want)
		}
	}
	var none *chat.BusinessHours
	if !none.OpenAt(mutedUntil) {
		t.Error("nil hours are always open")
	}
	for _, bad := range []chat.BusinessHours{{TZ: "Mars/Base"}, {TZ: "UTC", Days: [7][]chat.Span{{{From: "10:00", To: "09:00"}}}}, {TZ: "UTC", Days: [7][]chat.Span{{{From: "9:00", To: "10:00"}}}}} {
		if code(bad.Validate()) != I {
			t.Errorf("%+v accepted", bad)
		}
	}
	if !chat.IsVisitorID(visA) || chat.IsVisitorID("vis_ABC") || chat.IsVisitorID("bot_x") {
		t.Error("IsVisitorID")
	}
	if s, err := chat.NormalizeShortcut("#Refund"); err != nil || s != "refund" {
		t.Errorf("shortcut %q %v", s, err)
	}
	if slices.Contains(chat.Actions(), chat.ActRequestTranscript) && !chat.VisitorMay(chat.ActRequestTranscript) {
		t.Error("visitors request transcripts")
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func timeIn(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", s, loc)
}
