package digestapp

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// TestLoadKeyReadsTheDigestSecret reads the unsubscribe links' HMAC key
// the way the digest and unsubscribe functions do in AWS (GetSecretValue
// on DIGEST_KEY_SECRET_ARN), from Secrets Manager (LocalStack in make
// test-localstack, the stand-in internal/local/localsecrets in make test).
func TestLoadKeyReadsTheDigestSecret(t *testing.T) {
	svc := testenv.NewSecretsManager(t)
	cfg := testenv.AWSConfig(t)
	sm := svc.Client(cfg)
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef"
	arn := testenv.NewSecret(t, sm, key)
	got, err := loadKey(context.Background(), cfg, app.DigestConfig{TableName: "t", KeySecretARN: arn})
	if err != nil || string(got) != key {
		t.Fatalf("key %q, %v; want %q", got, err, key)
	}
	if _, err := Build(context.Background(), app.DigestConfig{TableName: "t", KeySecretARN: arn}, WithAWSConfig(cfg)); err != nil {
		t.Errorf("Build on the secret: %v", err)
	}
	if _, err := loadKey(context.Background(), cfg, app.DigestConfig{TableName: "t", KeySecretARN: arn + "-missing"}); err == nil {
		t.Error("a missing secret loaded, want an error")
	}
}
