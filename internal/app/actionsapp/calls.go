package actionsapp

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/iceservers"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/service"
)

var _ service.CallPush = (*notify.CallRinger)(nil)

// ICESource builds the calls' ICE source from ICE_SERVERS: nil for none.
// The TURN secret is read once, at the cold start: the deployer's secret
// (TURN_SECRET_ARN) or derived from the digest key.
func ICESource(ctx context.Context, awsCfg aws.Config, c app.CallSettings) (chat.ICEServerSource, error) {
	switch c.ICE {
	case iceservers.SourceKVS:
		k, err := iceservers.NewKVS(awsCfg, c.KVSChannelARN, c.KVSRole)
		if err != nil {
			return nil, err
		}
		return k, nil
	case iceservers.SourceTURN:
		if err := iceservers.CheckURLs(c.TURNURLs, "turn", "turns"); err != nil {
			return nil, err
		}
		if err := iceservers.CheckURLs(c.STUNURLs, "stun", "stuns"); err != nil {
			return nil, err
		}
		secret, err := TURNSecret(ctx, awsCfg, c)
		if err != nil {
			return nil, err
		}
		return &iceservers.TURN{Secret: secret, STUN: c.STUNURLs, TURN: c.TURNURLs, TTL: c.TURNTTL}, nil
	}
	return nil, nil
}

// TURNSecret is the TURN REST shared secret the turn source signs
// credentials with: the deployer's secret (TURN_SECRET_ARN) as stored, or
// derived from the digest key (DIGEST_KEY_SECRET_ARN or DIGEST_KEY) with
// iceservers.DeriveTURNSecret. scripts/turn-secret prints the derived one
// for the deployer's TURN server.
func TURNSecret(ctx context.Context, awsCfg aws.Config, c app.CallSettings) (string, error) {
	if c.TURNSecretARN != "" {
		v, err := secretString(ctx, awsCfg, c.TURNSecretARN)
		if err != nil {
			return "", fmt.Errorf("app: the TURN secret: %w", err)
		}
		return v, nil
	}
	key := []byte(c.DigestKey)
	if c.DigestKeySecretARN != "" {
		v, err := secretString(ctx, awsCfg, c.DigestKeySecretARN)
		if err != nil {
			return "", fmt.Errorf("app: the digest key (for the TURN secret): %w", err)
		}
		key = []byte(v)
	}
	return iceservers.DeriveTURNSecret(key)
}

func secretString(ctx context.Context, awsCfg aws.Config, arn string) (string, error) {
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", err
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}

// callsOption wires calls into the service: the ICE source, the ring push
// on the Web Push queue (PUSH_QUEUE_URL) and the size.
func callsOption(ctx context.Context, awsCfg aws.Config, c app.CallSettings) (chatapp.Option, error) {
	ice, err := ICESource(ctx, awsCfg, c)
	if err != nil {
		return nil, err
	}
	var push service.CallPush
	if c.PushQueueURL != "" {
		push = &notify.CallRinger{Queue: notify.NewSQSQueue(sqs.NewFromConfig(awsCfg), c.PushQueueURL)}
	}
	return chatapp.WithCalls(ice, push, c.MaxSize), nil
}
