package inprocess

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/actionsapp"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/connectionapp"
)

// offlineAWS is a configuration that would sign requests but is never used
// to send any: Build makes clients without calling AWS.
func offlineAWS() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
}

func testConfig() app.Config {
	return app.Config{
		TableName:   "chat",
		CallbackURL: "http://127.0.0.1:1/local",
		Cognito:     app.CognitoConfig{Issuer: "http://127.0.0.1:1/local_pool", ClientID: "client"},
	}
}

func TestBuildWiresEveryHandler(t *testing.T) {
	for _, bucket := range []string{"", "files"} {
		cfg := testConfig()
		cfg.FilesBucket = bucket
		a, err := Build(context.Background(), cfg, chatapp.WithAWSConfig(offlineAWS()), chatapp.WithLogger(slog.New(slog.DiscardHandler)), chatapp.WithMetrics(io.Discard))
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
	if _, err := Build(context.Background(), cfg, chatapp.WithAWSConfig(offlineAWS())); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Fatalf("error = %v, want TABLE_NAME named", err)
	}
	cfg = testConfig()
	cfg.Cognito.Issuer = "not a url"
	if _, err := Build(context.Background(), cfg, chatapp.WithAWSConfig(offlineAWS())); err == nil {
		t.Fatal("a malformed issuer was accepted")
	}
}

// The connection and actions functions are built without any Cognito
// setting, and refuse to be built without the table.
func TestFunctionBuildersNeedNoCognito(t *testing.T) {
	ctx := context.Background()
	opts := []chatapp.Option{chatapp.WithAWSConfig(offlineAWS()), chatapp.WithLogger(slog.New(slog.DiscardHandler)), chatapp.WithMetrics(io.Discard)}
	conn := app.ConnectionConfig{TableName: "chat", CallbackURL: "http://127.0.0.1:1/local"}
	if h, err := connectionapp.Build(ctx, conn, opts...); err != nil || h == nil {
		t.Errorf("connection: %v, %v", h, err)
	}
	for _, bucket := range []string{"", "files"} {
		if h, err := actionsapp.Build(ctx, app.ActionsConfig{ConnectionConfig: conn, FilesBucket: bucket}, opts...); err != nil || h == nil {
			t.Errorf("actions, bucket %q: %v, %v", bucket, h, err)
		}
	}
	if _, err := connectionapp.Build(ctx, app.ConnectionConfig{CallbackURL: conn.CallbackURL}, opts...); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("connection without a table: %v", err)
	}
	bad := app.ActionsConfig{ConnectionConfig: conn, FilesBucket: "files", Files: app.UploadLimits{AllowedTypes: []string{"png"}}}
	if _, err := actionsapp.Build(ctx, bad, opts...); err == nil {
		t.Error("actions built with a malformed upload type")
	}
}
