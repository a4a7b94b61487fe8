package chat_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// persona is one kind of caller, as the policy sees them.
type persona struct {
	name string
	acc  chat.Access
}

var mutedUntil = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// personas, in the order of the matrix's columns.
var personas = []persona{
	{"outsider", chat.Access{}},
	{"member", chat.Access{Role: chat.RoleMember}},
	{"owner", chat.Access{Role: chat.RoleOwner}},
	{"room moderator", chat.Access{Role: chat.RoleModerator}},
	{"workspace moderator", chat.Access{Role: chat.RoleMember, Groups: []string{chat.GroupModerators}}},
	{"admin", chat.Access{Role: chat.RoleMember, Groups: []string{chat.GroupAdmins}}},
	{"workspace moderator, not a member", chat.Access{Groups: []string{chat.GroupModerators}}},
	{"admin, not a member", chat.Access{Groups: []string{chat.GroupAdmins}}},
	{"muted member", chat.Access{Role: chat.RoleMember, MutedUntil: mutedUntil}},
	{"banned", chat.Access{Banned: true}},
}

// matrixRow is one action's answers in a public channel, one code per
// persona ("ok" or the refusal's code), in the order of personas.
type matrixRow struct {
	action chat.Action
	author chat.Authorship
	want   [10]string
}

const (
	y = "ok"
	F = "forbidden"
	N = "not_found"
	I = "invalid"
)

// matrix: every room action × persona, in the public channel #open.
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
var matrix = []matrixRow{
	{action: chat.ActJoinChannel, want: [10]string{y, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActLeaveChannel, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActInviteToChannel, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActUpdateChannel, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActRenameChannel, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActChangeKind, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActArchiveChannel, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActSetRoomRetention, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActCreateWebhook, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActListWebhooks, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActRotateWebhookSecret, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActRevokeWebhook, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActUnarchiveChannel, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActDeleteChannel, want: [10]string{F, F, F, F, F, y, F, y, F, F}},
	{action: chat.ActSetMemberRole, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActMuteMember, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActUnmuteMember, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActRemoveMember, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActBanMember, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActUnbanMember, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActListBans, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	{action: chat.ActListMembers, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActOpenDirect, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActSendMessage, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActHistory, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActResume, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActSearch, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActTyping, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActMarkRead, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActRequestUpload, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActRequestDownload, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActReportMessage, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActSetRoomNotify, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActReact, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActPinMessage, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActListPins, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActSaveMessage, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActMessageVersions, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActCreatePoll, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActVote, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	// Closing a poll: its author, or the room's managers (not workspace
	// moderators), also as staff outside (admins); a muted author may close
	// their poll (closing sends nothing).
	{action: chat.ActClosePoll, author: chat.AuthorUnchecked, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActClosePoll, author: chat.AuthorSelf, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActClosePoll, author: chat.AuthorOther, want: [10]string{F, F, y, y, F, y, F, y, F, F}},
	{action: chat.ActThreadHistory, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActFollowThread, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActMarkThreadRead, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActScheduleMessage, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActRemindMe, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	// Without an invitation (see TestPolicyInvites): members pass (the
	// service answers their room), others are refused as for any room.
	{action: chat.ActAcceptInvite, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActDeclineInvite, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	// Message actions: before the message is read, on one's own message,
	// on someone else's.
	{action: chat.ActEditMessage, author: chat.AuthorUnchecked, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActEditMessage, author: chat.AuthorSelf, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	{action: chat.ActEditMessage, author: chat.AuthorOther, want: [10]string{F, F, F, F, F, F, F, F, F, F}},
	{action: chat.ActDeleteMessage, author: chat.AuthorUnchecked, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActDeleteMessage, author: chat.AuthorSelf, want: [10]string{F, y, y, y, y, y, y, y, y, F}},
	{action: chat.ActDeleteMessage, author: chat.AuthorOther, want: [10]string{F, F, y, y, y, y, y, y, F, F}},
	// A link preview: only its sender removes it (muted too: it only takes away).
	{action: chat.ActRemovePreview, author: chat.AuthorSelf, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
	{action: chat.ActRemovePreview, author: chat.AuthorOther, want: [10]string{F, F, F, F, F, F, F, F, F, F}},
	// Bots (issue #16): a room's owners and workspace admins add and remove them.
	{action: chat.ActAddBotToRoom, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
	{action: chat.ActRemoveBotFromRoom, want: [10]string{F, F, y, F, F, y, F, y, F, F}},
}

// workspaceMatrix: the workspace actions, for a plain user, a workspace
// moderator and an admin.
var workspaceMatrix = map[chat.Action][3]string{
	chat.ActPing:                {y, y, y},
	chat.ActGetState:            {y, y, y},
	chat.ActListUsers:           {y, y, y},
	chat.ActUpdateProfile:       {y, y, y},
	chat.ActCreateChannel:       {y, y, y},
	chat.ActListChannels:        {y, y, y},
	chat.ActOpenDirect:          {y, y, y},
	chat.ActRequestAvatarUpload: {y, y, y},
	chat.ActRequestAvatarURL:    {y, y, y},
	chat.ActListReports:         {F, y, y},
	chat.ActResolveReport:       {F, y, y},
	chat.ActListAudit:           {F, F, y},
	chat.ActGetAnalytics:        {F, F, y},
	chat.ActSetPreferences:      {y, y, y},
	chat.ActAcceptTerms:         {y, y, y},
	chat.ActSetVisibility:       {y, y, y},
	chat.ActPushSubscribe:       {y, y, y},
	chat.ActPushUnsubscribe:     {y, y, y},
	chat.ActBlockUser:           {y, y, y},
	chat.ActUnblockUser:         {y, y, y},
	chat.ActListBlocked:         {y, y, y},
	chat.ActDeleteAccount:       {y, y, y},
	chat.ActDeleteUser:          {F, F, y},
	chat.ActListSaved:           {y, y, y},
	chat.ActListThreads:         {y, y, y},
	chat.ActListScheduled:       {y, y, y},
	chat.ActEditScheduled:       {y, y, y},
	chat.ActCancelScheduled:     {y, y, y},
	chat.ActSearchGifs:          {y, y, y},
	// Export my data (issue 15).
	chat.ActRequestExport:         {y, y, y},
	chat.ActExportStatus:          {y, y, y},
	chat.ActRequestExportDownload: {y, y, y},
	chat.ActExportUser:            {F, F, y},
	chat.ActGetWorkspaceSettings:  {y, y, y},
	chat.ActSetWorkspaceSettings:  {F, F, y},
	// Bots (issue #16).
	chat.ActCreateBot:      {F, F, y},
	chat.ActListBots:       {y, y, y},
	chat.ActRotateBotToken: {F, F, y},
	chat.ActDeleteBot:      {F, F, y},
	// Support widgets (issue #17).
	chat.ActCreateWidget:       {F, F, y},
	chat.ActUpdateWidget:       {F, F, y},
	chat.ActDeleteWidget:       {F, F, y},
	chat.ActListWidgets:        {F, F, y},
	chat.ActRotateWidgetSecret: {F, F, y},
}

var (
	publicRoom   = chat.Room{ID: "c_open", Kind: chat.KindPublic, Name: "open"}
	privateRoom  = chat.Room{ID: "c_secret", Kind: chat.KindPrivate, Name: "secret"}
	directRoom   = chat.Room{ID: "d_ab", Kind: chat.KindDirect}
	generalRoom  = chat.Room{ID: chat.GeneralRoomID, Kind: chat.KindPublic, Name: chat.GeneralRoomID}
	archivedRoom = chat.Room{ID: "c_old", Kind: chat.KindPublic, Name: "old", Archived: true}
)

func code(err error) string {
	if err == nil {
		return y
	}
	return string(chat.ErrorCode(err))
}

func answer(err error) string {
	if err == nil {
		return y
	}
	return string(chat.ErrorCode(err)) + ": " + chat.ErrorMessage(err)
}

func in(p persona, room chat.Room, author chat.Authorship) chat.Access {
	acc := p.acc
	acc.Room, acc.Author = room, author
	return acc
}

// TestPolicyMatrix runs every room action × persona in a public channel
// through chat.Authorize.
func TestPolicyMatrix(t *testing.T) {
	for _, row := range matrix {
		for i, p := range personas {
			got := code(chat.Authorize(row.action, in(p, publicRoom, row.author)))
			if got != row.want[i] {
				t.Errorf("%s (author=%d) by %s: got %s, want %s", row.action, row.author, p.name, got, row.want[i])
			}
		}
	}
	users := []chat.Access{{}, {Groups: []string{chat.GroupModerators}}, {Groups: []string{chat.GroupAdmins}}}
	for a, want := range workspaceMatrix {
		for i, acc := range users {
			if got := code(chat.Authorize(a, acc)); got != want[i] {
				t.Errorf("%s by %v: got %s, want %s", a, acc.Groups, got, want[i])
			}
		}
	}
}

// TestPolicyPinSetting: pinning opens to every member when the room
// allows it, and in direct rooms; an outsider stays out.
func TestPolicyPinSetting(t *testing.T) {
	open := publicRoom
	open.MembersCanPin = true
	member := chat.Access{Role: chat.RoleMember}
	if err := chat.Authorize(chat.ActPinMessage, chat.Access{Role: chat.RoleMember, Room: publicRoom}); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("member pins by default: %v", err)
	}
	for _, room := range []chat.Room{open, directRoom} {
		acc := member
		acc.Room = room
		if err := chat.Authorize(chat.ActPinMessage, acc); err != nil {
			t.Errorf("member pins in %s (membersCanPin=%v): %v", room.ID, room.MembersCanPin, err)
		}
		if err := chat.Authorize(chat.ActPinMessage, chat.Access{Room: room}); err == nil {
			t.Errorf("outsider pins in %s", room.ID)
		}
	}
	muted := chat.Access{Role: chat.RoleMember, Room: open, MutedUntil: mutedUntil}
	if err := chat.Authorize(chat.ActPinMessage, muted); err != nil {
		t.Errorf("a muted member may still pin when members may: %v", err)
	}
	if err := chat.Authorize(chat.ActReact, muted); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("a muted member reacts: %v", err)
	}
}

// TestPolicyByRoomKind: the answers that differ by the room's kind, and
// the refusals' wording.
func TestPolicyByRoomKind(t *testing.T) {
	p := func(name string) persona {
		for _, p := range personas {
			if p.name == name {
				return p
			}
		}
		t.Fatalf("no persona %q", name)
		return persona{}
	}
	cases := []struct {
		action chat.Action
		who    string
		room   chat.Room
		author chat.Authorship
		want   string
	}{
		// Private channels and direct rooms do not exist for outsiders.
		{chat.ActHistory, "outsider", privateRoom, 0, "not_found: room not found"},
		{chat.ActJoinChannel, "outsider", privateRoom, 0, "not_found: room not found"},
		{chat.ActHistory, "outsider", directRoom, 0, "not_found: room not found"},
		{chat.ActHistory, "outsider", publicRoom, 0, "forbidden: you are not a member of #open: join it first"},
		{chat.ActJoinChannel, "banned", publicRoom, 0, "forbidden: you are banned from #open"},
		// Workspace moderators see public channels only; admins all.
		{chat.ActMuteMember, "workspace moderator, not a member", privateRoom, 0, "not_found: room not found"},
		{chat.ActMuteMember, "admin, not a member", privateRoom, 0, y},
		{chat.ActDeleteMessage, "workspace moderator, not a member", privateRoom, chat.AuthorOther, "not_found: room not found"},
		// Inviting to a private channel is for its managers.
		{chat.ActInviteToChannel, "member", privateRoom, 0, "forbidden: only the channel's owners and moderators and workspace admins may invite people to a private channel"},
		{chat.ActInviteToChannel, "workspace moderator", privateRoom, 0, "forbidden: only the channel's owners and moderators and workspace admins may invite people to a private channel"},
		{chat.ActInviteToChannel, "owner", privateRoom, 0, y},
		{chat.ActInviteToChannel, "room moderator", privateRoom, 0, y},
		{chat.ActInviteToChannel, "admin, not a member", privateRoom, 0, y},
		{chat.ActUpdateChannel, "member", publicRoom, 0, "forbidden: only the channel's owners and moderators and workspace admins may change the channel"},
		{chat.ActSetMemberRole, "room moderator", publicRoom, 0, "forbidden: only the channel's owners and workspace admins may change members' roles"},
		{chat.ActSendMessage, "muted member", publicRoom, 0, "forbidden: you are muted here until 2030-01-01T12:00:00Z"},
		{chat.ActEditMessage, "member", publicRoom, chat.AuthorOther, "forbidden: you can only edit your own messages"},
		{chat.ActDeleteMessage, "member", publicRoom, chat.AuthorOther, "forbidden: you can only delete your own messages"},
		// Direct rooms.
		{chat.ActJoinChannel, "member", directRoom, 0, "invalid: direct conversations cannot be joined"},
		{chat.ActLeaveChannel, "member", directRoom, 0, "invalid: direct conversations cannot be left"},
		{chat.ActUpdateChannel, "owner", directRoom, 0, "invalid: direct conversations cannot be renamed"},
		{chat.ActInviteToChannel, "owner", directRoom, 0, "invalid: nobody can be added to a direct conversation: open a new one with everyone"},
		{chat.ActArchiveChannel, "owner", directRoom, 0, "invalid: direct conversations cannot be archived"},
		{chat.ActMuteMember, "admin", directRoom, 0, "invalid: direct conversations cannot be moderated"},
		{chat.ActBanMember, "admin", directRoom, 0, "invalid: direct conversations cannot be moderated"},
		{chat.ActDeleteMessage, "admin", directRoom, chat.AuthorOther, y},
		// #general.
		{chat.ActLeaveChannel, "member", generalRoom, 0, "invalid: everyone stays in #general"},
		{chat.ActRenameChannel, "admin", generalRoom, 0, "invalid: #general cannot be renamed"},
		{chat.ActUpdateChannel, "admin", generalRoom, 0, y},
		{chat.ActArchiveChannel, "admin", generalRoom, 0, "invalid: #general cannot be archived"},
		{chat.ActChangeKind, "admin", generalRoom, 0, "invalid: #general stays public"},
		{chat.ActChangeKind, "member", privateRoom, 0, "forbidden: only the channel's owners and moderators and workspace admins may make the channel public or private"},
		{chat.ActRemoveMember, "admin", generalRoom, 0, "invalid: everyone stays in #general: ban or mute instead"},
		{chat.ActBanMember, "admin", generalRoom, 0, "invalid: nobody is banned from #general: mute instead"},
		{chat.ActMuteMember, "workspace moderator", generalRoom, 0, y},
		// Archived channels are read-only.
		{chat.ActSendMessage, "owner", archivedRoom, 0, "forbidden: #old is archived: it is read-only"},
		{chat.ActJoinChannel, "outsider", archivedRoom, 0, "forbidden: #old is archived: it is read-only"},
		{chat.ActUpdateChannel, "owner", archivedRoom, 0, "forbidden: #old is archived: it is read-only"},
		{chat.ActHistory, "member", archivedRoom, 0, y},
		{chat.ActUnarchiveChannel, "owner", archivedRoom, 0, y},
		{chat.ActDeleteMessage, "room moderator", archivedRoom, chat.AuthorOther, y},
	}
	for _, c := range cases {
		got := answer(chat.Authorize(c.action, in(p(c.who), c.room, c.author)))
		if got != c.want {
			t.Errorf("%s by %s in %s: got %q, want %q", c.action, c.who, c.room.ID, got, c.want)
		}
	}
}

// Only owners and admins act on an owner; the last owner cannot leave.
func TestPolicyOwnersAndTargets(t *testing.T) {
	mod := chat.Access{Role: chat.RoleModerator, Room: publicRoom, Target: chat.RoleOwner}
	if got := answer(chat.Authorize(chat.ActBanMember, mod)); got != "forbidden: only an owner or a workspace admin can act on an owner" {
		t.Errorf("moderator bans owner: %s", got)
	}
	for _, a := range []chat.Access{
		{Role: chat.RoleOwner, Room: publicRoom, Target: chat.RoleOwner},
		{Groups: []string{chat.GroupAdmins}, Room: publicRoom, Target: chat.RoleOwner},
	} {
		if err := chat.Authorize(chat.ActMuteMember, a); err != nil {
			t.Errorf("%v mutes owner: %v", a, err)
		}
	}
	last := chat.Access{Role: chat.RoleOwner, Room: publicRoom, LastOwner: true}
	if got := answer(chat.Authorize(chat.ActLeaveChannel, last)); got != "invalid: you are the last owner: make someone else an owner before you leave" {
		t.Errorf("last owner leaves: %s", got)
	}
}

// An invitation lets its invitee (not a member) accept or decline it; a
// private channel stays invisible to everyone else, and a ban wins.
func TestPolicyInvites(t *testing.T) {
	for _, a := range []chat.Action{chat.ActAcceptInvite, chat.ActDeclineInvite} {
		if err := chat.Authorize(a, chat.Access{Room: privateRoom, Invited: true}); err != nil {
			t.Errorf("%s invited: %v", a, err)
		}
		if got := answer(chat.Authorize(a, chat.Access{Room: privateRoom})); got != "not_found: room not found" {
			t.Errorf("%s without an invitation: %s", a, got)
		}
		if got := code(chat.Authorize(a, chat.Access{Room: privateRoom, Invited: true, Banned: true})); got != N {
			t.Errorf("%s invited but banned: %s", a, got)
		}
	}
	if got := code(chat.Authorize(chat.ActAcceptInvite, chat.Access{Room: chat.Room{ID: "c_x", Kind: chat.KindPrivate, Name: "x", Archived: true}, Invited: true})); got != F {
		t.Errorf("accept into an archived channel: %s", got)
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
// and every rule is in the matrix above.
func TestPolicyCoversEveryAction(t *testing.T) {
	known := chat.Actions()
	for _, a := range protocol.Actions {
		if !slices.Contains(known, chat.Action(a)) {
			t.Errorf("protocol action %q has no access rule in chat/policy.go", a)
		}
	}
	var tested []chat.Action
	for a := range workspaceMatrix {
		tested = append(tested, a)
	}
	tested = append(tested, adminActions...)
	for _, row := range matrix {
		tested = append(tested, row.action)
		if !chat.IsRoomAction(row.action) {
			t.Errorf("%s is in the room matrix but is not a room action", row.action)
		}
	}
	for _, a := range known {
		if !slices.Contains(tested, a) {
			t.Errorf("policy action %q is not in the matrix test", a)
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
	if want := directGoneDocTable(); !strings.Contains(string(doc), want) {
		t.Errorf("docs/ARCHITECTURE.md does not contain the read-only direct conversation's table; it should read:\n%s", want)
	}
}

// policyDocTable renders the policy as markdown: one row per action, one
// column per persona (in a public channel), each cell "yes" or the
// refusal's code.
func policyDocTable() string {
	var b strings.Builder
	b.WriteString("| Action (public channel) |")
	for _, p := range personas {
		b.WriteString(" " + p.name + " |")
	}
	b.WriteString("\n|---|")
	for range personas {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	cell := func(err error) string {
		if err == nil {
			return "yes"
		}
		return "no (" + string(chat.ErrorCode(err)) + ")"
	}
	ws := make([]chat.Action, 0, len(workspaceMatrix))
	for a := range workspaceMatrix {
		ws = append(ws, a)
	}
	slices.Sort(ws)
	for _, a := range ws {
		label := "`" + string(a) + "` (workspace)"
		if a == chat.ActOpenDirect {
			label = "`openDirect` (new room)"
		}
		fmt.Fprintf(&b, "| %s |", label)
		for _, p := range personas {
			b.WriteString(" " + cell(chat.Authorize(a, chat.Access{Groups: p.acc.Groups})) + " |")
		}
		b.WriteString("\n")
	}
	for _, row := range matrix {
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
		if row.action == chat.ActChangeKind {
			label += " (updateChannel with private)"
		}
		fmt.Fprintf(&b, "| %s |", label)
		for _, p := range personas {
			b.WriteString(" " + cell(chat.Authorize(row.action, in(p, publicRoom, row.author))) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// goneDM: a 1:1 direct conversation whose other member deleted their
// account, as the policy sees it (the service counts them: DirectGone).
var goneDM = chat.Room{ID: "d_gone", Kind: chat.KindDirect, MemberIDs: []string{"me", "ada"}}

// directGoneWant: every room action's answer to a member of goneDM acting
// on their own message ("ok" or the refusal's code). Every write is
// read_only; what only reads, or only takes away one's own (deleting
// one's message), stays.
var directGoneWant = map[chat.Action]string{
	chat.ActSendMessage: "read_only", chat.ActEditMessage: "read_only", chat.ActReact: "read_only",
	chat.ActPinMessage: "read_only", chat.ActVote: "read_only", chat.ActCreatePoll: "read_only",
	chat.ActClosePoll: "read_only", chat.ActScheduleMessage: "read_only", chat.ActRequestUpload: "read_only",
	chat.ActRemovePreview: "read_only", chat.ActRunCommand: "read_only",
	// Not for direct rooms at all (invalid comes first).
	chat.ActJoinChannel: I, chat.ActLeaveChannel: I, chat.ActInviteToChannel: I, chat.ActUpdateChannel: I,
	chat.ActRenameChannel: I, chat.ActChangeKind: I, chat.ActArchiveChannel: I, chat.ActUnarchiveChannel: I,
	chat.ActDeleteChannel: I, chat.ActSetMemberRole: I, chat.ActMuteMember: I, chat.ActUnmuteMember: I,
	chat.ActRemoveMember: I, chat.ActBanMember: I, chat.ActUnbanMember: I, chat.ActListBans: I,
	chat.ActAcceptInvite: I, chat.ActDeclineInvite: I,
	// Integrations (issue 16) are not for direct rooms either.
	chat.ActAddBotToRoom: I, chat.ActRemoveBotFromRoom: I, chat.ActCreateWebhook: I, chat.ActListWebhooks: I,
	chat.ActRotateWebhookSecret: I, chat.ActRevokeWebhook: I, chat.ActRegisterCommand: I, chat.ActDeleteCommand: I,
	chat.ActRegisterOutgoingWebhook: I, chat.ActDeleteOutgoingWebhook: I,
	// setRoomRetention: a direct room's members are its "members", not managers.
	chat.ActSetRoomRetention: F,
}

// directGoneRow is one room action's answer in goneDM.
func directGoneRow(a chat.Action, gone int) string {
	acc := chat.Access{Role: chat.RoleMember, Room: goneDM, Author: chat.AuthorSelf, DirectGone: gone}
	return code(chat.Authorize(a, acc))
}

// TestPolicyDirectWithDeletedPartner: in a direct conversation whose other
// person deleted their account every write is refused read_only (the
// same actions answer as before when the partner is there), and the rows
// that decide it are exactly the ones DirectGoneMatters names.
func TestPolicyDirectWithDeletedPartner(t *testing.T) {
	for _, a := range chat.Actions() {
		if !chat.IsRoomAction(a) || a == chat.ActOpenDirect {
			continue
		}
		want, ok := directGoneWant[a]
		if !ok {
			want = y
		}
		if got := directGoneRow(a, 1); got != want {
			t.Errorf("%s in a DM with a deleted partner: %s, want %s", a, got, want)
		}
		live := directGoneRow(a, 0)
		if want == "read_only" && live != y {
			t.Errorf("%s in a DM with its partner: %s, want ok", a, live)
		}
		if want != "read_only" && live != want {
			t.Errorf("%s answers %s with the partner, %s without: only writes change", a, live, want)
		}
		if want == "read_only" && !chat.DirectGoneMatters(a) {
			t.Errorf("%s is refused read_only but DirectGoneMatters says the service need not read the profiles", a)
		}
	}
	err := chat.Authorize(chat.ActReact, chat.Access{Role: chat.RoleMember, Room: chat.Room{ID: "d_g", Kind: chat.KindDirect, MemberIDs: []string{"me", "a", "b"}}, DirectGone: 2})
	if chat.ErrorCode(err) != chat.ReadOnly || !strings.Contains(err.Error(), "everyone else deleted their account: this conversation is read-only") {
		t.Errorf("group: %v", err)
	}
	// DirectGone means nothing outside a direct room.
	if err := chat.Authorize(chat.ActSendMessage, chat.Access{Role: chat.RoleMember, Room: publicRoom, DirectGone: 1}); err != nil {
		t.Errorf("public channel: %v", err)
	}
}

// directGoneDocTable renders TestPolicyDirectWithDeletedPartner's answers
// as markdown, for docs/ARCHITECTURE.md: the room actions whose answer in
// a direct room is not the same with the partner gone.
func directGoneDocTable() string {
	var b strings.Builder
	b.WriteString("| Action (direct conversation, own message) | partner there | partner deleted their account |\n|---|---|---|\n")
	cell := func(c string) string {
		if c == y {
			return "yes"
		}
		return "no (" + c + ")"
	}
	for _, a := range chat.Actions() {
		if !chat.IsRoomAction(a) || a == chat.ActOpenDirect {
			continue
		}
		live, gone := directGoneRow(a, 0), directGoneRow(a, 1)
		if live == gone && live != y {
			continue // not for direct rooms either way
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a, cell(live), cell(gone))
	}
	return b.String()
}
