// Package streamapp wires the stream function: the DynamoDB stream handler
// and its consumers, the EventBridge publisher, (with FILES_BUCKET) the
// file sweeper that deletes deleted messages' files and (with TABLE_NAME)
// the search indexer that keeps the message search postings and the room
// purger that removes deleted channels' items, and (with TABLE_NAME and
// PUSH_QUEUE_URL) the notifier that queues Web Push jobs and tells the
// email digest about people it could not reach, and (with
// UNFURL_QUEUE_URL) the enqueuer of link-preview jobs, and (with TABLE_NAME,
// DIGEST_FROM and the digest key) customer support's mail. It links the table's store
// (internal/dynamo) but not the service.
package streamapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/analytics"
	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/emf"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/filesweep"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/retention"
	"github.com/backchannel-chat/backchannel/internal/roompurge"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/search"
	"github.com/backchannel-chat/backchannel/internal/stream"
	"github.com/backchannel-chat/backchannel/internal/unfurl"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	awsConfig  *aws.Config
	httpClient *http.Client
	logger     *slog.Logger
	missed     notify.MissedNotifier
	sqsURL     string
	digest     *app.DigestConfig
	metrics    io.Writer
}

// WithAnalyticsMetrics makes the analytics consumer print its headline
// figures as CloudWatch EMF documents to w (the Lambda's stdout).
func WithAnalyticsMetrics(w io.Writer) Option { return func(o *options) { o.metrics = w } }

// WithDigestScheduling makes the email digest (internal/digest) the
// notifier's MissedNotifier: its scheduling side only (a missed item and
// one EventBridge Scheduler schedule per person), which needs no key, no
// mailer and no addresses. The stream function passes it when its
// environment has DIGEST_TARGET_ARN (the stack sets it with mail on).
func WithDigestScheduling(cfg app.DigestConfig) Option {
	return func(o *options) { o.digest = &cfg }
}

// WithSQSEndpoint points the push queue's SQS client at url (the tests'
// stand-in) whatever the AWS config's base endpoint says.
func WithSQSEndpoint(url string) Option { return func(o *options) { o.sqsURL = url } }

// WithMissedNotifier tells m about notified people with no connection
// (the email digest); the default does nothing.
func WithMissedNotifier(m notify.MissedNotifier) Option { return func(o *options) { o.missed = m } }

// WithAWSConfig uses cfg instead of loading the default configuration.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.awsConfig = &cfg } }

// WithHTTPClient sends the EventBridge requests through c when no AWS
// config is given.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithLogger replaces the JSON logger on stderr at the configured level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Build wires the stream handler from cfg. AWS_ENDPOINT_URL_EVENTBRIDGE (or
// the config's BaseEndpoint) points the publisher at a stand-in.
func Build(ctx context.Context, cfg app.StreamConfig, opts ...Option) (*stream.Handler, error) {
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
	awsCfg, err := awsconfig.Load(ctx, o.awsConfig, o.httpClient)
	if err != nil {
		return nil, err
	}
	bus, err := eventbus.New(eventbridge.NewFromConfig(awsCfg), eventbus.Config{
		BusName: cfg.EventBusName, IncludeText: cfg.IncludeText, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("app: event bus: %w", err)
	}
	consumers := []chat.EventConsumer{bus}
	var records []stream.RecordConsumer
	if cfg.FilesBucket != "" {
		blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.FilesBucket, UsePathStyle: cfg.S3UsePathStyle})
		if err != nil {
			return nil, fmt.Errorf("app: files bucket: %w", err)
		}
		consumers = append(consumers, filesweep.New(blobs, logger))
	}
	if cfg.TableName != "" {
		store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg, dynamo.LocalEndpointOptions), cfg.TableName)
		if err != nil {
			return nil, fmt.Errorf("app: store: %w", err)
		}
		consumers = append(consumers, search.NewIndexer(store), roompurge.New(store, 0, logger),
			retention.New(store, int(cfg.RetentionDays), 0, logger))
		counter := &analytics.Consumer{Store: store, Decode: dynamo.DecodeAnalyticsRecord, Logger: logger}
		if o.metrics != nil {
			if counter.Metrics, err = emf.New(o.metrics, analytics.MetricsNamespace); err != nil {
				return nil, fmt.Errorf("app: analytics metrics: %w", err)
			}
		}
		records = append(records, counter)
		if cfg.SupportMail() { // customer support's mail (support.go)
			mail, err := supportMail(ctx, awsCfg, cfg, store, logger)
			if err != nil {
				return nil, err
			}
			consumers = append(consumers, mail)
		}
		if o.digest != nil && o.missed == nil {
			if err := o.digest.ValidateScheduler(); err != nil {
				return nil, err
			}
			ddb := dynamodb.NewFromConfig(awsCfg, dynamo.LocalEndpointOptions)
			d, err := digest.New(digest.Config{
				Prefs: digest.StorePrefs{Store: store}, Chat: store, Store: digest.NewDynamoStore(ddb, o.digest.TableName),
				Timer:  &digest.SchedulerTimer{Client: scheduler.NewFromConfig(awsCfg), Group: o.digest.ScheduleGroup, RoleARN: o.digest.SchedulerRole, TargetARN: o.digest.TargetARN},
				Logger: logger,
			})
			if err != nil {
				return nil, fmt.Errorf("app: digest: %w", err)
			}
			o.missed = d
		}
		if cfg.PushQueueURL != "" {
			n, err := notify.New(notify.Config{
				Store: store, Queue: notify.NewSQSQueue(sqs.NewFromConfig(awsCfg, func(so *sqs.Options) {
					if o.sqsURL != "" {
						so.BaseEndpoint = aws.String(o.sqsURL)
					}
				}), cfg.PushQueueURL),
				Missed: o.missed, Previews: !cfg.NoPushPreviews, Logger: logger,
			})
			if err != nil {
				return nil, fmt.Errorf("app: notifier: %w", err)
			}
			consumers = append(consumers, n)
		}
	}
	if cfg.UnfurlQueueURL != "" {
		consumers = append(consumers, &unfurl.Enqueuer{Queue: unfurl.NewQueue(sqs.NewFromConfig(awsCfg, func(so *sqs.Options) {
			if o.sqsURL != "" {
				so.BaseEndpoint = aws.String(o.sqsURL)
			}
		}), cfg.UnfurlQueueURL)})
	}
	h, err := stream.New(stream.Config{Consumers: consumers, Records: records, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("app: stream handler: %w", err)
	}
	return h, nil
}
