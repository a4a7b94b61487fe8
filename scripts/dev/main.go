// Command dev runs Backchannel on this machine (`make dev`): DynamoDB Local,
// cognito-local and an in-process S3 stand in for AWS, the chat's handlers
// run in-process behind the local API Gateway (internal/local/localgw), and a web
// server serves the client and its /config.json.
//
//	go run ./scripts/dev [--data DIR] [--port 8080] [--demo-port 8081] [--web web/dist] [--ready-file PATH]
//
// AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_DYNAMODB / _COGNITO_IDENTITY_PROVIDER
// / _S3 point a service at LocalStack or a real account instead of starting
// its emulator; TABLE_NAME, COGNITO_USER_POOL_ID + COGNITO_CLIENT_ID and
// FILES_BUCKET name existing resources there (else they are provisioned).
// The stream function runs too: a poller of DynamoDB Local's stream feeds
// its handler, which publishes chat events to a local EventBridge stand-in
// (one line printed per event, the recent ones at /events), or to
// AWS_ENDPOINT_URL_EVENTBRIDGE when set (bus EVENT_BUS_NAME, default
// backchannel-events), and sweeps a deleted message's files from the
// bucket: the consumers of functions/stream, built by the same
// streamapp.Build. Its notifier queues Web Push jobs on a local push queue,
// which the push sender (functions/pushsender's worker) sends to a local
// Web Push service stand-in (received pushes, decrypted, at its
// /messages), with a VAPID key pair generated once into the data
// directory (vapid.json).
// Email for what was missed (internal/digest) runs against a local SES v2
// stand-in, whose mails show at /dev/mails, and a local EventBridge
// Scheduler stand-in that invokes the digest function in-process
// (AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_SCHEDULER, not AWS_ENDPOINT_URL
// alone, point elsewhere);
// the unsubscribe links go to /unsubscribe.
// Link previews: the stream's enqueuer fills a local unfurl queue that
// functions/unfurl's worker reads; its fetcher refuses loopback addresses
// but on the ports DEV_UNFURL_LOOPBACK_PORTS lists (the e2e test's page).
// The support widget: /widget/v1/widget.js, embedded by a demo third-party
// site on --demo-port (widgetdemo.go).
// Ctrl-C stops everything, the emulators included.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/service"
)

type flags struct {
	data      string
	port      int
	demoPort  int
	web       string
	readyFile string
	log       string
}

func main() {
	var f flags
	flag.StringVar(&f.data, "data", "", "keep the emulators' data in `DIR` between runs (default: a temporary directory, removed on exit)")
	flag.IntVar(&f.port, "port", 8080, "web server `port` on 127.0.0.1 (0 picks a free one)")
	flag.IntVar(&f.demoPort, "demo-port", 8081, "`port` on 127.0.0.1 of the demo third-party site that embeds the support widget (0 picks a free one)")
	flag.StringVar(&f.web, "web", "web/dist", "`DIR` of the built web client")
	flag.StringVar(&f.readyFile, "ready-file", "", "once ready, write the URLs as JSON to `PATH` (for tests that start the stack)")
	flag.StringVar(&f.log, "log", "text", "request log `FORMAT`: text (one short line per request) or json (as the Lambdas log in AWS)")
	flag.Parse()
	if f.log != "text" && f.log != "json" {
		fmt.Fprintf(os.Stderr, "dev: --log must be text or json, not %q\n", f.log)
		os.Exit(2)
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "dev: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run(f flags) (err error) {
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stopSignals()
	started := time.Now()

	stack, err := devstack.Start(ctx, devstack.Options{
		DataDir:   f.data,
		Progress:  os.Stderr,
		S3:        true,
		Provision: true,
		// Offboarding needs AdminUserGlobalSignOut and disabled users
		// refused, which cognito-local lacks.
		CognitoStandIn: true,
	})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stack.Close()) }()

	fanout, err := startFanoutQueue(ctx, stack) // sets FANOUT_QUEUE_URL for the chat
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, fanout.Close()) }()

	push, err := startPush(ctx, stack, fanout) // sets VAPID_PUBLIC_KEY and PUSH_QUEUE_URL
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, push.Close()) }()

	sched, err := startScheduler(stack) // sets AWS_ENDPOINT_URL_SCHEDULER and SCHEDULED_* for the chat
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sched.Close()) }()
	gifs, err := startGifs(os.Stderr) // sets GIF_API_KEY, GIF_ENDPOINT_URL and GIF_MEDIA_ORIGINS
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, gifs.Close()) }()

	review, err := startReview(os.Stderr) // REVIEW_HOOK=example: sets REVIEW_HOOK_FUNCTION and AWS_ENDPOINT_URL_LAMBDA
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, review.Close()) }()

	exports, err := startExportQueue(ctx, fanout) // sets EXPORT_QUEUE_URL for the actions function
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, exports.Close()) }()
	erasureQ, err := startErasureQueue(ctx, fanout) // sets ERASURE_QUEUE_URL for the actions function
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, erasureQ.Close()) }()

	// The support widget's visitor keys derive from the digest's key
	// (DIGEST_KEY): the same one for both, set before the chat is built.
	if os.Getenv(app.EnvDigestKey) == "" {
		key, _, err := devDigestKey(f.data)
		if err != nil {
			return err
		}
		if err := os.Setenv(app.EnvDigestKey, key); err != nil {
			return err
		}
	}
	chat, err := startChat(ctx, stack, f.log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, chat.Close()) }()
	erasureQ.startWorker(ctx, chat.app.Service, chat.app.Logger)
	if err := fanout.startWorkers(ctx, chat.metrics); err != nil {
		return err
	}
	if err := push.startSender(ctx, stack); err != nil {
		return err
	}
	unfurl, err := startUnfurlQueue(ctx, fanout) // sets UNFURL_QUEUE_URL for the stream function
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, unfurl.Close()) }()
	if err := unfurl.startWorker(ctx, chat.metrics); err != nil {
		return err
	}

	missed := &lateMissed{}        // the digest starts after the web server, which needs the events
	supportMail := &lateConsumer{} // support's mail, once the digest's SES and key exist (supportbot.go)
	events, err := startEvents(ctx, stack, missed, supportMail, os.Stdout)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, events.Close()) }()

	hosted, err := startHostedDomain(stack)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, hosted.Close()) }()
	hostedURL := ""
	if hosted != nil {
		hostedURL = hosted.url
	}

	web, err := startWeb(f.port, f.web, webConfig(stack, chat.gateway.URL(), hostedURL), events.listHandler())
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, web.Close()) }()
	// The web server serves the HTTP API under /api/: slash commands'
	// responseUrl points there (HTTP_API_URL in AWS).
	chat.app.Service.SetCommandResponseBase(strings.TrimRight(web.url, "/") + service.CommandResponsePath)
	if hosted != nil {
		hosted.ui.SetCallbackURLs(web.url) // the app client's callback: the site's origin and "/"
	}

	sched.register(chat.app.Service, chat.app.Logger, web.mux)
	startTTLSweep(ctx, stack, web.mux, chat.app.Logger)
	registerTerms(web, chat.app.Service)
	registerHTTPAPI(web, chat.app.HTTP, chat.app.Logger)
	registerWidgetScript(web)
	demo, err := startDemo(f.demoPort, appOrigin(web.url))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, demo.Close()) }()
	if err := seedDemoWidget(ctx, stack, demo); err != nil {
		return err
	}

	digest, err := startDigest(ctx, stack, web, f.data, os.Stdout, sched.sched)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, digest.Close()) }()
	missed.set(digest.app.Digest)
	if err := startSupportMail(ctx, stack, digest, supportMail); err != nil {
		return err
	}
	if err := exports.startWorker(ctx, web.url, chat.metrics); err != nil {
		return err
	}

	info := describe(stack, chat, web, f)
	info.HostedDomain = hostedURL
	info.addEvents(events)
	info.PushService = push.svc.URL()
	info.Gifs = gifs.URL()
	info.ReviewHook = review.URL()
	info.addDigest(digest)
	printInfo(os.Stdout, info, time.Since(started))
	sched.describe(os.Stdout, web.url)
	describeTTLSweep(os.Stdout, web.url)
	describeHTTPAPI(os.Stdout, web.url)
	describeDemo(os.Stdout, demo, web.url)
	info.DemoURL, info.WidgetID, info.AppOrigin = demo.url, demo.widgetID(), appOrigin(web.url)
	describeTerms(os.Stdout, web.url)
	if pool := stack.CognitoPoolFile(info.UserPoolID); pool != "" {
		// The codes stand out in the log and are kept on a local page too,
		// with the app's address repeated (the banner has scrolled away).
		codes := &signUpCodes{}
		web.mux.Handle("GET /dev/codes", codes)
		go devstack.WatchSignUpCodes(ctx, pool, time.Second, func(email, code string) {
			codes.add(email, code)
			fmt.Printf("\n>>> Sign-up code for %s: %s  (cognito-local sends no email; all codes: %sdev/codes)\n>>> App: %s\n\n", email, code, web.url, web.url)
		})
	}
	if f.readyFile != "" {
		if err := writeReadyFile(f.readyFile, info); err != nil {
			return err
		}
		defer os.Remove(f.readyFile)
	}

	select {
	case <-ctx.Done():
	case err := <-web.failed:
		return err
	}
	stopSignals() // a second Ctrl-C kills at once; the kernel still ends the emulators (Pdeathsig)
	fmt.Fprintln(os.Stderr, "\nStopping...")
	return nil
}
