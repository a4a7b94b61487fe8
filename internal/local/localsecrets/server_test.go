package localsecrets_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/backchannel-chat/backchannel/internal/local/localsecrets"
)

func client(t *testing.T) *secretsmanager.Client {
	t.Helper()
	s, err := localsecrets.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: aws.AnonymousCredentials{},
	})
}

// TestSecretLifecycleThroughTheSDK: create, read by name and ARN, put a
// new value, describe, delete (scheduled, then forced), with the SDK's
// typed errors.
func TestSecretLifecycleThroughTheSDK(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/key"), SecretString: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.ARN)
	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:000000000000:secret:app/key-") || len(arn) != len("arn:aws:secretsmanager:us-east-1:000000000000:secret:app/key-")+6 {
		t.Errorf("ARN %s", arn)
	}
	for _, id := range []string{"app/key", arn} {
		got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil || aws.ToString(got.SecretString) != `{"a":1}` || aws.ToString(got.ARN) != arn || got.VersionStages[0] != "AWSCURRENT" {
			t.Errorf("GetSecretValue(%s) = %+v, %v", id, got, err)
		}
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/key"), SecretString: aws.String("x")})
	var exists *smtypes.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second CreateSecret: %v, want ResourceExistsException", err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretBinary: []byte{1, 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/key")})
	if err != nil || got.SecretString != nil || string(got.SecretBinary) != "\x01\x02" {
		t.Errorf("after PutSecretValue: %+v, %v", got, err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing secret: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/key")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/key")})
	var invalid *smtypes.InvalidRequestException
	if !errors.As(err, &invalid) {
		t.Errorf("secret scheduled for deletion: %v, want InvalidRequestException", err)
	}
	if d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)}); err != nil || d.DeletedDate == nil {
		t.Errorf("DescribeSecret: %+v, %v; want a deletion date", d, err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)}); !errors.As(err, &nf) {
		t.Errorf("after a forced delete: %v, want ResourceNotFoundException", err)
	}
}

// TestSecretWithoutValue: a secret created without a value has none to
// read (ResourceNotFoundException, as in AWS) until PutSecretValue.
func TestSecretWithoutValue(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("empty")}); err != nil {
		t.Fatal(err)
	}
	var nf *smtypes.ResourceNotFoundException
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("empty")}); !errors.As(err, &nf) {
		t.Errorf("GetSecretValue without a value: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("empty"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("empty")}); err != nil || aws.ToString(got.SecretString) != "v" {
		t.Errorf("after PutSecretValue: %+v, %v", got, err)
	}
}
