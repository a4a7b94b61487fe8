// Package digestapp wires the digest (internal/digest): the digest
// function that EventBridge Scheduler invokes (functions/digest), the
// unsubscribe endpoint behind a Lambda function URL
// (functions/unsubscribe), and the Missed side the stream's notification
// consumer calls. The Lambda mains and the local runner share it.
package digestapp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	awsConfig *aws.Config
	logger    *slog.Logger
	prefs     digest.PrefsSource
	clock     func() time.Time
}

// WithAWSConfig uses cfg instead of loading the default configuration.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.awsConfig = &cfg } }

// WithLogger replaces the JSON logger on stderr.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithPrefs reads and changes the email preferences through p.
func WithPrefs(p digest.PrefsSource) Option { return func(o *options) { o.prefs = p } }

// WithClock replaces time.Now.
func WithClock(c func() time.Time) Option { return func(o *options) { o.clock = c } }

// App is the wired digest.
type App struct {
	Digest *digest.Service
	Logger *slog.Logger
}

// Build wires the digest from cfg. The preferences are the people's synced
// ones (internal/chat/preferences.go, in the table) unless WithPrefs
// replaces them.
func Build(ctx context.Context, cfg app.DigestConfig, opts ...Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	logger := o.logger
	if logger == nil {
		logger = app.NewLogger(os.Stderr, cfg.LogLevel)
	}
	awsCfg, err := awsconfig.Load(ctx, o.awsConfig, nil)
	if err != nil {
		return nil, err
	}
	// The key signs and verifies the unsubscribe links: the digest and
	// unsubscribe functions have it, the scheduling side (Missed) does not.
	var signer *digest.Signer
	var mailer digest.Mailer
	var addresses digest.Addresses
	if cfg.KeySecretARN != "" || cfg.Key != "" {
		key, err := loadKey(ctx, awsCfg, cfg)
		if err != nil {
			return nil, err
		}
		if signer, err = digest.NewSigner(key); err != nil {
			return nil, err
		}
	}
	ddb := dynamodb.NewFromConfig(awsCfg)
	store, err := dynamo.New(ddb, cfg.TableName)
	if err != nil {
		return nil, err
	}
	prefs := o.prefs
	if prefs == nil {
		prefs = digest.StorePrefs{Store: store}
	}
	if cfg.From != "" && signer != nil {
		mailer = &digest.SESMailer{Client: sesv2.NewFromConfig(awsCfg), From: cfg.From}
		addresses = &digest.CognitoAddresses{Profiles: store, Client: cip.NewFromConfig(awsCfg), PoolID: cfg.UserPoolID}
	}
	svc, err := digest.New(digest.Config{
		Prefs:          prefs,
		Chat:           store,
		Addresses:      addresses,
		Store:          digest.NewDynamoStore(ddb, cfg.TableName),
		Timer:          &digest.SchedulerTimer{Client: scheduler.NewFromConfig(awsCfg), Group: cfg.ScheduleGroup, RoleARN: cfg.SchedulerRole, TargetARN: cfg.TargetARN, TargetFrom: ownARN},
		Mailer:         mailer,
		SiteURL:        cfg.SiteURL,
		UnsubscribeURL: cfg.UnsubscribeURL,
		Signer:         signer,
		MinLead:        time.Duration(cfg.MinLeadSeconds) * time.Second,
		Clock:          o.clock,
		Logger:         logger,
	})
	if err != nil {
		return nil, err
	}
	return &App{Digest: svc, Logger: logger}, nil
}

// ownARN is the running function's ARN inside a Lambda invocation (the
// digest function reschedules itself), "" elsewhere.
func ownARN(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.InvokedFunctionArn
	}
	return ""
}

// loadKey reads the HMAC key: the secret's string in Secrets Manager, or
// DIGEST_KEY.
func loadKey(ctx context.Context, awsCfg aws.Config, cfg app.DigestConfig) ([]byte, error) {
	if cfg.KeySecretARN == "" {
		return []byte(cfg.Key), nil
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.KeySecretARN)})
	if err != nil {
		return nil, fmt.Errorf("digestapp: read the unsubscribe key: %w", err)
	}
	if out.SecretString != nil {
		return []byte(*out.SecretString), nil
	}
	return out.SecretBinary, nil
}

// HandleSchedule is the digest function's handler: the schedule's input is
// its event. An error makes EventBridge Scheduler retry.
func (a *App) HandleSchedule(ctx context.Context, raw json.RawMessage) error {
	var ev digest.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		// Not retryable: log and drop.
		a.Logger.ErrorContext(ctx, "digest: malformed event", "error", err)
		return nil
	}
	_, err := a.Digest.Fire(ctx, ev)
	if err != nil {
		a.Logger.ErrorContext(ctx, "digest: fire failed", "userId", ev.UserID, "error", err)
	}
	return err
}

// MaxRequestBytes bounds what the function URL handler reads.
const MaxRequestBytes = 8 << 10

// HandleURL is the unsubscribe function's handler behind its Lambda
// function URL: the request becomes an http.Request for
// digest.Service.UnsubscribeHandler.
func (a *App) HandleURL(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest}, nil
		}
		body = b
	}
	if len(body) > MaxRequestBytes {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusRequestEntityTooLarge}, nil
	}
	path := req.RawPath
	if path == "" {
		path = "/"
	}
	if req.RawQueryString != "" {
		path += "?" + req.RawQueryString
	}
	r, err := http.NewRequestWithContext(ctx, req.RequestContext.HTTP.Method, path, strings.NewReader(string(body)))
	if err != nil {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest}, nil
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	rec := &recorder{header: http.Header{}}
	a.Digest.UnsubscribeHandler().ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	headers := map[string]string{}
	for k := range rec.header {
		headers[k] = rec.header.Get(k)
	}
	return events.LambdaFunctionURLResponse{StatusCode: rec.status, Headers: headers, Body: rec.body.String()}, nil
}

// recorder is the http.ResponseWriter of HandleURL (httptest's would link
// the flag package into the Lambda).
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
