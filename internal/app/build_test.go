package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// offlineAWS is a configuration that would sign requests but is never used
// to send any: Build makes clients without calling AWS.
func offlineAWS() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
}

func testConfig() Config {
	return Config{
		TableName:   "chat",
		CallbackURL: "http://127.0.0.1:1/local",
		Cognito:     CognitoConfig{Issuer: "http://127.0.0.1:1/local_pool", ClientID: "client"},
	}
}

func TestBuildWiresEveryHandler(t *testing.T) {
	for _, bucket := range []string{"", "files"} {
		cfg := testConfig()
		cfg.FilesBucket = bucket
		a, err := Build(context.Background(), cfg, WithAWSConfig(offlineAWS()), WithLogger(slog.New(slog.DiscardHandler)), WithMetrics(io.Discard))
		if err != nil {
			t.Fatalf("bucket %q: %v", bucket, err)
		}
		if a.Authorizer == nil || a.Connection == nil || a.Actions == nil || a.Service == nil || a.Logger == nil {
			t.Fatalf("bucket %q: app has nil parts: %+v", bucket, a)
		}
	}
}

func TestBuildRefusesIncompleteConfig(t *testing.T) {
	cfg := testConfig()
	cfg.TableName = ""
	if _, err := Build(context.Background(), cfg, WithAWSConfig(offlineAWS())); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Fatalf("error = %v, want TABLE_NAME named", err)
	}
	cfg = testConfig()
	cfg.Cognito.Issuer = "not a url"
	if _, err := Build(context.Background(), cfg, WithAWSConfig(offlineAWS())); err == nil {
		t.Fatal("a malformed issuer was accepted")
	}
}

func TestBuildAuthorizerNeedsOnlyCognito(t *testing.T) {
	cfg := Config{Cognito: CognitoConfig{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", ClientID: "client"}}
	h, err := BuildAuthorizer(context.Background(), cfg)
	if err != nil || h == nil {
		t.Fatalf("BuildAuthorizer = %v, %v", h, err)
	}
	if _, err := BuildAuthorizer(context.Background(), Config{TableName: "chat"}); err == nil {
		t.Fatal("authorizer built without Cognito settings")
	}
}
