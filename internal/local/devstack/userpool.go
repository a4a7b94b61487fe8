package devstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Groups are the user pool groups the chat's roles come from.
var Groups = []string{"admins", "moderators"}

// UserPool identifies a pool and its web app client.
type UserPool struct {
	ID       string
	ClientID string
}

// EnsureUserPool finds the pool and app client by name, creating what is
// missing, and makes sure the role groups exist.
func EnsureUserPool(ctx context.Context, c *cip.Client, poolName, clientName string) (UserPool, error) {
	id, err := findUserPool(ctx, c, poolName)
	if err != nil {
		return UserPool{}, err
	}
	if id == "" {
		if id, err = CreateUserPool(ctx, c, poolName); err != nil {
			return UserPool{}, err
		}
	}
	clientID, err := findAppClient(ctx, c, id, clientName)
	if err != nil {
		return UserPool{}, err
	}
	if clientID == "" {
		if clientID, err = CreateAppClient(ctx, c, id, clientName); err != nil {
			return UserPool{}, err
		}
	}
	if err := EnsureGroups(ctx, c, id, Groups); err != nil {
		return UserPool{}, err
	}
	if err := EnsureOptionalTOTP(ctx, c, id); err != nil { // pools kept from before
		return UserPool{}, err
	}
	return UserPool{ID: id, ClientID: clientID}, nil
}

// CreateUserPool creates a pool where people sign up and sign in with their
// email address (the username is then an opaque id), the email counts as
// verified on confirmation, and "name" carries the display name.
func CreateUserPool(ctx context.Context, c *cip.Client, name string) (string, error) {
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String(name),
		UsernameAttributes:     []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail},
		UsernameConfiguration:  &ciptypes.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		Policies: &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{
			MinimumLength:    aws.Int32(8),
			RequireLowercase: false,
			RequireUppercase: false,
			RequireNumbers:   false,
			RequireSymbols:   false,
		}},
		Schema: []ciptypes.SchemaAttributeType{
			{Name: aws.String("email"), AttributeDataType: ciptypes.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("name"), AttributeDataType: ciptypes.AttributeDataTypeString, Mutable: aws.Bool(true)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("devstack: create user pool %q: %w", name, err)
	}
	id := aws.ToString(out.UserPool.Id)
	return id, EnsureOptionalTOTP(ctx, c, id)
}

// EnsureOptionalTOTP makes MFA optional in the pool with authenticator
// apps (TOTP) as the second factor, as the deployment's mfa=optional does:
// a person who enrolled one is asked for a code at sign-in.
func EnsureOptionalTOTP(ctx context.Context, c *cip.Client, poolID string) error {
	_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId:                    aws.String(poolID),
		MfaConfiguration:              ciptypes.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &ciptypes.SoftwareTokenMfaConfigType{Enabled: true},
	})
	if err != nil {
		return fmt.Errorf("devstack: TOTP MFA of pool %s: %w", poolID, err)
	}
	return nil
}

// CreateAppClient creates the browser's app client: public (no secret),
// signing in with USER_PASSWORD_AUTH and refreshing with REFRESH_TOKEN_AUTH.
func CreateAppClient(ctx context.Context, c *cip.Client, poolID, name string) (string, error) {
	out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:     aws.String(poolID),
		ClientName:     aws.String(name),
		GenerateSecret: false,
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{
			ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
		PreventUserExistenceErrors: ciptypes.PreventUserExistenceErrorTypesEnabled,
	})
	if err != nil {
		return "", fmt.Errorf("devstack: create app client %q: %w", name, err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), nil
}

// EnsureGroups creates each group that is not there yet. (It lists rather
// than probing with GetGroup: cognito-local answers an unknown group with a
// 500 instead of ResourceNotFoundException.)
func EnsureGroups(ctx context.Context, c *cip.Client, poolID string, groups []string) error {
	existing := map[string]bool{}
	p := cip.NewListGroupsPaginator(c, &cip.ListGroupsInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("devstack: list groups of %s: %w", poolID, err)
		}
		for _, g := range page.Groups {
			existing[aws.ToString(g.GroupName)] = true
		}
	}
	for _, g := range groups {
		if existing[g] {
			continue
		}
		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g)})
		var exists *ciptypes.GroupExistsException
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("devstack: create group %q: %w", g, err)
		}
	}
	return nil
}

// findUserPool returns the id of the pool named name, "" if none; more than
// one is an error, since we could not know which one the data belongs to.
func findUserPool(ctx context.Context, c *cip.Client, name string) (string, error) {
	var found []string
	p := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("devstack: list user pools: %w", err)
		}
		for _, pool := range page.UserPools {
			if aws.ToString(pool.Name) == name {
				found = append(found, aws.ToString(pool.Id))
			}
		}
	}
	if len(found) > 1 {
		return "", fmt.Errorf("devstack: %d user pools are named %q (%v); delete the extra ones or set COGNITO_USER_POOL_ID", len(found), name, found)
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

func findAppClient(ctx context.Context, c *cip.Client, poolID, name string) (string, error) {
	p := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(60)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("devstack: list app clients of %s: %w", poolID, err)
		}
		for _, cl := range page.UserPoolClients {
			if aws.ToString(cl.ClientName) == name {
				return aws.ToString(cl.ClientId), nil
			}
		}
	}
	return "", nil
}
