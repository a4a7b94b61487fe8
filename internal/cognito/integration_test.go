package cognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/cognito"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// Against cognito-local (CHAT_INTEGRATION=1, under scripts/testenv). Note that
// cognito-local signs every pool's tokens with one key (kid "CognitoLocal"),
// so only iss and aud tell pools and clients apart here: exactly the checks
// these tests exercise.
func TestCognitoLocalTokens(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	ctx := context.Background()
	client := cip.NewFromConfig(cfg)
	pool := testenv.NewUserPool(t, cfg)
	const email, password = "ada@example.com", "correct-Horse-9"
	idToken := testenv.SignUp(t, cfg, pool, email, password, "Ada Lovelace")

	v, err := cognito.NewVerifier(cognito.VerifierConfig{Issuer: pool.Issuer, ClientID: pool.ClientID, JWKSURL: pool.JWKSURL})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}

	t.Run("ID token verifies through the real JWKS", func(t *testing.T) {
		id, err := v.Verify(ctx, idToken)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		accessToken := signIn(t, client, pool.ClientID, email, password).AccessToken
		user, err := client.GetUser(ctx, &cip.GetUserInput{AccessToken: accessToken})
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if sub := attribute(user.UserAttributes, "sub"); id.UserID != sub || sub == "" {
			t.Errorf("UserID = %q, want the user's sub %q", id.UserID, sub)
		}
		if id.Username != aws.ToString(user.Username) {
			t.Errorf("Username = %q, want %q", id.Username, aws.ToString(user.Username))
		}
		if id.Email != email {
			t.Errorf("Email = %q, want %q", id.Email, email)
		}
		// Real Cognito puts the name attribute in the ID token; cognito-local
		// 5.3.0 only copies email and custom: attributes, so the display name
		// falls back to the email's local part.
		if id.DisplayName != "Ada Lovelace" && id.DisplayName != "ada" {
			t.Errorf("DisplayName = %q, want the name or the email's local part", id.DisplayName)
		}
	})

	t.Run("access token refused", func(t *testing.T) {
		accessToken := aws.ToString(signIn(t, client, pool.ClientID, email, password).AccessToken)
		_, err := v.Verify(ctx, accessToken)
		if chat.ErrorCode(err) != chat.Forbidden || chat.ErrorMessage(err) != "token is not an ID token" {
			t.Fatalf("err = %v, want Forbidden token_use refusal", err)
		}
	})

	t.Run("token of another pool refused", func(t *testing.T) {
		other := testenv.NewUserPool(t, cfg)
		otherToken := testenv.SignUp(t, cfg, other, "bob@example.com", password, "Bob")
		_, err := v.Verify(ctx, otherToken)
		if chat.ErrorCode(err) != chat.Forbidden || chat.ErrorMessage(err) != "token issuer mismatch" {
			t.Fatalf("err = %v, want Forbidden issuer mismatch", err)
		}
		// The same token is good for a verifier of its own pool, with the
		// JWKS URL derived from the issuer.
		ov, err := cognito.NewVerifier(cognito.VerifierConfig{Issuer: other.Issuer, ClientID: other.ClientID})
		if err != nil {
			t.Fatalf("NewVerifier: %v", err)
		}
		if _, err := ov.Verify(ctx, otherToken); err != nil {
			t.Fatalf("token refused by its own pool's verifier: %v", err)
		}
	})

	t.Run("token of another client of the same pool refused", func(t *testing.T) {
		out, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId:        aws.String(pool.ID),
			ClientName:        aws.String("other-app"),
			ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth},
		})
		if err != nil {
			t.Fatalf("CreateUserPoolClient: %v", err)
		}
		otherClientToken := aws.ToString(signIn(t, client, aws.ToString(out.UserPoolClient.ClientId), email, password).IdToken)
		_, err = v.Verify(ctx, otherClientToken)
		if chat.ErrorCode(err) != chat.Forbidden || chat.ErrorMessage(err) != "token audience mismatch" {
			t.Fatalf("err = %v, want Forbidden audience mismatch", err)
		}
	})
}

func signIn(t *testing.T, client *cip.Client, clientID, email, password string) *ciptypes.AuthenticationResultType {
	t.Helper()
	out, err := client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId:       aws.String(clientID),
		AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: challenge %q instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult
}

func attribute(attrs []ciptypes.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
