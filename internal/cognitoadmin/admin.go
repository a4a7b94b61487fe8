// Package cognitoadmin is the adapter over the Cognito user pool admin API
// (cognito-idp Admin* calls) behind chat.Directory: the admin console's
// list, invite, role, deactivate and reactivate.
//
// It lives apart from package cognito on purpose: that package verifies
// tokens in the authorizer, which must not link the Cognito SDK (its cold
// start is the sign-in path). The actions function, which runs the admin
// console, links this one; its IAM grants are exactly the calls below
// (see infra/chatstack).
//
// Locally, cognito-local 5.3.0 serves every call here but
// AdminUserGlobalSignOut, and does not refuse a disabled user's sign-in or
// refresh; internal/local/cognitoext is the stand-in in front of it that
// does both, and the real SDK client talks to it unchanged.
package cognitoadmin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// maxPages bounds ListUsers paging (60 accounts a page): the console is
// for workspaces of up to a few thousand people.
const maxPages = 100

// API is the part of the SDK client the adapter uses (the real
// *cognitoidentityprovider.Client satisfies it).
type API interface {
	ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	ListUsersInGroup(context.Context, *cip.ListUsersInGroupInput, ...func(*cip.Options)) (*cip.ListUsersInGroupOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminListGroupsForUser(context.Context, *cip.AdminListGroupsForUserInput, ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminAddUserToGroup(context.Context, *cip.AdminAddUserToGroupInput, ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminRemoveUserFromGroup(context.Context, *cip.AdminRemoveUserFromGroupInput, ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error)
	AdminDisableUser(context.Context, *cip.AdminDisableUserInput, ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	AdminEnableUser(context.Context, *cip.AdminEnableUserInput, ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error)
	AdminUserGlobalSignOut(context.Context, *cip.AdminUserGlobalSignOutInput, ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
}

// Admin manages one user pool's accounts.
type Admin struct {
	api    API
	poolID string
	// TemporaryPassword, when set, picks the invitee's temporary password
	// (tests read it back). Nil: Cognito generates one and mails it.
	TemporaryPassword func(email string) string
}

var _ chat.Directory = (*Admin)(nil)

// New returns the adapter for pool poolID.
func New(api API, poolID string) (*Admin, error) {
	if api == nil || poolID == "" {
		return nil, errors.New("cognitoadmin: client and pool id are required")
	}
	return &Admin{api: api, poolID: poolID}, nil
}

// NewFromConfig builds the SDK client from cfg (the endpoint follows
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER locally).
func NewFromConfig(cfg aws.Config, poolID string) (*Admin, error) {
	return New(cip.NewFromConfig(cfg), poolID)
}

// ListPeople pages through ListUsers and the two role groups.
func (a *Admin) ListPeople(ctx context.Context) ([]chat.Person, error) {
	admins, err := a.groupMembers(ctx, chat.GroupAdmins)
	if err != nil {
		return nil, err
	}
	mods, err := a.groupMembers(ctx, chat.GroupModerators)
	if err != nil {
		return nil, err
	}
	var out []chat.Person
	var token *string
	for range maxPages {
		page, err := a.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &a.poolID, Limit: aws.Int32(60), PaginationToken: token})
		if err != nil {
			return nil, classify(err, "list users")
		}
		for _, u := range page.Users {
			p := person(aws.ToString(u.Username), u.Attributes, u.Enabled, u.UserStatus, u.UserCreateDate)
			p.Role = roleOf(admins[p.Username], mods[p.Username])
			out = append(out, p)
		}
		if token = page.PaginationToken; aws.ToString(token) == "" {
			break
		}
	}
	return out, nil
}

// GetPerson reads one account and its groups.
func (a *Admin) GetPerson(ctx context.Context, username string) (chat.Person, error) {
	u, err := a.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &a.poolID, Username: &username})
	if err != nil {
		return chat.Person{}, classify(err, "get user")
	}
	p := person(aws.ToString(u.Username), u.UserAttributes, u.Enabled, u.UserStatus, u.UserCreateDate)
	groups, err := a.api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &a.poolID, Username: u.Username, Limit: aws.Int32(60)})
	if err != nil {
		return chat.Person{}, classify(err, "list groups")
	}
	var admin, mod bool
	for _, g := range groups.Groups {
		admin = admin || aws.ToString(g.GroupName) == chat.GroupAdmins
		mod = mod || aws.ToString(g.GroupName) == chat.GroupModerators
	}
	p.Role = roleOf(admin, mod)
	return p, nil
}

// Invite creates the account with a verified email; Cognito mails the
// temporary password (the invitation).
func (a *Admin) Invite(ctx context.Context, email, displayName string) (chat.Person, error) {
	attrs := []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String(email)},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
	}
	if displayName != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("name"), Value: aws.String(displayName)})
	}
	in := &cip.AdminCreateUserInput{
		UserPoolId:             &a.poolID,
		Username:               aws.String(email),
		UserAttributes:         attrs,
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	}
	if a.TemporaryPassword != nil {
		in.TemporaryPassword = aws.String(a.TemporaryPassword(email))
	}
	out, err := a.api.AdminCreateUser(ctx, in)
	if err != nil {
		return chat.Person{}, classify(err, "create user")
	}
	u := out.User
	p := person(aws.ToString(u.Username), u.Attributes, u.Enabled, u.UserStatus, u.UserCreateDate)
	p.Role = chat.WorkspaceMember
	return p, nil
}

// SetRole adds the account to the role's group and removes it from the
// other.
func (a *Admin) SetRole(ctx context.Context, username string, role chat.WorkspaceRole) error {
	want := map[string]bool{chat.GroupAdmins: role == chat.WorkspaceAdmin, chat.GroupModerators: role == chat.WorkspaceModerator}
	for _, g := range []string{chat.GroupAdmins, chat.GroupModerators} {
		var err error
		if want[g] {
			_, err = a.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &a.poolID, Username: &username, GroupName: aws.String(g)})
		} else {
			_, err = a.api.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &a.poolID, Username: &username, GroupName: aws.String(g)})
		}
		if err != nil {
			return classify(err, "set group "+g)
		}
	}
	return nil
}

// Deactivate disables the account (no sign-in, no refresh) and signs it
// out everywhere (its refresh tokens are revoked).
func (a *Admin) Deactivate(ctx context.Context, username string) error {
	if _, err := a.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &a.poolID, Username: &username}); err != nil {
		return classify(err, "disable user")
	}
	if _, err := a.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &a.poolID, Username: &username}); err != nil {
		return classify(err, "global sign-out")
	}
	return nil
}

// Reactivate enables the account.
func (a *Admin) Reactivate(ctx context.Context, username string) error {
	if _, err := a.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &a.poolID, Username: &username}); err != nil {
		return classify(err, "enable user")
	}
	return nil
}

func (a *Admin) groupMembers(ctx context.Context, group string) (map[string]bool, error) {
	members := map[string]bool{}
	var token *string
	for range maxPages {
		page, err := a.api.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &a.poolID, GroupName: aws.String(group), Limit: aws.Int32(60), NextToken: token})
		if err != nil {
			return nil, classify(err, "list group "+group)
		}
		for _, u := range page.Users {
			members[aws.ToString(u.Username)] = true
		}
		if token = page.NextToken; aws.ToString(token) == "" {
			break
		}
	}
	return members, nil
}

func person(username string, attrs []types.AttributeType, enabled bool, status types.UserStatusType, created *time.Time) chat.Person {
	p := chat.Person{Username: username, Status: chat.PersonActive}
	for _, at := range attrs {
		switch aws.ToString(at.Name) {
		case "sub":
			p.UserID = aws.ToString(at.Value)
		case "email":
			p.Email = aws.ToString(at.Value)
		case "name":
			p.DisplayName = aws.ToString(at.Value)
		}
	}
	switch {
	case !enabled:
		p.Status = chat.PersonDeactivated
	case status == types.UserStatusTypeForceChangePassword:
		p.Status = chat.PersonInvited
	}
	if p.DisplayName == "" {
		if local, _, ok := cutAt(p.Email); ok {
			p.DisplayName = local
		} else {
			p.DisplayName = username
		}
	}
	if created != nil {
		p.CreatedAt = created.UTC()
	}
	return p
}

func cutAt(email string) (string, string, bool) {
	for i := 0; i < len(email); i++ {
		if email[i] == '@' {
			return email[:i], email[i+1:], i > 0
		}
	}
	return "", "", false
}

func roleOf(admin, mod bool) chat.WorkspaceRole {
	switch {
	case admin:
		return chat.WorkspaceAdmin
	case mod:
		return chat.WorkspaceModerator
	}
	return chat.WorkspaceMember
}

// classify maps the pool's errors onto the chat's codes; the SDK error
// stays in the chain for logs.
func classify(err error, what string) error {
	var notFound *types.UserNotFoundException
	var exists *types.UsernameExistsException
	var invalid *types.InvalidParameterException
	var tooMany *types.TooManyRequestsException
	switch {
	case errors.As(err, &notFound):
		return &chat.Error{Code: chat.NotFound, Message: "no such person", Err: err}
	case errors.As(err, &exists):
		return &chat.Error{Code: chat.Conflict, Message: "that email has an account already", Err: err}
	case errors.As(err, &invalid):
		return &chat.Error{Code: chat.Invalid, Message: "the user pool refused the request", Err: err}
	case errors.As(err, &tooMany):
		return &chat.Error{Code: chat.RateLimited, Message: "the user pool is busy: retry shortly", Err: err}
	}
	return chat.Wrap(fmt.Errorf("cognito %s: %w", what, err), "user pool")
}

// userDeleter is the SDK call behind DeleteAccount (the real client has
// it; the API interface stays as the console's fakes know it).
type userDeleter interface {
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

var _ chat.AccountDeleter = (*Admin)(nil)

// DeleteAccount deletes the account (AdminDeleteUser: the account's
// attributes, email included, its groups and its refresh tokens go with
// it). An account already gone is not an error: the erasure is retried.
func (a *Admin) DeleteAccount(ctx context.Context, username string) error {
	d, ok := a.api.(userDeleter)
	if !ok {
		return chat.Errorf(chat.Internal, "the user pool client cannot delete users")
	}
	_, err := d.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &a.poolID, Username: &username})
	var nf *types.UserNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return classify(err, "delete user")
	}
	return nil
}
