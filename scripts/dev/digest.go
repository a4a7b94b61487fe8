package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/digestapp"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/local/localses"
)

const (
	devDigestGroup   = "backchannel-digest"
	devDigestFn      = "arn:aws:lambda:us-east-1:000000000000:function:backchannel-digest"
	devDigestRole    = "arn:aws:iam::000000000000:role/backchannel-digest-scheduler"
	devDigestFrom    = "Backchannel <noreply@backchannel.localhost>"
	devDigestKeyFile = "digest-key"
)

// digestRunner is email for what was missed running locally: the SES v2
// stand-in (its mails at /dev/mails) and the EventBridge Scheduler
// stand-in invoking the digest function's handler in-process, unless
// AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_SCHEDULER point elsewhere; the
// unsubscribe endpoint at /unsubscribe of the web server.
type digestRunner struct {
	ses       *localses.Server       // nil when SES is external
	sched     *localscheduler.Server // nil when the scheduler is external
	shared    bool                   // sched is startScheduler's
	app       *digestapp.App
	sesURL    string
	schedURL  string
	mailsURL  string
	unsubURL  string
	keyOrigin string
	from, key string // the sender and the key (support's mail uses them too)
}

// startDigest runs after startChat (the environment points at the stack)
// and startWeb (the links point at the web server).
func startDigest(ctx context.Context, stack *devstack.Stack, web *webServer, dataDir string, out io.Writer, shared *localscheduler.Server) (_ *digestRunner, err error) {
	d := &digestRunner{}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
		}
	}()
	// Each follows only its own variable: AWS_ENDPOINT_URL alone (say,
	// LocalStack's) keeps the stand-ins, since an external Scheduler cannot
	// invoke the in-process digest handler and an external SES wants
	// verified identities.
	d.sesURL = os.Getenv("AWS_ENDPOINT_URL_SESV2")
	if d.sesURL == "" {
		d.ses, err = localses.Start("127.0.0.1:0", localses.Config{OnMail: func(m localses.Mail) {
			fmt.Fprintf(out, "\n>>> Mail to %s: %q  (SES v2 stand-in: %sdev/mails/%s)\n\n", strings.Join(m.To, ", "), m.Subject, web.url, m.ID)
		}})
		if err != nil {
			return nil, err
		}
		d.sesURL = d.ses.URL()
		d.mailsURL = web.url + "dev/mails"
		web.mux.Handle("GET /dev/mails", d.ses.PageHandler())
		web.mux.Handle("GET /dev/mails/{id}", d.ses.PageHandler())
	}
	d.schedURL = os.Getenv("AWS_ENDPOINT_URL_SCHEDULER")
	if shared != nil { // the stand-in scheduled messages use too (scheduled.go), closed by its runner
		d.sched, d.shared, d.schedURL = shared, true, shared.URL()
	}
	if d.schedURL == "" {
		if d.sched, err = localscheduler.Start("127.0.0.1:0", localscheduler.Config{Groups: []string{devDigestGroup}, Region: stack.Region}); err != nil {
			return nil, err
		}
		d.schedURL = d.sched.URL()
	}
	for name, value := range map[string]string{"AWS_ENDPOINT_URL_SESV2": d.sesURL, "AWS_ENDPOINT_URL_SCHEDULER": d.schedURL} {
		if err := os.Setenv(name, value); err != nil {
			return nil, err
		}
	}
	key, origin, err := devDigestKey(dataDir)
	if err != nil {
		return nil, err
	}
	d.keyOrigin = origin
	d.unsubURL = web.url + "unsubscribe"
	cfg, err := app.DigestConfigFromEnv()
	if err != nil {
		return nil, err
	}
	cfg.SiteURL = strings.TrimRight(web.url, "/")
	cfg.From = firstSet(cfg.From, devDigestFrom)
	cfg.UnsubscribeURL = d.unsubURL
	cfg.Key, cfg.KeySecretARN = key, ""
	cfg.ScheduleGroup = devDigestGroup
	cfg.SchedulerRole, cfg.TargetARN = devDigestRole, devDigestFn
	if err := cfg.ValidateSender(); err != nil {
		return nil, err
	}
	d.from, d.key = cfg.From, cfg.Key
	awsCfg, err := config.LoadDefaultConfig(ctx) // reads the endpoints set above
	if err != nil {
		return nil, err
	}
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	if d.app, err = digestapp.Build(ctx, cfg, digestapp.WithAWSConfig(awsCfg), digestapp.WithLogger(logger)); err != nil {
		return nil, fmt.Errorf("build the digest: %w", err)
	}
	if d.sched != nil {
		d.sched.Register(devDigestFn, func(ctx context.Context, input []byte) error { return d.app.HandleSchedule(ctx, input) })
	}
	web.mux.Handle("/unsubscribe", d.app.Digest.UnsubscribeHandler())
	return d, nil
}

// devDigestKey is the unsubscribe links' HMAC key: DIGEST_KEY, or one
// generated once into the data directory (links in mails kept there stay
// valid), or one per run.
func devDigestKey(dataDir string) (key, origin string, err error) {
	if k := os.Getenv(app.EnvDigestKey); k != "" {
		return k, app.EnvDigestKey, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	fresh := hex.EncodeToString(b)
	if dataDir == "" {
		return fresh, "generated for this run", nil
	}
	path := filepath.Join(dataDir, devDigestKeyFile)
	if old, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(old))) >= 32 {
		return strings.TrimSpace(string(old)), path, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(path, []byte(fresh+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("digest key: %w", err)
	}
	return fresh, path, nil
}

func (d *digestRunner) Close() error {
	var errs []error
	if d.sched != nil && !d.shared {
		errs = append(errs, d.sched.Close())
	}
	if d.ses != nil {
		errs = append(errs, d.ses.Close())
	}
	return errors.Join(errs...)
}

// lateMissed is the stream notifier's MissedNotifier in make dev: the
// digest, once it runs (it starts after the web server, whose links it
// needs, and the web server after the events, whose page it serves).
// Until then a missed message is not scheduled.
type lateMissed struct {
	d atomic.Pointer[digest.Service]
}

func (l *lateMissed) set(d *digest.Service) { l.d.Store(d) }

func (l *lateMissed) Missed(ctx context.Context, userID, roomID string, seq int64, reason string) error {
	if d := l.d.Load(); d != nil {
		return d.Missed(ctx, userID, roomID, seq, reason)
	}
	return nil
}
