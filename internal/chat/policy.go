package chat

import (
	"fmt"
	"slices"
)

// The access policy: the one place that decides who may do what. Every use
// case asks Authorize before it acts; nothing in internal/service decides
// access inline. It reads no store: the caller (the service) loads what
// the policy reads (the caller's membership, the room, the message) and
// hands it over as an Access.
//
// Today's rules, which the trust-and-safety issue will change:
//   - Workspace actions (listings, profiles, creating channels, opening
//     direct conversations) are open to every signed-in user.
//   - Room actions are for the room's members, whatever their role. A
//     non-member of a public channel is refused Forbidden with a hint to
//     join; of a private channel or direct room NotFound, exactly as for a
//     room that does not exist, so ids cannot be probed.
//   - joinChannel is the one room action open to non-members, of public
//     channels only.
//   - Direct rooms cannot be joined, left, renamed or invited to; nobody
//     leaves or renames #general.
//   - Only a message's author edits or deletes it.
//   - Workspace groups (admins, moderators) and room roles (owner,
//     moderator) grant nothing extra yet: they are inputs that change no
//     answer today.
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
	ActRenameChannel   Action = "renameChannel"
	ActListMembers     Action = "listMembers"
	ActSendMessage     Action = "sendMessage"
	ActHistory         Action = "history"
	ActResume          Action = "resume"
	ActTyping          Action = "typing"
	ActMarkRead        Action = "markRead"
	ActRequestUpload   Action = "requestUpload"
	ActRequestDownload Action = "requestDownload"

	// Message actions: room actions on one message.
	ActEditMessage   Action = "editMessage"
	ActDeleteMessage Action = "deleteMessage"

	// Managing people (the admin console): workspace admins only.
	ActListPeople       Action = "listPeople"
	ActInvitePerson     Action = "invitePerson"
	ActSetWorkspaceRole Action = "setWorkspaceRole"
	ActDeactivatePerson Action = "deactivatePerson"
	ActReactivatePerson Action = "reactivatePerson"
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
}

// InGroup says whether the caller belongs to workspace group g.
func (a Access) InGroup(g string) bool { return slices.Contains(a.Groups, g) }

// rule is one action's row of the policy.
type rule struct {
	room         bool                // a room action: members only (but see joinPublic)
	joinPublic   bool                // non-members of a public channel are allowed too
	notInKind    map[RoomKind]string // refused (Invalid) to members in rooms of these kinds
	notInGeneral string              // refused (Invalid) to members of #general
	authorOnly   string              // message action: only the author, "you can only <verb> your own messages"
	creates      bool                // without a room (Access.Room.ID ""), a workspace action that creates it
	group        string              // a workspace action for members of this group only (Forbidden otherwise)
}

var admins = rule{group: GroupAdmins}

var workspace = rule{}

var member = rule{room: true}

var rules = map[Action]rule{
	ActPing:                workspace,
	ActGetState:            workspace,
	ActListUsers:           workspace,
	ActUpdateProfile:       workspace,
	ActCreateChannel:       workspace,
	ActListChannels:        workspace,
	ActRequestAvatarUpload: workspace,
	ActRequestAvatarURL:    workspace,
	ActOpenDirect:          {room: true, creates: true}, // see ActOpenDirect

	ActJoinChannel: {room: true, joinPublic: true,
		notInKind: map[RoomKind]string{KindDirect: "direct conversations cannot be joined"}},
	ActLeaveChannel: {room: true,
		notInKind:    map[RoomKind]string{KindDirect: "direct conversations cannot be left"},
		notInGeneral: "everyone stays in #general"},
	ActInviteToChannel: {room: true,
		notInKind: map[RoomKind]string{KindDirect: "nobody can be added to a direct conversation: open a new one with everyone"}},
	ActUpdateChannel: {room: true,
		notInKind: map[RoomKind]string{KindDirect: "direct conversations cannot be renamed"}},
	ActRenameChannel: {room: true,
		notInKind:    map[RoomKind]string{KindDirect: "direct conversations cannot be renamed"},
		notInGeneral: "#general cannot be renamed"},
	ActListMembers:     member,
	ActSendMessage:     member,
	ActHistory:         member,
	ActResume:          member,
	ActTyping:          member,
	ActMarkRead:        member,
	ActRequestUpload:   member,
	ActRequestDownload: member,

	ActEditMessage:   {room: true, authorOnly: "edit"},
	ActDeleteMessage: {room: true, authorOnly: "delete"},

	ActListPeople:       admins,
	ActInvitePerson:     admins,
	ActSetWorkspaceRole: admins,
	ActDeactivatePerson: admins,
	ActReactivatePerson: admins,
}

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
// itself (its kind or id), so the service must read the room even when the
// caller is a member. For a non-member the room is always needed.
func RoomKindMatters(a Action) bool {
	r := rules[a]
	return r.joinPublic || len(r.notInKind) > 0 || r.notInGeneral != ""
}

// Authorize answers whether the caller described by acc may do a: nil
// when allowed, otherwise the *Error the use case returns (its code and
// client-safe message are the refusal).
func Authorize(a Action, acc Access) error {
	r, ok := rules[a]
	if !ok {
		return Wrap(fmt.Errorf("no access rule for action %q", a), "access check")
	}
	if r.group != "" && !acc.InGroup(r.group) {
		return Errorf(Forbidden, "only workspace %s may do this", r.group)
	}
	if !r.room || (r.creates && acc.Room.ID == "") {
		return nil
	}
	if acc.Role == "" {
		if r.joinPublic && acc.Room.Kind == KindPublic {
			return nil
		}
		return notMember(acc.Room)
	}
	if msg, ok := r.notInKind[acc.Room.Kind]; ok {
		return Errorf(Invalid, "%s", msg)
	}
	if r.notInGeneral != "" && acc.Room.ID == GeneralRoomID {
		return Errorf(Invalid, "%s", r.notInGeneral)
	}
	if r.authorOnly != "" && acc.Author == AuthorOther {
		return Errorf(Forbidden, "you can only %s your own messages", r.authorOnly)
	}
	return nil
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
