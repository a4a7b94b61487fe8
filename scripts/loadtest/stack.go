package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/logging"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localgw"
)

// chat is the whole chat in this process, as `make dev` runs it: the real
// handlers (authorizer, $connect/$disconnect, actions) built by app.Build,
// behind the local API Gateway, against DynamoDB Local and cognito-local.
type chat struct {
	stack   *devstack.Stack
	gw      *localgw.Gateway
	logFile *os.File
}

func startChat(ctx context.Context, verbose bool) (_ *chat, err error) {
	stack, err := devstack.Start(ctx, devstack.Options{Provision: true, Progress: os.Stderr})
	if err != nil {
		return nil, fmt.Errorf("start the emulators: %w", err)
	}
	c := &chat{stack: stack}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
		}
	}()
	// The chat's logs (warnings and errors only) go to a file, the run's
	// output stays the report.
	if err := os.MkdirAll(stack.LogDir, 0o755); err != nil {
		return nil, err
	}
	if c.logFile, err = os.Create(filepath.Join(stack.LogDir, "chat.log")); err != nil {
		return nil, err
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	logger := app.NewLogger(c.logFile, level)

	var built atomic.Pointer[inprocess.App]
	route := func(pick func(*inprocess.App) localgw.Handler) localgw.Handler {
		return func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			a := built.Load()
			if a == nil {
				return events.APIGatewayProxyResponse{StatusCode: 503}, errors.New("starting")
			}
			return pick(a)(ctx, req)
		}
	}
	connection := route(func(a *inprocess.App) localgw.Handler { return a.Connection.Handle })
	actions := route(func(a *inprocess.App) localgw.Handler { return a.Actions.Handle })
	routes := map[string]localgw.Handler{
		localgw.RouteConnect: connection, localgw.RouteDisconnect: connection, localgw.RouteDefault: actions,
	}
	c.gw, err = localgw.New(localgw.Config{
		Routes: routes,
		Authorizer: func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			a := built.Load()
			if a == nil {
				return events.APIGatewayCustomAuthorizerResponse{}, errors.New("Unauthorized")
			}
			return a.Authorizer.Handle(ctx, req)
		},
		RouteResponses: true,
		Region:         stack.Region,
		Logger:         logger,
	})
	if err != nil {
		return nil, err
	}
	if err := c.gw.Start(); err != nil {
		return nil, err
	}
	// The app is built exactly as a Lambda builds it: from the environment,
	// which now points at the stack (as scripts/dev does).
	for _, kv := range append(stack.AppEnv(), "WS_CALLBACK_URL="+c.gw.CallbackURL(), "FILES_BUCKET=") {
		name, value, _ := strings.Cut(kv, "=")
		if err := os.Setenv(name, value); err != nil {
			return nil, err
		}
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	metrics, err := os.Create(filepath.Join(stack.LogDir, "metrics.log"))
	if err != nil {
		return nil, err
	}
	// The SDK's own logger would print DynamoDB Local's CRC32 warnings
	// ("response did not match expected checksum") by the thousand.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, err
	}
	a, err := inprocess.Build(ctx, cfg, chatapp.WithAWSConfig(awsCfg), chatapp.WithLogger(logger), chatapp.WithMetrics(metrics))
	if err != nil {
		return nil, fmt.Errorf("build the app: %w", err)
	}
	built.Store(a)
	return c, nil
}

// signUp registers a confirmed user and returns their ID token.
func (c *chat) signUp(ctx context.Context, email, password, name string) (string, error) {
	client := c.stack.CognitoClient()
	r := c.stack.Resources
	if _, err := client.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(r.ClientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("name"), Value: aws.String(name)},
		},
	}); err != nil && !strings.Contains(err.Error(), "UsernameExists") {
		return "", fmt.Errorf("sign up %s: %w", email, err)
	}
	if _, err := client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(r.UserPoolID), Username: aws.String(email)}); err != nil {
		return "", fmt.Errorf("confirm %s: %w", email, err)
	}
	out, err := client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(r.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", email, err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		return "", fmt.Errorf("sign in %s: no ID token", email)
	}
	return aws.ToString(out.AuthenticationResult.IdToken), nil
}

func (c *chat) Close() error {
	var err error
	if c.gw != nil {
		err = c.gw.Close()
	}
	if c.logFile != nil {
		err = errors.Join(err, c.logFile.Close())
	}
	return errors.Join(err, c.stack.Close())
}
