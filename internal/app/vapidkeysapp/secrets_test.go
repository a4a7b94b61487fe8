package vapidkeysapp_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app/vapidkeysapp"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// TestEnsureOnSecretsManager runs the custom resource's Ensure against
// Secrets Manager (LocalStack in make test-localstack, the stand-in
// internal/local/localsecrets in make test): the stack's placeholder secret gets a generated pair, a
// second Ensure returns the same pair without writing.
func TestEnsureOnSecretsManager(t *testing.T) {
	svc := testenv.NewSecretsManager(t)
	cfg := testenv.AWSConfig(t)
	sm := svc.Client(cfg)
	arn := testenv.NewSecret(t, sm, `{"placeholder":true}`)
	ctx := context.Background()
	first, created, err := vapidkeysapp.Ensure(ctx, sm, arn)
	if err != nil || !created {
		t.Fatalf("Ensure on the placeholder: created %v, %v; want a new pair", created, err)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := webpush.ParseKeys([]byte(aws.ToString(out.SecretString)))
	if err != nil || stored != first {
		t.Fatalf("stored %+v (%v), want %+v", stored, err, first)
	}
	again, created, err := vapidkeysapp.Ensure(ctx, sm, arn)
	if err != nil || created || again != first {
		t.Errorf("second Ensure: %+v created %v, %v; want the same pair, not created", again, created, err)
	}
}
