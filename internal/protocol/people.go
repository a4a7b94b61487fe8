package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// People actions: the admin console (workspace admins only).
const (
	ActionListPeople       = "listPeople"
	ActionInvitePerson     = "invitePerson"
	ActionSetWorkspaceRole = "setWorkspaceRole"
	ActionDeactivatePerson = "deactivatePerson"
	ActionReactivatePerson = "reactivatePerson"
)

// People events.
const (
	EventPeople = "people"
	EventPerson = "person"
	// EventSignedOut is pushed to every connection of a person just before
	// the server closes it because they were deactivated.
	EventSignedOut = "signedOut"
)

// ListPeopleRequest searches the accounts: Query matches the email, the
// handle or the name, ignoring case; "" lists everyone.
type ListPeopleRequest struct {
	Query string `json:"query,omitempty"`
}

// InvitePersonRequest creates an account for Email; the pool mails a
// temporary password.
type InvitePersonRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"displayName,omitempty"`
}

// SetWorkspaceRoleRequest changes a person's workspace role.
type SetWorkspaceRoleRequest struct {
	Username string             `json:"username"`
	Role     chat.WorkspaceRole `json:"role"`
}

// PersonRequest names one account by its handle (the pool's username).
type PersonRequest struct {
	Username string `json:"username"`
}

// PeopleEvent answers listPeople.
type PeopleEvent struct {
	Head
	People []chat.Person `json:"people"`
}

// PersonEvent answers the actions that change one account, with the
// account as it is now.
type PersonEvent struct {
	Head
	Person chat.Person `json:"person"`
}

// SignedOutEvent tells a client its person was signed out by the server
// (Reason "deactivated"): stop reconnecting and show the sign-in screen.
type SignedOutEvent struct {
	Head
	Reason string `json:"reason"`
}
