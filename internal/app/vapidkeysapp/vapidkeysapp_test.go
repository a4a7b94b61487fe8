package vapidkeysapp_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
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
	id1, d1, err := h.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestCreate, ResourceProperties: props})
	if err != nil || len(d1["PublicKey"].(string)) != 87 || sm.puts != 1 {
		t.Fatalf("Create = %v, %v, %v (puts %d)", id1, d1, err, sm.puts)
	}
	id2, d2, err := h.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestUpdate, PhysicalResourceID: id1, ResourceProperties: props})
	if err != nil || d2["PublicKey"] != d1["PublicKey"] || sm.puts != 1 || id2 != id1 {
		t.Fatalf("Update = %v, %v, %v (puts %d)", id2, d2, err, sm.puts)
	}
	if id3, _, err := h.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestDelete, PhysicalResourceID: id1, ResourceProperties: props}); err != nil || sm.puts != 1 || id3 != id1 {
		t.Fatalf("Delete = %v, %v", id3, err)
	}
}
