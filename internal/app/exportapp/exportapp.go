// Package exportapp wires the data-export worker (functions/export): the
// chat service over DynamoDB and the management API (it claims and
// finishes the export record and tells the person's connections), the
// store as the archive's source, the files bucket (the files it reads,
// the archive it writes under exports/), and, when configured, the ready
// email through SES to the person's verified address in the user pool.
package exportapp

import (
	"context"
	"fmt"
	"os"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/export"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	chat     []chatapp.Option
	notifier export.Notifier
	tempDir  string
}

// WithChatOptions passes options to the chat service's wiring (AWS
// config, logger, poster, metrics).
func WithChatOptions(opts ...chatapp.Option) Option {
	return func(o *options) { o.chat = append(o.chat, opts...) }
}

// WithNotifier sends the ready email through n instead of SES.
func WithNotifier(n export.Notifier) Option {
	return func(o *options) { o.notifier = n }
}

// WithTempDir spools the archive under dir (default os.TempDir(): /tmp in
// Lambda, its ephemeral storage).
func WithTempDir(dir string) Option {
	return func(o *options) { o.tempDir = dir }
}

// Build wires the worker from cfg.
func Build(ctx context.Context, cfg app.ExportConfig, opts ...Option) (*export.Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	conn := cfg.ConnectionConfig
	conn.Fanout = app.FanoutSettings{} // a few events to one person: inline
	core, err := chatapp.Build(ctx, conn, o.chat...)
	if err != nil {
		return nil, err
	}
	store := core.Store
	blobs, err := s3blob.New(core.AWS, s3blob.Config{Bucket: cfg.FilesBucket, UsePathStyle: cfg.S3UsePathStyle})
	if err != nil {
		return nil, fmt.Errorf("app: export: %w", err)
	}
	w := &export.Worker{Jobs: core.Service, Uploader: blobs, Logger: core.Logger,
		Archive: &export.Writer{Source: store, Files: blobs, TempDir: firstSet(o.tempDir, os.TempDir())}}
	if cfg.UserPoolID != "" {
		addrs := &digest.CognitoAddresses{Profiles: store, Client: cip.NewFromConfig(core.AWS), PoolID: cfg.UserPoolID}
		w.Archive.Email = addrs.EmailAddress
		if cfg.Mail() {
			w.Notifier = &Mail{Addresses: addrs, Mailer: &digest.SESMailer{Client: sesv2.NewFromConfig(core.AWS), From: cfg.MailFrom}, SiteURL: cfg.SiteURL}
		}
	}
	if o.notifier != nil {
		w.Notifier = o.notifier
	}
	return w, nil
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
