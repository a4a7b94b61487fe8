// Package vapidkeysapp is the deploy-time generator of the VAPID key pair
// (functions/vapidkeys): the handler of a CloudFormation custom resource
// (functions/vapidkeys answers CloudFormation's response URL through
// aws-lambda-go's cfn.LambdaWrap; no provider framework). On Create and
// Update it makes sure the secret holds a key pair, generating one the
// first time (PutSecretValue), and returns the public key as the
// resource's PublicKey attribute, which the stack hands the actions
// function (VAPID_PUBLIC_KEY). An existing pair is never replaced: every
// browser subscription is bound to it. Delete does nothing (the secret
// goes with its own resource).
package vapidkeysapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// SecretsAPI is the part of the Secrets Manager client the handler uses.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// Handler generates or reads the key pair.
type Handler struct {
	Secrets SecretsAPI
	Logger  *slog.Logger
}

// Handle is the cfn.CustomResourceFunction: ResourceProperties.SecretArn
// names the secret; the data is {"PublicKey": …}.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	arn, _ := ev.ResourceProperties["SecretArn"].(string)
	if arn == "" {
		return "", nil, errors.New("vapidkeys: SecretArn is required")
	}
	physical := "vapid-keys:" + arn
	if ev.RequestType == cfn.RequestDelete {
		return ev.PhysicalResourceID, nil, nil
	}
	keys, created, err := Ensure(ctx, h.Secrets, arn)
	if err != nil {
		return "", nil, err
	}
	if h.Logger != nil {
		h.Logger.InfoContext(ctx, "VAPID keys", slog.Bool("generated", created), slog.String("publicKey", keys.PublicKey))
	}
	return physical, map[string]any{"PublicKey": keys.PublicKey}, nil
}

// Ensure returns the secret's key pair, generating and storing one when
// the secret holds none (or not a valid pair: the placeholder the stack
// creates it with).
func Ensure(ctx context.Context, sm SecretsAPI, arn string) (webpush.Keys, bool, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err == nil {
		if k, perr := webpush.ParseKeys([]byte(aws.ToString(out.SecretString))); perr == nil {
			return k, false, nil
		}
	}
	keys, err := webpush.GenerateKeys()
	if err != nil {
		return webpush.Keys{}, false, err
	}
	doc := fmt.Sprintf(`{"publicKey":%q,"privateKey":%q}`, keys.PublicKey, keys.PrivateKey)
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String(doc)}); err != nil {
		return webpush.Keys{}, false, fmt.Errorf("vapidkeys: store the key pair: %w", err)
	}
	return keys, true, nil
}
