package chat

import (
	"fmt"
	"slices"
	"time"
)

// The access policy: the one place that decides who may do what. Every use
// case asks Authorize before it acts; nothing in internal/service decides
// access inline. It reads no store: the caller (the service) loads what
// the policy reads (the caller's membership, the room, the message) and
// hands it over as an Access.
//
// The rules (docs/ARCHITECTURE.md shows them as a table rendered from
// Authorize itself, and docs/PROTOCOL.md summarises them):
//   - Workspace actions (listings, profiles, creating channels, opening
//     direct conversations) are open to every signed-in user, except the
//     moderation queue (workspace moderators and admins), the audit log
//     and managing people (the admin console: admins).
//   - Room actions are for the room's members. A non-member of a public
//     channel is refused Forbidden with a hint to join; of a private
//     channel or direct room NotFound, exactly as for a room that does not
//     exist, so ids cannot be probed. Workspace admins may act as staff in
//     any room, workspace moderators in the public channels they can see
//     (moderation actions only).
//   - joinChannel is the one room action open to non-members, of public
//     channels only, and not to people banned from the channel; an
//     invitation to a private channel is accepted or declined by its
//     invitee (acceptInvite, declineInvite), who is not a member yet.
//   - Deleting a channel (its messages, members and files) is for
//     workspace admins only.
//   - Managing a channel (renaming it, its topic, archiving it, setting
//     members' roles, inviting to a private channel) is for its owners and
//     moderators and workspace admins; setting roles is for owners and
//     admins. Moderating (deleting others' messages, muting, removing,
//     banning) is for owners, room moderators, workspace moderators and
//     admins; only owners and admins act on an owner.
//   - A muted member cannot send, edit or upload until the mute ends; an
//     archived channel is read-only.
//   - Reacting is for members who may send (not muted, not in an archived
//     channel); pinning for owners, moderators and workspace admins, or
//     every member when the room allows it (and in direct rooms); listing
//     pins, saving a message and reading its earlier versions for
//     members; the saved list is the caller's own.
//   - Polls: creating one is sending; voting is for members who may send;
//     closing is for the poll's author and the room's managers.
//   - A direct conversation whose every other member deleted their
//     account is read-only: every write (the rows marked writes: sending,
//     thread replies, polls and votes, scheduling, editing, reacting,
//     pinning, removing a preview, uploading) is refused ReadOnly; reading,
//     marking read, saving, reminders and deleting one's own messages
//     stay.
//   - The last owner cannot leave before handing ownership on.
//   - Direct rooms cannot be joined, left, renamed, invited to, archived
//     or moderated; nobody leaves or renames #general.
//
// Not here: checks that an object key named in a payload fits the request
// (an attachment must be a file the sender uploaded to that room, a
// download's key must be of the room asked about, an avatar key must be in
// the caller's own folder). They validate the payload against the request
// and stay in the service beside the key parsing; who may act in the room
// at all is decided here first.

// Action is what a caller wants to do. The values are the protocol's
// action names (internal/protocol), plus ActRenameChannel, which is the
// name half of updateChannel.
type Action string

const (
	// Workspace actions. (wsapi answers ping before reading the store; it
	// has a row so that every protocol action has one.)
	ActPing                Action = "ping"
	ActGetState            Action = "getState"
	ActListUsers           Action = "listUsers"
	ActUpdateProfile       Action = "updateProfile"
	ActCreateChannel       Action = "createChannel"
	ActListChannels        Action = "listChannels"
	ActRequestAvatarUpload Action = "requestAvatarUpload"
	ActRequestAvatarURL    Action = "requestAvatarUrl"
	// The moderation queue and the audit log.
	ActListReports   Action = "listReports"
	ActResolveReport Action = "resolveReport"
	ActListAudit     Action = "listAudit"
	// Usage analytics (issue 16).
	ActGetAnalytics Action = "getAnalytics"
	// ActOpenDirect is a workspace action when it creates the room; when the
	// room exists already, it is a room action (members only).
	ActOpenDirect Action = "openDirect"

	// Room actions.
	ActJoinChannel     Action = "joinChannel"
	ActLeaveChannel    Action = "leaveChannel"
	ActInviteToChannel Action = "inviteToChannel"
	ActUpdateChannel   Action = "updateChannel"
	// ActRenameChannel is asked besides ActUpdateChannel when the update
	// changes the room's name.
	ActRenameChannel Action = "renameChannel"
	// ActChangeKind is asked besides ActUpdateChannel when the update makes
	// a channel public or private.
	ActChangeKind  Action = "changeKind"
	ActListMembers Action = "listMembers"
	ActSendMessage Action = "sendMessage"
	ActHistory     Action = "history"
	ActResume      Action = "resume"
	// ActSearch is asked per room of a search: the rooms searched are the
	// caller's rooms it allows, judged at query time.
	ActSearch          Action = "search"
	ActTyping          Action = "typing"
	ActMarkRead        Action = "markRead"
	ActRequestUpload   Action = "requestUpload"
	ActRequestDownload Action = "requestDownload"

	// Managing and moderating a room.
	ActArchiveChannel   Action = "archiveChannel"
	ActUnarchiveChannel Action = "unarchiveChannel"
	ActDeleteChannel    Action = "deleteChannel"
	ActSetMemberRole    Action = "setMemberRole"
	ActMuteMember       Action = "muteMember"
	ActUnmuteMember     Action = "unmuteMember"
	ActRemoveMember     Action = "removeMember"
	ActBanMember        Action = "banMember"
	ActUnbanMember      Action = "unbanMember"
	ActListBans         Action = "listBans"
	// An invitation to a private channel, by its invitee.
	ActAcceptInvite  Action = "acceptInvite"
	ActDeclineInvite Action = "declineInvite"

	// Message actions: room actions on one message.
	ActEditMessage   Action = "editMessage"
	ActDeleteMessage Action = "deleteMessage"
	ActReportMessage Action = "reportMessage"

	// Conversations: reactions, pins, saved messages, edit history.
	ActReact           Action = "react"
	ActPinMessage      Action = "pinMessage"
	ActListPins        Action = "listPins"
	ActSaveMessage     Action = "saveMessage"
	ActMessageVersions Action = "messageVersions"
	// ActRemovePreview: the sender removes a link preview of their message.
	ActRemovePreview Action = "removePreview"
	// ActListSaved is a workspace action: the caller's own saved list
	// (each message in it is shown only while its room is still theirs).
	ActListSaved Action = "listSaved"
	// ActSearchGifs is a workspace action: searching the GIF provider.
	ActSearchGifs Action = "searchGifs"

	// Polls: creating one is sending a message; voting is for members who
	// may send (as reacting); closing is for the poll's author and the
	// room's managers (owners, room moderators, workspace admins).
	ActCreatePoll Action = "createPoll"
	ActVote       Action = "vote"
	ActClosePoll  Action = "closePoll"
	// Threads: reading a thread, following it and its read position are
	// for members; listThreads is the caller's own list.
	ActThreadHistory  Action = "threadHistory"
	ActFollowThread   Action = "followThread"
	ActMarkThreadRead Action = "markThreadRead"
	ActListThreads    Action = "listThreads"
	// Scheduled messages and reminders: scheduling a message is checked
	// as a send (and checked again as one at its time); a reminder is
	// about a message of a room the caller is in; the list, edits and
	// cancels are of the caller's own items.
	ActScheduleMessage Action = "scheduleMessage"
	ActRemindMe        Action = "remindMe"
	ActListScheduled   Action = "listScheduled"
	ActEditScheduled   Action = "editScheduled"
	ActCancelScheduled Action = "cancelScheduled"

	// Managing people (the admin console): workspace admins only.
	ActListPeople       Action = "listPeople"
	ActInvitePerson     Action = "invitePerson"
	ActSetWorkspaceRole Action = "setWorkspaceRole"
	ActDeactivatePerson Action = "deactivatePerson"
	ActReactivatePerson Action = "reactivatePerson"

	// Notifications (issue #13): the caller's own preferences, tab
	// visibility and push subscriptions (workspace actions), and a room's
	// notification level (a room action: members only).
	ActSetPreferences  Action = "setPreferences"
	ActSetVisibility   Action = "setVisibility"
	ActPushSubscribe   Action = "pushSubscribe"
	ActPushUnsubscribe Action = "pushUnsubscribe"
	ActSetRoomNotify   Action = "setRoomNotify"

	// Blocking (issue #15): the caller's own block list (workspace
	// actions; the privacy settings go through setPreferences).
	ActBlockUser   Action = "blockUser"
	ActUnblockUser Action = "unblockUser"
	ActListBlocked Action = "listBlocked"
	// Export my data (issue 15): asking, the status and the download are
	// the caller's own (an admin downloads only an export they asked
	// for); exporting another person's data is for workspace admins.
	ActRequestExport         Action = "requestExport"
	ActExportStatus          Action = "exportStatus"
	ActRequestExportDownload Action = "requestExportDownload"
	ActExportUser            Action = "exportUser"
	// Account deletion (issue #15): a person deletes their own account
	// (workspace: anyone signed in, about themselves only); an admin
	// deletes someone else's.
	ActDeleteAccount Action = "deleteAccount"
	ActDeleteUser    Action = "deleteUser"
	// Retention (issue 15): everyone reads the workspace's settings (the
	// rooms show what they keep); admins change them; a room's managers
	// change the room's retention.
	ActGetWorkspaceSettings Action = "getWorkspaceSettings"
	ActSetWorkspaceSettings Action = "setWorkspaceSettings"
	ActSetRoomRetention     Action = "setRoomRetention"
	// Terms (issue #15): the caller accepts the current terms.
	ActAcceptTerms Action = "acceptTerms"

	// Bot accounts (issue #16): admins manage them (everyone may list
	// them: names and ids, never tokens); a room's owners and workspace
	// admins add a bot to the room and remove it.
	ActCreateBot         Action = "createBot"
	ActListBots          Action = "listBots"
	ActRotateBotToken    Action = "rotateBotToken"
	ActDeleteBot         Action = "deleteBot"
	ActAddBotToRoom      Action = "addBotToRoom"
	ActRemoveBotFromRoom Action = "removeBotFromRoom"

	// Calls (issue #18): starting one is for members who may write (not
	// muted, not in an archived or read-only room); joining and declining
	// for members; signalling, media changes, heartbeats and ICE servers
	// for the call's participants (Access.InCall: the caller's connection
	// is in the call), who must still be members.
	ActStartCall     Action = "startCall"
	ActJoinCall      Action = "joinCall"
	ActLeaveCall     Action = "leaveCall"
	ActDeclineCall   Action = "declineCall"
	ActCallSignal    Action = "callSignal"
	ActSetCallMedia  Action = "setCallMedia"
	ActCallHeartbeat Action = "callHeartbeat"
	ActGetIceServers Action = "getIceServers"

	// End-to-end encryption (issue #19): each person manages their own
	// keys (workspace actions; the service checks device ownership and,
	// for deviceMessage, a shared encrypted room); room keys are shared
	// and read by the room's members.
	ActRegisterDevice Action = "registerDevice"
	ActSetIdentityKey Action = "setIdentityKey"
	ActSignDevice     Action = "signDevice"
	ActListDevices    Action = "listDevices"
	ActRemoveDevice   Action = "removeDevice"
	ActGetUserKeys    Action = "getUserKeys"
	ActSetKeyBackup   Action = "setKeyBackup"
	ActGetKeyBackup   Action = "getKeyBackup"
	ActPutBackupKeys  Action = "putBackupKeys"
	ActGetBackupKeys  Action = "getBackupKeys"
	ActDeviceMessage  Action = "deviceMessage"
	ActShareRoomKeys  Action = "shareRoomKeys"
	ActGetRoomKeys    Action = "getRoomKeys"
)

// Workspace groups: from the verified token (Cognito groups), stored with
// the connection.
const (
	GroupAdmins     = "admins"
	GroupModerators = "moderators"
)

// Authorship says whether the caller wrote the message a message action is
// about.
type Authorship int

const (
	// AuthorUnchecked: the message is not loaded yet; only the room's
	// rules are checked (the service asks again once it has the message).
	AuthorUnchecked Authorship = iota
	AuthorSelf
	AuthorOther
)

// Access is what the policy decides from.
type Access struct {
	// Groups are the caller's workspace groups (Identity.Groups).
	Groups []string
	// Role is the caller's role in Room; "" when not a member.
	Role Role
	// Room is the room acted in; zero for workspace actions. For a member,
	// the service may pass only the room's ID when RoomKindMatters says the
	// action's rules do not depend on the room.
	Room Room
	// Author is about the message of a message action.
	Author Authorship
	// MutedUntil is set (non-zero) while the caller is muted in Room.
	MutedUntil time.Time
	// Banned: the caller is banned from Room.
	Banned bool
	// LastOwner: the caller is Room's only owner.
	LastOwner bool
	// Invited: the caller holds an invitation to Room.
	Invited bool
	// DirectGone is, in a direct room whose every other member deleted
	// their account, how many other members it has (1: a 1:1 DM); 0
	// otherwise (chat.DirectGone). Such a room takes no writes: ReadOnly.
	DirectGone int
	// Target is the role in Room of the member an action is about
	// (setMemberRole, mute, remove, ban); "" when not a member or none.
	Target Role
	// UserID is the caller's (a visitor acts only in the support rooms
	// whose visitor it is).
	UserID string
	// Support is the caller's place in customer support (support.go).
	Support SupportAccess
	// InCall: the caller's connection is a participant of the call a call
	// action is about (calls.go).
	InCall bool
}

// InGroup says whether the caller belongs to workspace group g.
func (a Access) InGroup(g string) bool { return slices.Contains(a.Groups, g) }

// level is who among a room's members (and the workspace's staff) may do
// an action.
type level int

const (
	anyMember level = iota
	// manager: the room's owners and moderators, workspace admins.
	manager
	// moderator: managers and workspace moderators.
	moderator
	// ownerLevel: the room's owners, workspace admins.
	ownerLevel
	// adminLevel: workspace admins only.
	adminLevel
)

// rule is one action's row of the policy.
type rule struct {
	room            bool                // a room action: members only (but see joinPublic and staff)
	joinPublic      bool                // non-members of a public channel are allowed too
	notInKind       map[RoomKind]string // refused (Invalid) to members in rooms of these kinds
	notInGeneral    string              // refused (Invalid) to members of #general
	authorOnly      string              // message action: only the author, "you can only <verb> your own messages"
	creates         bool                // without a room (Access.Room.ID ""), a workspace action that creates it
	level           level               // who among the members
	verb            string              // for the refusal: "only … may <verb>"
	privateLevel    level               // the level in private channels, when higher
	modOverride     bool                // moderators may act on others' messages (authorOnly)
	managerOverride bool                // managers (not workspace moderators) may act on others' messages (authorOnly)
	staff           bool                // workspace staff may act as non-members (admins anywhere, moderators in public channels)
	writes          bool                // refused in archived rooms and in direct rooms with nobody left (DirectGone)
	mutes           bool                // refused to muted members
	groups          []string            // workspace action: only these groups
	lastOwner       string              // refused (Invalid) to the last owner
	targets         bool                // acts on another member: only owners and admins act on owners
	invitedOK       bool                // non-members holding an invitation are allowed
	roomOpens       bool                // every member may, when the room says so (Room.MembersCanPin) and in direct rooms
	support         bool                // support rooms only (KindSupport)
	agents          bool                // support agents (of the conversation's team in a room; of any team for a workspace action) and admins
	leads           bool                // with groups: the team's leads too (Access.Support.Lead)
	visitorOnly     bool                // visitors only
	inCall          bool                // only the call's participants (Access.InCall)
	botOnly         bool                // bots only (GroupBots)
}

// botActions are the actions a bot (an identity in GroupBots) may do: read
// and write in the rooms it was added to, as a plain member, and the
// workspace reads its client needs. Every other action is refused to bots.
var botActions = map[Action]bool{
	ActPing: true, ActGetState: true, ActListMembers: true,
	ActSendMessage: true, ActEditMessage: true, ActDeleteMessage: true,
	ActHistory: true, ActResume: true, ActTyping: true, ActMarkRead: true,
	ActReact: true, ActThreadHistory: true,
	// Scheduling is sending later (checked again as a send at its time):
	// a bot's reminders (functions/samplebot).
	ActScheduleMessage: true,
}

// BotMay says whether bots may do a at all (in a room, only as its member).
func BotMay(a Action) bool { return botActions[a] }

var admins = rule{groups: []string{GroupAdmins}, verb: "do this"}

var workspace = rule{}

var member = rule{room: true}

var noDirect = func(what string) map[RoomKind]string {
	return map[RoomKind]string{KindDirect: "direct conversations cannot be " + what}
}

// Incoming webhooks (issue 16): the room's owners and workspace admins
// manage them, in channels only.
const (
	ActCreateWebhook       Action = "createWebhook"
	ActListWebhooks        Action = "listWebhooks"
	ActRotateWebhookSecret Action = "rotateWebhookSecret"
	ActRevokeWebhook       Action = "revokeWebhook"
)

var webhookRule = rule{room: true, staff: true, level: ownerLevel, verb: "manage the room's webhooks", notInKind: noDirect("given webhooks")}

var rules = map[Action]rule{
	ActCreateWebhook:       {room: true, writes: true, staff: true, level: ownerLevel, verb: "manage the room's webhooks", notInKind: noDirect("given webhooks")},
	ActListWebhooks:        webhookRule,
	ActRotateWebhookSecret: webhookRule,
	ActRevokeWebhook:       webhookRule,
	ActPing:                workspace,
	ActGetState:            workspace,
	ActListUsers:           workspace,
	ActUpdateProfile:       workspace,
	ActCreateChannel:       workspace,
	ActListChannels:        workspace,
	ActRequestAvatarUpload: workspace,
	ActRequestAvatarURL:    workspace,
	ActOpenDirect:          {room: true, creates: true}, // see ActOpenDirect
	ActListReports:         {groups: []string{GroupModerators, GroupAdmins}, verb: "see the moderation queue"},
	ActResolveReport:       {groups: []string{GroupModerators, GroupAdmins}, verb: "resolve reports"},
	ActListAudit:           {groups: []string{GroupAdmins}, verb: "read the audit log"},
	ActGetAnalytics:        {groups: []string{GroupAdmins}, verb: "see usage analytics"},

	ActJoinChannel: {room: true, joinPublic: true, writes: true,
		notInKind: noDirect("joined")},
	ActLeaveChannel: {room: true,
		notInKind:    noDirect("left"),
		notInGeneral: "everyone stays in #general",
		lastOwner:    "you are the last owner: make someone else an owner before you leave"},
	ActInviteToChannel: {room: true, writes: true, staff: true, privateLevel: manager, verb: "invite people to a private channel",
		notInKind: map[RoomKind]string{KindDirect: "nobody can be added to a direct conversation: open a new one with everyone"}},
	ActUpdateChannel: {room: true, writes: true, staff: true, level: manager, verb: "change the channel",
		notInKind: noDirect("renamed")},
	ActRenameChannel: {room: true, writes: true, staff: true, level: manager, verb: "rename the channel",
		notInKind:    noDirect("renamed"),
		notInGeneral: "#general cannot be renamed"},
	ActChangeKind: {room: true, writes: true, staff: true, level: manager, verb: "make the channel public or private",
		notInKind:    noDirect("renamed"),
		notInGeneral: "#general stays public"},
	ActArchiveChannel: {room: true, staff: true, level: manager, verb: "archive the channel",
		notInKind:    noDirect("archived"),
		notInGeneral: "#general cannot be archived"},
	ActUnarchiveChannel: {room: true, staff: true, level: manager, verb: "unarchive the channel",
		notInKind: noDirect("archived")},
	ActDeleteChannel: {room: true, staff: true, level: adminLevel, verb: "delete a channel",
		notInKind:    noDirect("deleted"),
		notInGeneral: "#general cannot be deleted"},
	ActSetMemberRole: {room: true, writes: true, staff: true, level: ownerLevel, targets: true, verb: "change members' roles",
		notInKind: noDirect("moderated")},
	ActMuteMember:   {room: true, staff: true, level: moderator, targets: true, verb: "mute members", notInKind: noDirect("moderated")},
	ActUnmuteMember: {room: true, staff: true, level: moderator, targets: true, verb: "unmute members", notInKind: noDirect("moderated")},
	ActRemoveMember: {room: true, staff: true, level: moderator, targets: true, verb: "remove members",
		notInKind: noDirect("moderated"), notInGeneral: "everyone stays in #general: ban or mute instead"},
	ActBanMember: {room: true, staff: true, level: moderator, targets: true, verb: "ban members",
		notInKind: noDirect("moderated"), notInGeneral: "nobody is banned from #general: mute instead"},
	ActUnbanMember:     {room: true, staff: true, level: moderator, verb: "unban members", notInKind: noDirect("moderated")},
	ActListBans:        {room: true, staff: true, level: moderator, verb: "see who is banned", notInKind: noDirect("moderated")},
	ActListMembers:     {room: true, staff: true},
	ActSendMessage:     {room: true, writes: true, mutes: true},
	ActHistory:         member,
	ActResume:          member,
	ActSearch:          member,
	ActTyping:          member,
	ActMarkRead:        member,
	ActRequestUpload:   {room: true, writes: true, mutes: true},
	ActRequestDownload: member,

	ActEditMessage:   {room: true, authorOnly: "edit", writes: true, mutes: true},
	ActDeleteMessage: {room: true, authorOnly: "delete", modOverride: true, staff: true},
	ActReportMessage: member,

	ActReact:           {room: true, writes: true, mutes: true},
	ActPinMessage:      {room: true, writes: true, staff: true, level: manager, roomOpens: true, verb: "pin messages here"},
	ActListPins:        member,
	ActSaveMessage:     member,
	ActMessageVersions: member,
	ActRemovePreview:   {room: true, authorOnly: "remove previews of", writes: true},
	ActListSaved:       workspace,
	ActSearchGifs:      workspace,

	ActCreatePoll:      {room: true, writes: true, mutes: true},
	ActVote:            {room: true, writes: true, mutes: true},
	ActClosePoll:       {room: true, writes: true, staff: true, authorOnly: "close", managerOverride: true, verb: "close this poll"},
	ActThreadHistory:   member,
	ActFollowThread:    member,
	ActMarkThreadRead:  member,
	ActListThreads:     workspace,
	ActScheduleMessage: {room: true, writes: true, mutes: true},
	ActRemindMe:        member,
	ActListScheduled:   workspace,
	ActEditScheduled:   workspace,
	ActCancelScheduled: workspace,

	ActAcceptInvite:  {room: true, invitedOK: true, writes: true, notInKind: noDirect("joined")},
	ActDeclineInvite: {room: true, invitedOK: true, notInKind: noDirect("joined")},

	ActListPeople:       admins,
	ActInvitePerson:     admins,
	ActSetWorkspaceRole: admins,
	ActDeactivatePerson: admins,
	ActReactivatePerson: admins,

	ActSetPreferences:  workspace,
	ActSetVisibility:   workspace,
	ActPushSubscribe:   workspace,
	ActPushUnsubscribe: workspace,
	ActSetRoomNotify:   member,

	ActBlockUser:             workspace,
	ActUnblockUser:           workspace,
	ActListBlocked:           workspace,
	ActRequestExport:         workspace,
	ActExportStatus:          workspace,
	ActRequestExportDownload: workspace,
	ActExportUser:            {groups: []string{GroupAdmins}, verb: "export another person's data"},
	ActDeleteAccount:         workspace,
	ActDeleteUser:            admins,
	ActGetWorkspaceSettings:  workspace,
	ActSetWorkspaceSettings:  {groups: []string{GroupAdmins}, verb: "change the workspace settings"},
	ActSetRoomRetention:      {room: true, staff: true, level: manager, verb: "change how long this room keeps messages"},
	ActAcceptTerms:           workspace,

	ActCreateBot:         {groups: []string{GroupAdmins}, verb: "manage bots"},
	ActListBots:          workspace, // a room's owners pick the bot to add from it
	ActRotateBotToken:    {groups: []string{GroupAdmins}, verb: "manage bots"},
	ActDeleteBot:         {groups: []string{GroupAdmins}, verb: "manage bots"},
	ActAddBotToRoom:      {room: true, writes: true, staff: true, level: ownerLevel, verb: "add bots to this room", notInKind: map[RoomKind]string{KindDirect: "bots cannot be added to a direct conversation"}},
	ActRemoveBotFromRoom: {room: true, staff: true, level: ownerLevel, verb: "remove bots from this room", notInKind: noDirect("moderated")},

	ActCreateWidget:       {groups: []string{GroupAdmins}, verb: "manage support widgets"},
	ActUpdateWidget:       {groups: []string{GroupAdmins}, verb: "manage support widgets"},
	ActDeleteWidget:       {groups: []string{GroupAdmins}, verb: "manage support widgets"},
	ActListWidgets:        {groups: []string{GroupAdmins}, verb: "manage support widgets"},
	ActRotateWidgetSecret: {groups: []string{GroupAdmins}, verb: "manage support widgets"},
	ActStartCall:          {room: true, writes: true, mutes: true},
	ActJoinCall:           member,
	ActLeaveCall:          member,
	ActDeclineCall:        member,
	ActCallSignal:         inCall,
	ActSetCallMedia:       inCall,
	ActCallHeartbeat:      inCall,
	ActGetIceServers:      inCall,
	ActRegisterDevice:     workspace,
	ActSetIdentityKey:     workspace,
	ActSignDevice:         workspace,
	ActListDevices:        workspace,
	ActRemoveDevice:       workspace,
	ActGetUserKeys:        workspace,
	ActSetKeyBackup:       workspace,
	ActGetKeyBackup:       workspace,
	ActPutBackupKeys:      workspace,
	ActGetBackupKeys:      workspace,
	ActDeviceMessage:      workspace,
	ActShareRoomKeys:      member,
	ActGetRoomKeys:        member,
}

// inCall: a call's participants (who are members of its room).
var inCall = rule{room: true, inCall: true}

// Actions lists every action the policy knows, for table tests and docs.
func Actions() []Action {
	out := make([]Action, 0, len(rules))
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// IsRoomAction says whether a acts in a room (and so needs Access.Room and
// Access.Role), as opposed to the workspace.
func IsRoomAction(a Action) bool { return rules[a].room }

// RoomKindMatters says whether a's answer for a member depends on the room
// itself (its kind, id or archived state), so the service must read the
// room even when the caller is a member. For a non-member the room is
// always needed.
func RoomKindMatters(a Action) bool {
	r := rules[a]
	return r.joinPublic || len(r.notInKind) > 0 || r.notInGeneral != "" || r.writes || r.privateLevel > r.level || r.invitedOK || r.roomOpens || r.support
}

// DirectGoneMatters says whether a's answer in a direct room depends on
// whether its other members deleted their accounts (Access.DirectGone),
// so the service must read their profiles: the writes.
func DirectGoneMatters(a Action) bool { return rules[a].writes }

// Authorize answers whether the caller described by acc may do a: nil
// when allowed, otherwise the *Error the use case returns (its code and
// client-safe message are the refusal).
func Authorize(a Action, acc Access) error {
	r, ok := rules[a]
	if !ok {
		return Wrap(fmt.Errorf("no access rule for action %q", a), "access check")
	}
	if acc.InGroup(GroupVisitors) {
		if err := visitorAccess(a, r, &acc); err != nil {
			return err
		}
	} else if r.visitorOnly {
		return Errorf(Forbidden, "only visitors may %s", r.verb)
	} else if r.botOnly && !acc.InGroup(GroupBots) {
		return Errorf(Forbidden, "only bots may %s", r.verb)
	} else if acc.InGroup(GroupBots) {
		if !botActions[a] {
			return Errorf(Forbidden, "bots may not use %s", a)
		}
		// A bot is a plain member of its rooms and nothing more: no
		// workspace group, no room role above member.
		role := acc.Role
		if role != "" {
			role = RoleMember
		}
		acc = Access{Groups: []string{GroupBots}, Role: role, Room: acc.Room, Author: acc.Author, MutedUntil: acc.MutedUntil, InCall: acc.InCall}
	}
	if !r.room {
		if r.agents && !acc.supportAgent() {
			return Errorf(Forbidden, "only support agents may %s", r.verb)
		}
		if len(r.groups) > 0 && !slices.ContainsFunc(r.groups, acc.InGroup) && !(r.leads && acc.Support.Lead) {
			if r.leads {
				return Errorf(Forbidden, "only workspace admins and the team's leads may %s", r.verb)
			}
			return Errorf(Forbidden, "only %s may %s", groupNames(r.groups), r.verb)
		}
		return nil
	}
	if r.creates && acc.Room.ID == "" {
		return nil
	}
	if acc.Role == "" {
		switch {
		case acc.Room.Kind == KindSupport && acc.supportAgent() && (r.agents || agentReads[a]):
		case r.joinPublic && acc.Room.Kind == KindPublic && acc.Banned:
			return Errorf(Forbidden, "you are banned from #%s", acc.Room.Name)
		case r.joinPublic && acc.Room.Kind == KindPublic:
		case r.staff && acc.staffOutside():
		case r.invitedOK && acc.Invited && !acc.Banned:
		default:
			return notMember(acc.Room)
		}
	}
	if msg, ok := r.notInKind[acc.Room.Kind]; ok {
		return Errorf(Invalid, "%s", msg)
	}
	if r.support && acc.Room.Kind != KindSupport {
		return Errorf(Invalid, "this is not a support conversation")
	}
	if acc.Room.Kind == KindSupport {
		if err := supportRoom(a, r, acc); err != nil {
			return err
		}
	}
	if r.notInGeneral != "" && acc.Room.ID == GeneralRoomID {
		return Errorf(Invalid, "%s", r.notInGeneral)
	}
	if r.writes && acc.Room.Archived {
		return Errorf(Forbidden, "#%s is archived: it is read-only", acc.Room.Name)
	}
	if r.writes && acc.DirectGone > 0 && acc.Room.Kind == KindDirect {
		return directReadOnly(acc.DirectGone)
	}
	lvl := r.level
	if acc.Room.Kind == KindPrivate && r.privateLevel > lvl {
		lvl = r.privateLevel
	}
	if r.roomOpens && (acc.Room.MembersCanPin || acc.Room.Kind == KindDirect) {
		lvl = anyMember
	}
	if !acc.atLevel(lvl) {
		return Errorf(Forbidden, "only %s may %s", levelNames[lvl], r.verb)
	}
	if r.targets && acc.Target == RoleOwner && !acc.atLevel(ownerLevel) {
		return Errorf(Forbidden, "only an owner or a workspace admin can act on an owner")
	}
	if r.mutes && !acc.MutedUntil.IsZero() {
		e := Errorf(Forbidden, "you are muted here until %s", acc.MutedUntil.UTC().Format(time.RFC3339))
		e.Until = acc.MutedUntil.UTC()
		return e
	}
	if r.authorOnly != "" && acc.Author == AuthorOther && !(r.modOverride && acc.atLevel(moderator)) && !(r.managerOverride && acc.atLevel(manager)) {
		if r.managerOverride {
			return Errorf(Forbidden, "only its author and %s may %s", levelNames[manager], r.verb)
		}
		return Errorf(Forbidden, "you can only %s your own messages", r.authorOnly)
	}
	if r.inCall && !acc.InCall {
		return Errorf(Forbidden, "you are not in this call: join it first")
	}
	if r.lastOwner != "" && acc.LastOwner && acc.Role == RoleOwner {
		return Errorf(Invalid, "%s", r.lastOwner)
	}
	return nil
}

// staffOutside says whether workspace staff may act in acc.Room without
// being a member: admins anywhere, moderators in public channels.
func (a Access) staffOutside() bool {
	return a.InGroup(GroupAdmins) || (a.InGroup(GroupModerators) && a.Room.Kind == KindPublic)
}

// atLevel says whether the caller is at least at level l in acc.Room.
func (a Access) atLevel(l level) bool {
	admin := a.InGroup(GroupAdmins)
	switch l {
	case manager:
		return admin || a.Role == RoleOwner || a.Role == RoleModerator
	case moderator:
		return admin || a.InGroup(GroupModerators) || a.Role == RoleOwner || a.Role == RoleModerator
	case ownerLevel:
		return admin || a.Role == RoleOwner
	case adminLevel:
		return admin
	}
	return true
}

var levelNames = map[level]string{
	anyMember:  "members",
	manager:    "the channel's owners and moderators and workspace admins",
	moderator:  "the channel's owners and moderators, workspace moderators and admins",
	ownerLevel: "the channel's owners and workspace admins",
	adminLevel: "workspace admins",
}

func groupNames(gs []string) string {
	if len(gs) == 1 && gs[0] == GroupAdmins {
		return "workspace admins"
	}
	return "workspace moderators and admins"
}

// notMember is the refusal of a room action to a non-member: Forbidden
// with a hint for a public channel (anyone may know it exists), NotFound
// otherwise, exactly as for a room that does not exist.
func notMember(room Room) error {
	if room.Kind == KindPublic {
		return Errorf(Forbidden, "you are not a member of #%s: join it first", room.Name)
	}
	return ErrRoomNotFound()
}

// ErrRoomNotFound is the answer for a room that does not exist, or that the
// caller may not know exists.
func ErrRoomNotFound() error { return Errorf(NotFound, "room not found") }
