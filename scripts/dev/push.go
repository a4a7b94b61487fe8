package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/pushsenderapp"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/pushsvc"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

const (
	defaultPushQueue = "backchannel-push"
	devVAPIDSubject  = "mailto:dev@backchannel.localhost"
)

// pushPipeline is issue #13's Web Push running locally: the VAPID key
// pair (generated once into the data directory, as the deploy-time
// generator does into Secrets Manager), the push queue on the same SQS as
// the fan-out queue, the push sender invoked by a poller as Lambda's
// event source mapping would, and the Web Push service stand-in
// (internal/local/pushsvc). The sender trusts the stand-in's certificate
// beside the system's roots, so a real browser's subscription (FCM,
// Mozilla) works too when this machine can reach it.
type pushPipeline struct {
	svc      *pushsvc.Server
	keysFile string
	queueURL string
	client   *sqs.Client
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

// startPush runs before startChat and startEvents: it sets
// VAPID_PUBLIC_KEY (the actions' config) and PUSH_QUEUE_URL (the stream
// function's).
func startPush(ctx context.Context, stack *devstack.Stack, fanout *fanoutWorkers) (_ *pushPipeline, err error) {
	p := &pushPipeline{client: fanout.client}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Close())
		}
	}()
	p.keysFile = firstSet(os.Getenv(app.EnvVAPIDKeysFile), filepath.Join(filepath.Dir(stack.LogDir), "vapid.json"))
	keys, err := loadOrCreateKeys(p.keysFile)
	if err != nil {
		return nil, err
	}
	out, err := p.client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(defaultPushQueue),
		Attributes: map[string]string{"VisibilityTimeout": "60"},
	})
	if err != nil {
		return nil, fmt.Errorf("create the push queue: %w", err)
	}
	p.queueURL = aws.ToString(out.QueueUrl)
	p.svc = pushsvc.Start()
	for k, v := range map[string]string{
		app.EnvVAPIDPublicKey: keys.PublicKey, app.EnvPushQueueURL: p.queueURL, app.EnvVAPIDKeysFile: p.keysFile,
		app.EnvVAPIDSubject: firstSet(os.Getenv(app.EnvVAPIDSubject), devVAPIDSubject),
	} {
		if err := os.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// loadOrCreateKeys reads the key pair file, or generates it (0600).
func loadOrCreateKeys(path string) (webpush.Keys, error) {
	doc, err := os.ReadFile(path)
	if err == nil {
		return webpush.ParseKeys(doc)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return webpush.Keys{}, err
	}
	keys, err := webpush.GenerateKeys()
	if err != nil {
		return webpush.Keys{}, err
	}
	doc, _ = json.Marshal(keys)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return webpush.Keys{}, err
	}
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return webpush.Keys{}, fmt.Errorf("write the VAPID keys: %w", err)
	}
	return keys, nil
}

// startSender runs after startChat (TABLE_NAME is set by then).
func (p *pushPipeline) startSender(ctx context.Context, stack *devstack.Stack) error {
	if err := os.Setenv(app.EnvTableName, stack.Resources.TableName); err != nil {
		return err
	}
	cfg, err := app.PushSenderConfigFromEnv()
	if err != nil {
		return err
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	roots.AddCert(p.svc.Certificate())
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}}
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	worker, err := pushsenderapp.Build(ctx, cfg, pushsenderapp.WithAWSConfig(stack.AWS),
		pushsenderapp.WithPushClient(client), pushsenderapp.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("build the push sender: %w", err)
	}
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.done.Go(func() {
		localsqs.Poll(ctx, p.client, localsqs.PollConfig{QueueURL: p.queueURL, BatchSize: 10, Concurrency: 2, Logger: logger}, worker.Handle)
	})
	return nil
}

func (p *pushPipeline) Close() error {
	if p.cancel != nil {
		p.cancel()
		p.done.Wait()
	}
	if p.svc != nil {
		p.svc.Close()
	}
	return nil
}
