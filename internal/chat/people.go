package chat

import (
	"context"
	"time"
)

// WorkspaceRole is a person's role in the whole workspace, kept as user
// pool group membership (admins, moderators; members are in neither).
type WorkspaceRole string

const (
	WorkspaceAdmin     WorkspaceRole = "admin"
	WorkspaceModerator WorkspaceRole = "moderator"
	WorkspaceMember    WorkspaceRole = "member"
)

// Valid reports whether r is one of the workspace roles.
func (r WorkspaceRole) Valid() bool {
	return r == WorkspaceAdmin || r == WorkspaceModerator || r == WorkspaceMember
}

// PersonStatus says whether a person can sign in.
type PersonStatus string

const (
	PersonActive      PersonStatus = "active"
	PersonInvited     PersonStatus = "invited"     // has a temporary password, never signed in
	PersonDeactivated PersonStatus = "deactivated" // disabled by an admin
)

// Person is a user pool account as the admin console sees it.
type Person struct {
	// UserID is the pool's sub: the chat's user id.
	UserID string `json:"userId"`
	// Username is the pool's username (the handle shown in the chat).
	Username string `json:"username"`
	// Handle is the chat handle of the person's profile ("" before their
	// first connect).
	Handle      string        `json:"handle,omitempty"`
	Email       string        `json:"email"`
	DisplayName string        `json:"displayName"`
	Role        WorkspaceRole `json:"role"`
	Status      PersonStatus  `json:"status"`
	CreatedAt   time.Time     `json:"createdAt,omitzero"`
}

// Directory manages the accounts of the user pool: internal/cognito.Admin
// implements it with the Cognito admin API. Usernames are the pool's.
type Directory interface {
	// ListPeople lists every account (invited, active, deactivated).
	ListPeople(ctx context.Context) ([]Person, error)
	// GetPerson reads one account; NotFound if there is none.
	GetPerson(ctx context.Context, username string) (Person, error)
	// Invite creates an account for email; the pool mails a temporary
	// password, which the invitee replaces at first sign-in. Conflict if
	// the email has an account already.
	Invite(ctx context.Context, email, displayName string) (Person, error)
	// SetRole puts the account in exactly the groups of role.
	SetRole(ctx context.Context, username string, role WorkspaceRole) error
	// Deactivate disables the account and revokes its refresh tokens
	// everywhere (AdminDisableUser, AdminUserGlobalSignOut).
	Deactivate(ctx context.Context, username string) error
	// Reactivate enables the account again.
	Reactivate(ctx context.Context, username string) error
}

// Closer closes a live connection from the server side (API Gateway's
// @connections DELETE); a connection already gone counts as closed.
type Closer interface {
	Disconnect(ctx context.Context, connectionID string) error
}
