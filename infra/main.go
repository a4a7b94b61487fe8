// Command infra is the CDK app: it synthesizes the Backchannel stack into
// the cloud assembly directory the CDK CLI (or CDK_OUTDIR) names.
//
//	make synth            # offline, dummy account
//	make deploy           # real credentials
//
// Configuration comes from CDK context (cdk.json or -c key=value); the keys
// are listed in infra/README.md and infra/chatstack/context.go.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// stackName is the CloudFormation stack; context "stackName" overrides it.
const stackName = "Backchannel"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	ctx, err := cdkJSONContext("cdk.json")
	if err != nil {
		return err
	}
	// Context given by the CLI (CDK_CONTEXT_JSON: cdk.json, cdk.context.json,
	// -c) takes precedence over these props.
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})

	props, err := chatstack.PropsFromContext(app.Node())
	if err != nil {
		return err
	}
	if err := props.Validate(); err != nil {
		return err
	}
	props.Env = &awscdk.Environment{
		Account: envOr("CDK_DEPLOY_ACCOUNT", os.Getenv("CDK_DEFAULT_ACCOUNT")),
		Region:  envOr("CDK_DEPLOY_REGION", os.Getenv("CDK_DEFAULT_REGION")),
	}
	name := stackName
	if v, ok := app.Node().TryGetContext(jsii.String("stackName")).(string); ok && v != "" {
		name = v
	}
	props.Description = jsii.String("Backchannel: serverless real-time chat (WebSocket API, Lambda, DynamoDB, S3, Cognito, CloudFront)")
	chatstack.NewChatStack(app, name, &props)
	app.Synth(nil)
	return nil
}

// cdkJSONContext reads the context (feature flags, defaults) of cdk.json, so
// that running the built app directly (CDK_OUTDIR=cdk.out .cache/bin/infra)
// synthesizes what `cdk synth` does. A missing file is no context.
func cdkJSONContext(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Context == nil {
		cfg.Context = map[string]any{}
	}
	return cfg.Context, nil
}

// envOr returns the variable's value, or fallback when it is unset. An empty
// result leaves the stack environment-agnostic.
func envOr(key, fallback string) *string {
	v := os.Getenv(key)
	if v == "" {
		v = fallback
	}
	if v == "" {
		return nil
	}
	return jsii.String(v)
}
