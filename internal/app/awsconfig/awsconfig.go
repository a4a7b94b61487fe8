// Package awsconfig loads the AWS SDK's configuration once per process for
// the builders that make AWS clients (not the authorizer, which makes none).
package awsconfig

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Load returns given when it is not nil, else the default configuration:
// region, credentials and endpoint overrides from the environment, with
// requests sent through httpClient when it is not nil.
func Load(ctx context.Context, given *aws.Config, httpClient *http.Client) (aws.Config, error) {
	if given != nil {
		return *given, nil
	}
	var loadOpts []func(*config.LoadOptions) error
	if httpClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(httpClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("app: load AWS config: %w", err)
	}
	return cfg, nil
}
