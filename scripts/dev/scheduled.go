package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/scheduledapp"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/scheduled"
	"github.com/backchannel-chat/backchannel/internal/service"
)

const (
	devScheduledGroup = "backchannel-scheduled"
	devScheduledFn    = "arn:aws:lambda:us-east-1:000000000000:function:backchannel-scheduled"
	devScheduledRole  = "arn:aws:iam::000000000000:role/backchannel-scheduled-scheduler"
)

// schedulerRunner is the EventBridge Scheduler stand-in of make dev, shared
// by the digest and scheduled messages and reminders (one group each),
// unless AWS_ENDPOINT_URL_SCHEDULER points elsewhere (then scheduled
// messages need a deployed scheduled function, as digests do).
type schedulerRunner struct {
	sched *localscheduler.Server // nil when external
	url   string
}

// startScheduler runs before startChat: it sets AWS_ENDPOINT_URL_SCHEDULER
// and the SCHEDULED_* variables the actions function reads.
func startScheduler(stack *devstack.Stack) (*schedulerRunner, error) {
	r := &schedulerRunner{url: os.Getenv("AWS_ENDPOINT_URL_SCHEDULER")}
	if r.url == "" {
		s, err := localscheduler.Start("127.0.0.1:0", localscheduler.Config{Groups: []string{devDigestGroup, devScheduledGroup}, Region: stack.Region})
		if err != nil {
			return nil, err
		}
		r.sched, r.url = s, s.URL()
	}
	for name, value := range map[string]string{
		"AWS_ENDPOINT_URL_SCHEDULER": r.url,
		app.EnvScheduledGroup:        firstSet(os.Getenv(app.EnvScheduledGroup), devScheduledGroup),
		app.EnvScheduledRole:         firstSet(os.Getenv(app.EnvScheduledRole), devScheduledRole),
		app.EnvScheduledTargetARN:    firstSet(os.Getenv(app.EnvScheduledTargetARN), devScheduledFn),
	} {
		if err := os.Setenv(name, value); err != nil {
			return nil, errors.Join(err, r.Close())
		}
	}
	return r, nil
}

// scheduledChatOptions: fired reminders go onto the push queue (startPush
// set PUSH_QUEUE_URL), as the scheduled function's do.
func scheduledChatOptions(ctx context.Context) ([]chatapp.Option, error) {
	url := os.Getenv(app.EnvPushQueueURL)
	if url == "" {
		return nil, nil
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return []chatapp.Option{chatapp.WithReminderPush(&scheduled.QueuePush{Queue: notify.NewSQSQueue(sqs.NewFromConfig(awsCfg), url), Previews: true})}, nil
}

// register makes the stand-in invoke the scheduled function's handler,
// in-process over the chat's service, and serves the test hook
// POST /dev/scheduled/fire on the web server: every pending scheduled
// message and reminder is delivered now (make dev otherwise keeps real
// time).
func (r *schedulerRunner) register(svc *service.Chat, logger *slog.Logger, mux *http.ServeMux) {
	if r.sched == nil {
		return
	}
	h := scheduledapp.New(svc, logger)
	r.sched.Register(devScheduledFn, func(ctx context.Context, input []byte) error { return h.Handle(ctx, input) })
	mux.HandleFunc("POST /dev/scheduled/fire", func(w http.ResponseWriter, _ *http.Request) {
		n := r.sched.FireNow(devScheduledGroup, "sched-")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"fired": n})
	})
}

func (r *schedulerRunner) describe(out io.Writer, webURL string) {
	if r.sched != nil {
		fmt.Fprintf(out, "Scheduled messages: EventBridge Scheduler stand-in %s (deliver all now: curl -X POST %sdev/scheduled/fire)\n", r.url, webURL)
	}
}

func (r *schedulerRunner) Close() error {
	if r == nil || r.sched == nil {
		return nil
	}
	return r.sched.Close()
}
