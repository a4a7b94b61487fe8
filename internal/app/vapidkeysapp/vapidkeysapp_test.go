package vapidkeysapp_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app/vapidkeysapp"
)

type fakeSecrets struct {
	value string
	puts  int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, _ *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(f.value)}, nil
}

func (f *fakeSecrets) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.value = aws.ToString(in.SecretString)
	f.puts++
	return &secretsmanager.PutSecretValueOutput{}, nil
}

// TestGeneratesOnceKeepsAfter: Create over the placeholder generates and
// stores a pair; an Update keeps it (subscriptions are bound to it).
func TestGeneratesOnceKeepsAfter(t *testing.T) {
	sm := &fakeSecrets{value: `{"placeholder":true}`}
	h := &vapidkeysapp.Handler{Secrets: sm}
	props := map[string]any{"SecretArn": "arn:aws:secretsmanager:eu-central-1:1:secret:vapid"}
	r1, err := h.Handle(context.Background(), vapidkeysapp.Event{RequestType: "Create", ResourceProperties: props})
	if err != nil || len(r1.Data["PublicKey"]) != 87 || sm.puts != 1 {
		t.Fatalf("Create = %+v, %v (puts %d)", r1, err, sm.puts)
	}
	r2, err := h.Handle(context.Background(), vapidkeysapp.Event{RequestType: "Update", PhysicalResourceID: r1.PhysicalResourceID, ResourceProperties: props})
	if err != nil || r2.Data["PublicKey"] != r1.Data["PublicKey"] || sm.puts != 1 || r2.PhysicalResourceID != r1.PhysicalResourceID {
		t.Fatalf("Update = %+v, %v (puts %d)", r2, err, sm.puts)
	}
	if r3, err := h.Handle(context.Background(), vapidkeysapp.Event{RequestType: "Delete", PhysicalResourceID: r1.PhysicalResourceID, ResourceProperties: props}); err != nil || sm.puts != 1 || r3.PhysicalResourceID != r1.PhysicalResourceID {
		t.Fatalf("Delete = %+v, %v", r3, err)
	}
}
