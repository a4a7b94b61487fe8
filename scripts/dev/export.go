package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/exportapp"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

const defaultExportQueue = "backchannel-export"

// exportPipeline is "Export my data" running locally: the export queue on
// the same SQS as the fan-out queue (the actions put jobs on it) and
// functions/export's worker invoked by a poller as Lambda's event source
// mapping would (one job at a time). The ready email goes through the
// digest's SES (the stand-in's mails page) when the person is offline.
type exportPipeline struct{ *localJobQueue }

// startExportQueue runs before startChat: it sets EXPORT_QUEUE_URL, which
// the actions function's configuration reads.
func startExportQueue(ctx context.Context, fanout *fanoutWorkers) (*exportPipeline, error) {
	q, err := newLocalJobQueue(ctx, fanout, defaultExportQueue, 900, app.EnvExportQueueURL)
	if err != nil {
		return nil, err
	}
	return &exportPipeline{q}, nil
}

// startWorker runs after startDigest (SES's endpoint is set by then) and
// startWeb (siteURL: the email's link).
func (x *exportPipeline) startWorker(ctx context.Context, siteURL string, metrics io.Writer) error {
	cfg, err := app.ExportConfigFromEnv()
	if err != nil {
		return err
	}
	cfg.MailFrom = firstSet(cfg.MailFrom, devDigestFrom)
	cfg.SiteURL = strings.TrimRight(siteURL, "/")
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	worker, err := exportapp.Build(ctx, cfg, exportapp.WithChatOptions(chatapp.WithLogger(logger), chatapp.WithMetrics(metrics)))
	if err != nil {
		return fmt.Errorf("build the export worker: %w", err)
	}
	x.poll(ctx, localsqs.PollConfig{BatchSize: 1, Concurrency: 1, Logger: logger}, worker.Handle)
	return nil
}
