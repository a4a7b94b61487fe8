package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// readyInfo is the --ready-file: everything a test (or a person) needs to
// use the running stack.
type readyInfo struct {
	WebURL      string         `json:"webUrl"`
	ConfigURL   string         `json:"configUrl"`
	WSURL       string         `json:"wsUrl"`
	CallbackURL string         `json:"callbackUrl"`
	Region      string         `json:"region"`
	DynamoDB    string         `json:"dynamodbEndpoint"`
	Cognito     string         `json:"cognitoEndpoint"`
	S3          string         `json:"s3Endpoint"`
	TableName   string         `json:"tableName"`
	UserPoolID  string         `json:"userPoolId"`
	ClientID    string         `json:"clientId"`
	Issuer      string         `json:"issuer"`
	Bucket      string         `json:"bucket"`
	WebDir      string         `json:"webDir"`
	LogDir      string         `json:"logDir"`
	PIDs        map[string]int `json:"pids"`                // emulator children (each its own process group)
	EventsURL   string         `json:"eventsUrl"`           // recent chat events (GET, JSON)
	EventBridge string         `json:"eventBridgeEndpoint"` // where the stream function publishes
	EventBus    string         `json:"eventBusName"`
	// MailsURL is the page of the mails the SES v2 stand-in received
	// (digest emails); "" when SES is external.
	MailsURL    string `json:"mailsUrl,omitempty"`
	SESv2       string `json:"sesv2Endpoint,omitempty"`
	Scheduler   string `json:"schedulerEndpoint,omitempty"`
	Unsubscribe string `json:"unsubscribeUrl,omitempty"`
	// HostedDomain is the stand-in for the pool's hosted domain (OAuth
	// endpoints and the local identity provider); "" without one.
	HostedDomain string `json:"hostedDomain,omitempty"`
	// PushService is the Web Push service stand-in: POST /subscriptions
	// makes a subscription, GET /messages lists the pushes received.
	PushService string `json:"pushServiceUrl,omitempty"`
	// Gifs is the GIF provider stand-in (Tenor's API v2); "" when a real
	// provider's key was given.
	Gifs string `json:"gifsUrl,omitempty"`
	// ReviewHook is the Lambda stand-in running the example review hook
	// (REVIEW_HOOK=example); "" when off.
	ReviewHook string `json:"reviewHookUrl,omitempty"`
	// DemoURL is the demo third-party site embedding the support widget
	// WidgetID (the dev seed's "Demo", which allows DemoURL's origin) from
	// AppOrigin (the web server spelled http://localhost:<port>/).
	DemoURL   string `json:"demoUrl,omitempty"`
	WidgetID  string `json:"widgetId,omitempty"`
	AppOrigin string `json:"appOrigin,omitempty"`

	external map[string]bool
	dataDir  string
}

func describe(stack *devstack.Stack, chat *chatServer, web *webServer, f flags) readyInfo {
	r := stack.Resources
	return readyInfo{
		WebURL:      web.url,
		ConfigURL:   web.url + "config.json",
		WSURL:       chat.gateway.URL(),
		CallbackURL: chat.gateway.CallbackURL(),
		Region:      stack.Region,
		DynamoDB:    stack.DynamoDB.URL,
		Cognito:     stack.Cognito.URL,
		S3:          stack.S3.URL,
		TableName:   r.TableName,
		UserPoolID:  r.UserPoolID,
		ClientID:    r.ClientID,
		Issuer:      r.Issuer,
		Bucket:      r.Bucket,
		WebDir:      web.dir,
		LogDir:      stack.LogDir,
		PIDs:        stack.PIDs(),
		external: map[string]bool{
			"dynamodb": stack.DynamoDB.External, "cognito": stack.Cognito.External, "s3": stack.S3.External,
		},
		dataDir: f.data,
	}
}

func printInfo(w io.Writer, i readyInfo, took time.Duration) {
	kept, keptFiles := "in memory, gone on exit", "in memory, gone on exit"
	if i.dataDir != "" {
		kept, keptFiles = "kept in "+i.dataDir, "saved to "+i.dataDir+" on Ctrl-C"
	}
	source := func(name, emulator string) string {
		if i.external[name] {
			return "given by AWS_ENDPOINT_URL*"
		}
		return emulator
	}
	fmt.Fprintf(w, "\nBackchannel is running (ready in %s). Open %s\n\n", took.Round(100*time.Millisecond), i.WebURL)
	fmt.Fprintf(w, "  web client    %s  (files from %s)\n", i.WebURL, i.WebDir)
	fmt.Fprintf(w, "  config        %s\n", i.ConfigURL)
	fmt.Fprintf(w, "  WebSocket     %s\n", i.WSURL)
	fmt.Fprintf(w, "  @connections  %s/@connections/{connectionId}\n", i.CallbackURL)
	fmt.Fprintf(w, "  DynamoDB      %s  table %s  (%s)\n", i.DynamoDB, i.TableName, source("dynamodb", "DynamoDB Local, "+kept))
	fmt.Fprintf(w, "  Cognito       %s  pool %s  client %s  (%s)\n", i.Cognito, i.UserPoolID, i.ClientID, source("cognito", "cognito-local behind the cognitoext stand-in, "+kept))
	fmt.Fprintf(w, "  sign-up       open: anyone can create an account here (a deployment is invite-only unless its signUp context says otherwise)\n")
	fmt.Fprintf(w, "  sign-in       password (USER_PASSWORD_AUTH: cognito-local has no SRP; a deployment uses SRP), optional TOTP MFA (Settings)\n")
	if i.HostedDomain != "" {
		fmt.Fprintf(w, "  provider      %s  (hosted domain stand-in: \"Sign in with the local provider\", real tokens of the local pool)\n", i.HostedDomain)
	}
	fmt.Fprintf(w, "  S3            %s  bucket %s  (%s)\n", i.S3, i.Bucket, source("s3", "gofakes3 in-process, "+keptFiles))
	if i.EventBridge != "" {
		fmt.Fprintf(w, "  events        %s  bus %s at %s  (%s)\n", i.EventsURL, i.EventBus, i.EventBridge,
			source("eventbridge", "local EventBridge stand-in, a line per event below"))
	}
	if i.Gifs != "" {
		fmt.Fprintf(w, "  gifs          %s  (GIF provider stand-in, Tenor's API v2: /v2/search?q=cat&key=%s)\n", i.Gifs, devGifKey)
	}
	if i.ReviewHook != "" {
		fmt.Fprintf(w, "  review hook   %s  (Lambda stand-in running the example review hook %s: masks e-mail addresses and card numbers)\n", i.ReviewHook, devReviewFunction)
	}
	if i.PushService != "" {
		fmt.Fprintf(w, "  web push      %s  (Web Push service stand-in: pushes received, decrypted, at %s/messages)\n", i.PushService, i.PushService)
	}
	if i.SESv2 != "" {
		mail := i.MailsURL
		if mail == "" {
			mail = "(SES v2 given by AWS_ENDPOINT_URL*)"
		}
		fmt.Fprintf(w, "  mail          %s  (digest emails: SES v2 at %s, %s)\n", mail, i.SESv2,
			source("sesv2", "local stand-in, nothing leaves this machine"))
		fmt.Fprintf(w, "  scheduler     %s  (%s)\n", i.Scheduler, source("scheduler", "local EventBridge Scheduler stand-in, invokes the digest in-process"))
	}
	fmt.Fprintf(w, "  logs          %s\n\nPress Ctrl-C to stop.\n\n", i.LogDir)
}

// addEvents describes the stream pipeline.
func (i *readyInfo) addEvents(e *eventPipeline) {
	i.EventsURL = i.WebURL + "events"
	i.EventBridge, i.EventBus = e.endpoint, e.busName
	i.external["eventbridge"] = e.external
}

// writeReadyFile writes atomically: a reader never sees half a file.
func writeReadyFile(path string, i readyInfo) error {
	b, err := json.MarshalIndent(i, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("ready file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}

// addDigest describes email for what was missed.
func (i *readyInfo) addDigest(d *digestRunner) {
	i.MailsURL, i.SESv2, i.Scheduler, i.Unsubscribe = d.mailsURL, d.sesURL, d.schedURL, d.unsubURL
	i.external["sesv2"] = d.ses == nil
	i.external["scheduler"] = d.sched == nil
}
