// Command turn-secret prints the TURN REST shared secret a deployment
// with `-c iceServers=turn` and no `turnSecretArn` signs its TURN
// credentials with: HKDF-SHA256 of the digest key with the label
// iceservers.TURNSecretLabel (no new secret to pay for). Configure your
// TURN server with it (coturn: `use-auth-secret` and
// `static-auth-secret=<it>`); infra/README.md "Calls" has the steps.
//
// It reads the digest key as the actions function does (internal/app):
// DIGEST_KEY (at least 32 bytes, local) or DIGEST_KEY_SECRET_ARN (the
// stack's output DigestKeySecretArn; needs AWS credentials allowed
// secretsmanager:GetSecretValue on it):
//
//	DIGEST_KEY_SECRET_ARN=arn:aws:secretsmanager:… go run ./scripts/turn-secret
//
// The secret is printed on standard output and nothing else there, so it
// can be piped into the TURN server's configuration; keep it out of shell
// history and logs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/actionsapp"
)

func main() {
	c, err := app.CallSettingsFromEnv()
	if err == nil {
		err = run(context.Background(), c, loadAWS, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "turn-secret:", err)
		os.Exit(1)
	}
}

func loadAWS(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }

// run prints the derived secret; AWS is configured only when the key is
// read from Secrets Manager.
func run(ctx context.Context, c app.CallSettings, awsCfg func(context.Context) (aws.Config, error), out io.Writer) error {
	if c.TURNSecretARN != "" {
		return fmt.Errorf("%s is set: the deployment uses that secret as it is stored, nothing is derived; configure your TURN server with its value", app.EnvTURNSecretARN)
	}
	if c.DigestKeySecretARN == "" && c.DigestKey == "" {
		return errors.New("set DIGEST_KEY_SECRET_ARN (the stack's output DigestKeySecretArn) or DIGEST_KEY")
	}
	var cfg aws.Config
	if c.DigestKeySecretARN != "" {
		var err error
		if cfg, err = awsCfg(ctx); err != nil {
			return fmt.Errorf("AWS configuration: %w", err)
		}
	}
	secret, err := actionsapp.TURNSecret(ctx, cfg, c)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, secret)
	return err
}
