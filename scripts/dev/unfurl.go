package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/unfurlapp"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

const (
	defaultUnfurlQueue = "backchannel-unfurl"
	// envDevUnfurlPorts lists loopback ports the local link-preview
	// fetcher may reach (comma-separated), so a page served on this
	// machine (the e2e test's) can be previewed. Read here only: the
	// Lambda's configuration (internal/app) has no such variable, and its
	// fetcher refuses every loopback address.
	envDevUnfurlPorts = "DEV_UNFURL_LOOPBACK_PORTS"
)

// unfurlPipeline is link previews running locally: the unfurl queue on
// the same SQS as the fan-out queue (the stream's enqueuer fills it) and
// functions/unfurl's worker invoked by a poller as Lambda's event source
// mapping would.
type unfurlPipeline struct{ *localJobQueue }

// startUnfurlQueue runs before startEvents: it sets UNFURL_QUEUE_URL,
// which the stream function's configuration reads.
func startUnfurlQueue(ctx context.Context, fanout *fanoutWorkers) (*unfurlPipeline, error) {
	q, err := newLocalJobQueue(ctx, fanout, defaultUnfurlQueue, 30, app.EnvUnfurlQueueURL)
	if err != nil {
		return nil, err
	}
	return &unfurlPipeline{q}, nil
}

// devUnfurlPorts parses DEV_UNFURL_LOOPBACK_PORTS.
func devUnfurlPorts() ([]int, error) {
	var ports []int
	for p := range strings.SplitSeq(os.Getenv(envDevUnfurlPorts), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("%s: bad port %q", envDevUnfurlPorts, p)
		}
		ports = append(ports, n)
	}
	return ports, nil
}

// startWorker runs after startChat (WS_CALLBACK_URL and TABLE_NAME are
// set by then).
func (u *unfurlPipeline) startWorker(ctx context.Context, metrics io.Writer) error {
	cfg, err := app.UnfurlConfigFromEnv()
	if err != nil {
		return err
	}
	ports, err := devUnfurlPorts()
	if err != nil {
		return err
	}
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	worker, err := unfurlapp.Build(ctx, cfg, unfurlapp.WithLoopbackPorts(ports...),
		unfurlapp.WithChatOptions(chatapp.WithLogger(logger), chatapp.WithMetrics(metrics)))
	if err != nil {
		return fmt.Errorf("build the unfurl worker: %w", err)
	}
	u.poll(ctx, localsqs.PollConfig{BatchSize: 10, Concurrency: 2, Logger: logger}, worker.Handle)
	return nil
}
