package chat_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Answers in the policy table: "ok", or "code: message".
const (
	ok         = "ok"
	joinFirst  = "forbidden: you are not a member of #open: join it first"
	notFound   = "not_found: room not found"
	notYours   = "forbidden: you can only %s your own messages"
	noDirectTo = "invalid: direct conversations cannot be %s"
)

// policyRow is one action's answers: for members (any role) in a public
// channel, a private channel, a direct room and #general, and for
// non-members of a public channel, a private channel and a direct room.
type policyRow struct {
	action chat.Action
	author chat.Authorship // message actions
	// members
	public, private, direct, general string
	// non-members
	outPublic, outPrivate, outDirect string
}

// policyTable is today's policy, spelled out. Room roles (owner,
// moderator, member) and workspace groups (admins, moderators) change no
// answer yet, so each row holds for all of them (the test runs each).
var policyTable = []policyRow{
	{action: chat.ActJoinChannel, public: ok, private: ok, direct: fmt.Sprintf(noDirectTo, "joined"), general: ok,
		outPublic: ok, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActLeaveChannel, public: ok, private: ok, direct: fmt.Sprintf(noDirectTo, "left"), general: "invalid: everyone stays in #general",
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActInviteToChannel, public: ok, private: ok,
		direct: "invalid: nobody can be added to a direct conversation: open a new one with everyone", general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActUpdateChannel, public: ok, private: ok, direct: fmt.Sprintf(noDirectTo, "renamed"), general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActRenameChannel, public: ok, private: ok, direct: fmt.Sprintf(noDirectTo, "renamed"), general: "invalid: #general cannot be renamed",
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActOpenDirect, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActListMembers, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActSendMessage, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActHistory, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActResume, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActTyping, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActMarkRead, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActRequestUpload, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActRequestDownload, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	// Message actions: before the message is read (room rules only), on
	// one's own message, on someone else's.
	{action: chat.ActEditMessage, author: chat.AuthorUnchecked, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActEditMessage, author: chat.AuthorSelf, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActEditMessage, author: chat.AuthorOther,
		public: fmt.Sprintf(notYours, "edit"), private: fmt.Sprintf(notYours, "edit"), direct: fmt.Sprintf(notYours, "edit"), general: fmt.Sprintf(notYours, "edit"),
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActDeleteMessage, author: chat.AuthorUnchecked, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActDeleteMessage, author: chat.AuthorSelf, public: ok, private: ok, direct: ok, general: ok,
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
	{action: chat.ActDeleteMessage, author: chat.AuthorOther,
		public: fmt.Sprintf(notYours, "delete"), private: fmt.Sprintf(notYours, "delete"), direct: fmt.Sprintf(notYours, "delete"), general: fmt.Sprintf(notYours, "delete"),
		outPublic: joinFirst, outPrivate: notFound, outDirect: notFound},
}

// workspaceActions are open to every signed-in user, with no room.
var workspaceActions = []chat.Action{
	chat.ActPing, chat.ActGetState, chat.ActListUsers, chat.ActUpdateProfile,
	chat.ActCreateChannel, chat.ActListChannels, chat.ActOpenDirect,
	chat.ActRequestAvatarUpload, chat.ActRequestAvatarURL,
}

var (
	memberRoles = []chat.Role{chat.RoleOwner, chat.RoleModerator, chat.RoleMember}
	groupSets   = [][]string{nil, {chat.GroupModerators}, {chat.GroupAdmins}, {chat.GroupAdmins, chat.GroupModerators}}

	publicRoom  = chat.Room{ID: "c_open", Kind: chat.KindPublic, Name: "open"}
	privateRoom = chat.Room{ID: "c_secret", Kind: chat.KindPrivate, Name: "secret"}
	directRoom  = chat.Room{ID: "d_ab", Kind: chat.KindDirect}
	generalRoom = chat.Room{ID: chat.GeneralRoomID, Kind: chat.KindPublic, Name: chat.GeneralRoomID}
)

func answer(err error) string {
	if err == nil {
		return ok
	}
	return string(chat.ErrorCode(err)) + ": " + chat.ErrorMessage(err)
}

// TestPolicyTable runs every action × role (none, member, moderator,
// owner) × workspace group (none, moderators, admins, both) × room kind
// (public, private, direct, and #general) through chat.Authorize.
func TestPolicyTable(t *testing.T) {
	for _, row := range policyTable {
		cases := []struct {
			room  chat.Room
			roles []chat.Role
			want  string
		}{
			{publicRoom, memberRoles, row.public},
			{privateRoom, memberRoles, row.private},
			{directRoom, memberRoles, row.direct},
			{generalRoom, memberRoles, row.general},
			{publicRoom, []chat.Role{""}, row.outPublic},
			{privateRoom, []chat.Role{""}, row.outPrivate},
			{directRoom, []chat.Role{""}, row.outDirect},
		}
		for _, c := range cases {
			for _, role := range c.roles {
				for _, groups := range groupSets {
					name := fmt.Sprintf("%s/author=%d/%s/role=%q/groups=%v", row.action, row.author, c.room.ID, role, groups)
					acc := chat.Access{Groups: groups, Role: role, Room: c.room, Author: row.author}
					if got := answer(chat.Authorize(row.action, acc)); got != c.want {
						t.Errorf("%s: got %q, want %q", name, got, c.want)
					}
				}
			}
		}
	}
	for _, a := range workspaceActions {
		for _, groups := range groupSets {
			if err := chat.Authorize(a, chat.Access{Groups: groups}); err != nil {
				t.Errorf("%s with groups %v: %v", a, groups, err)
			}
		}
	}
}

// A refusal is a coded *chat.Error, so the use case returns it as is.
func TestPolicyRefusalsAreCoded(t *testing.T) {
	err := chat.Authorize(chat.ActSendMessage, chat.Access{Room: privateRoom})
	if code := chat.ErrorCode(err); code != chat.NotFound {
		t.Fatalf("code = %q", code)
	}
	if err := chat.Authorize("launchMissiles", chat.Access{}); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("unknown action: %v, want an internal error", err)
	}
}

// TestPolicyCoversEveryAction: every protocol action has a policy rule,
// and every rule is in the table test above.
func TestPolicyCoversEveryAction(t *testing.T) {
	known := chat.Actions()
	for _, a := range protocol.Actions {
		if !slices.Contains(known, chat.Action(a)) {
			t.Errorf("protocol action %q has no access rule in chat/policy.go", a)
		}
	}
	tested := slices.Clone(workspaceActions)
	tested = append(tested, adminActions...)
	for _, row := range policyTable {
		tested = append(tested, row.action)
	}
	for _, a := range known {
		if !slices.Contains(tested, a) {
			t.Errorf("policy action %q is not in the table test", a)
		}
	}
	for _, row := range policyTable {
		if !chat.IsRoomAction(row.action) {
			t.Errorf("%s is in the room table but is not a room action", row.action)
		}
	}
}

// TestPolicyDocTable: docs/ARCHITECTURE.md shows the policy as the table
// policyDocTable renders from chat.Authorize itself.
func TestPolicyDocTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	want := policyDocTable()
	if !strings.Contains(string(doc), want) {
		t.Errorf("docs/ARCHITECTURE.md does not contain the policy table; it should read:\n%s", want)
	}
}

// policyDocTable renders the policy as markdown: one row per action, one
// column per (role, room), each cell the answer's code or "yes".
func policyDocTable() string {
	type col struct {
		head string
		role chat.Role
		room chat.Room
	}
	cols := []col{
		{"member/moderator/owner, public", chat.RoleMember, publicRoom},
		{"…, private", chat.RoleMember, privateRoom},
		{"…, direct", chat.RoleMember, directRoom},
		{"…, #general", chat.RoleMember, generalRoom},
		{"non-member, public", "", publicRoom},
		{"non-member, private or direct", "", privateRoom},
	}
	var b strings.Builder
	b.WriteString("| Action |")
	for _, c := range cols {
		b.WriteString(" " + c.head + " |")
	}
	b.WriteString("\n|---|")
	for range cols {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	cell := func(err error) string {
		if err == nil {
			return "yes"
		}
		return "no (" + string(chat.ErrorCode(err)) + ")"
	}
	for _, a := range workspaceActions {
		label := "`" + string(a) + "` (workspace)"
		if a == chat.ActOpenDirect {
			label = "`openDirect` (new room)"
		}
		fmt.Fprintf(&b, "| %s |", label)
		for range cols {
			b.WriteString(" " + cell(chat.Authorize(a, chat.Access{})) + " |")
		}
		b.WriteString("\n")
	}
	for _, row := range policyTable {
		if row.author == chat.AuthorUnchecked && (row.action == chat.ActEditMessage || row.action == chat.ActDeleteMessage) {
			continue
		}
		label := "`" + string(row.action) + "`"
		switch row.author {
		case chat.AuthorSelf:
			label += " own message"
		case chat.AuthorOther:
			label += " other's message"
		}
		if row.action == chat.ActOpenDirect {
			label += " (room exists)"
		}
		if row.action == chat.ActRenameChannel {
			label += " (updateChannel with a new name)"
		}
		fmt.Fprintf(&b, "| %s |", label)
		for _, c := range cols {
			b.WriteString(" " + cell(chat.Authorize(row.action, chat.Access{Role: c.role, Room: c.room, Author: row.author})) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}
