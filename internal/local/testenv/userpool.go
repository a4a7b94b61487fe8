package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// Pool is a user pool with the web app client, as the authorizer sees it.
type Pool struct {
	ID       string
	ClientID string
	Issuer   string // iss of its ID tokens
	JWKSURL  string
}

// NewUserPool creates a fresh pool configured like the real one (email
// sign-in, groups admins and moderators) with a public app client, and
// deletes it when the test ends.
func NewUserPool(t testing.TB, cfg aws.Config) Pool {
	t.Helper()
	ctx := setupContext(t)
	client := cip.NewFromConfig(cfg)
	name := uniqueName(t, "p-", 128)
	id, err := devstack.CreateUserPool(ctx, client, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)}); err != nil {
			t.Errorf("delete user pool %s: %v", id, err)
		}
	})
	clientID, err := devstack.CreateAppClient(ctx, client, id, "web")
	if err != nil {
		t.Fatal(err)
	}
	if err := devstack.EnsureGroups(ctx, client, id, devstack.Groups); err != nil {
		t.Fatal(err)
	}
	issuer := devstack.Issuer(os.Getenv(EnvEndpointCognito), cfg.Region, id)
	return Pool{ID: id, ClientID: clientID, Issuer: issuer, JWKSURL: issuer + "/.well-known/jwks.json"}
}

// SignUp registers a confirmed user in pool (SignUp, AdminConfirmSignUp)
// and signs in with USER_PASSWORD_AUTH, returning the ID token.
func SignUp(t testing.TB, cfg aws.Config, pool Pool, email, password, displayName string) (idToken string) {
	t.Helper()
	ctx := setupContext(t)
	client := cip.NewFromConfig(cfg)
	_, err := client.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(pool.ClientID),
		Username: aws.String(email),
		Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("name"), Value: aws.String(displayName)},
		},
	})
	if err != nil {
		t.Fatalf("sign up %s: %v", email, err)
	}
	if _, err := client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(pool.ID),
		Username:   aws.String(email),
	}); err != nil {
		t.Fatalf("confirm %s: %v", email, err)
	}
	out, err := client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(pool.ClientID),
		AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatalf("sign in %s: no ID token (challenge %q)", email, out.ChallengeName)
	}
	return aws.ToString(out.AuthenticationResult.IdToken)
}
