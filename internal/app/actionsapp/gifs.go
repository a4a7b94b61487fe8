package actionsapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/gifs"
)

// GifProvider builds the GIF provider of cfg: nil (GIFs off) when no key
// is configured, or when the secret holds an empty string (logged). The
// key is read from Secrets Manager once, at cold start, when
// GIF_API_KEY_SECRET_ARN names the secret.
func GifProvider(ctx context.Context, awsCfg aws.Config, cfg app.GifSettings, log *slog.Logger) (chat.GifProvider, error) {
	if !cfg.On() {
		return nil, nil
	}
	key := cfg.Key
	if cfg.KeySecretARN != "" {
		out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.KeySecretARN)})
		if err != nil {
			return nil, fmt.Errorf("app: read the GIF provider's key: %w", err)
		}
		key = strings.TrimSpace(aws.ToString(out.SecretString))
		if key == "" {
			if log != nil {
				log.WarnContext(ctx, "GIFs off: the GIF provider's key secret is empty", slog.String("secret", cfg.KeySecretARN))
			}
			return nil, nil
		}
	}
	p, err := gifs.New(cfg.Provider, gifs.Config{APIKey: key, BaseURL: cfg.EndpointURL, MediaOrigins: cfg.MediaOrigins})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return p, nil
}
