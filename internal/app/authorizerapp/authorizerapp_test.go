package authorizerapp

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
)

func TestBuildAuthorizerNeedsOnlyCognito(t *testing.T) {
	cfg := app.AuthorizerConfig{Cognito: app.CognitoConfig{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", ClientID: "client"}}
	h, err := Build(context.Background(), cfg)
	if err != nil || h == nil {
		t.Fatalf("Build = %v, %v", h, err)
	}
	if _, err := Build(context.Background(), app.Config{TableName: "chat"}.Authorizer()); err == nil {
		t.Fatal("authorizer built without Cognito settings")
	}
}
