package pushsenderapp

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// TestLoadKeysReadsTheVAPIDSecret reads the key pair the way the push
// sender does in AWS (GetSecretValue on VAPID_SECRET_ARN), from a secret
// in Secrets Manager (LocalStack in make test-localstack, the
// stand-in internal/local/localsecrets in make test), then builds the worker on it.
func TestLoadKeysReadsTheVAPIDSecret(t *testing.T) {
	svc := testenv.NewSecretsManager(t)
	cfg := testenv.AWSConfig(t)
	sm := svc.Client(cfg)
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(keys)
	arn := testenv.NewSecret(t, sm, string(doc))
	conf := app.PushSenderConfig{TableName: "t", SecretARN: arn, Subject: "mailto:ops@example.com"}
	got, err := loadKeys(context.Background(), cfg, conf)
	if err != nil {
		t.Fatal(err)
	}
	if got != keys {
		t.Errorf("keys %+v, want %+v", got, keys)
	}
	if _, err := Build(context.Background(), conf, WithAWSConfig(cfg)); err != nil {
		t.Errorf("Build on the secret: %v", err)
	}

	placeholder := testenv.NewSecret(t, sm, `{"placeholder":true}`)
	conf.SecretARN = placeholder
	if _, err := loadKeys(context.Background(), cfg, conf); err == nil {
		t.Error("the stack's placeholder secret loaded as keys, want an error")
	}
	conf.SecretARN = arn + "-missing"
	if _, err := loadKeys(context.Background(), cfg, conf); err == nil {
		t.Error("a missing secret loaded, want an error")
	}
}
