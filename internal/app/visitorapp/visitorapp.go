// Package visitorapp makes the support widget's visitor key source from
// the configuration: DIGEST_KEY as it is, or the DigestKey secret read
// from Secrets Manager on first use (so a function that never meets a
// visitor never calls Secrets Manager) and kept for the life of the
// instance.
package visitorapp

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// Source is the key source of cfg, nil when cfg names no secret. awsCfg
// may be nil (loaded when the secret is first read, through httpClient).
func Source(cfg app.VisitorKeyConfig, awsCfg *aws.Config, httpClient *http.Client) visitor.Source {
	if !cfg.Enabled() {
		return nil
	}
	if cfg.SecretARN == "" {
		return &visitor.Lazy{Load: func(context.Context) ([]byte, error) { return []byte(cfg.Key), nil }}
	}
	return &visitor.Lazy{Load: func(ctx context.Context) ([]byte, error) {
		c, err := awsconfig.Load(ctx, awsCfg, httpClient)
		if err != nil {
			return nil, err
		}
		out, err := secretsmanager.NewFromConfig(c).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.SecretARN)})
		if err != nil {
			return nil, fmt.Errorf("visitorapp: read the visitor key's secret: %w", err)
		}
		if out.SecretString != nil {
			return []byte(*out.SecretString), nil
		}
		return out.SecretBinary, nil
	}}
}
