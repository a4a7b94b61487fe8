package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/local/localsecrets"
	"github.com/backchannel-chat/backchannel/internal/local/localses"
)

// The contract tests of the adapters (internal/digest, internal/app/...)
// run one test body against whichever service testenv chooses: the
// endpoint scripts/testenv was given (loopback only: LocalStack in `make
// test-localstack`), else the local stand-in. NewSES and NewScheduler, by
// contrast, always start the stand-ins: the digest's end-to-end tests
// need a scheduler that invokes an in-process handler and a mailbox to
// read, which LocalStack cannot give.

// Endpoint variables the contract helpers read.
const (
	// EnvEndpointSES is SES v1's; LocalStack serves both APIs on one
	// endpoint, so the mail helper falls back to it for v2.
	EnvEndpointSES            = "AWS_ENDPOINT_URL_SES"
	EnvEndpointSecretsManager = "AWS_ENDPOINT_URL_SECRETS_MANAGER"
)

// external is the endpoint given for the service, "" outside the
// integration environment.
func external(names ...string) string {
	if !Enabled() {
		return ""
	}
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// MailService is SES v2 for a contract test.
type MailService struct {
	Endpoint string
	External bool
	local    *localses.Server
}

// NewMailService chooses SES v2: AWS_ENDPOINT_URL_SESV2 (else
// AWS_ENDPOINT_URL_SES, the same LocalStack) when given, else the
// stand-in (internal/local/localses), serving until the test ends.
func NewMailService(t testing.TB) *MailService {
	t.Helper()
	if ep := external(EnvEndpointSESv2, EnvEndpointSES); ep != "" {
		return &MailService{Endpoint: ep, External: true}
	}
	s, err := localses.Start("127.0.0.1:0", localses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &MailService{Endpoint: s.URL(), local: s}
}

// Client is an SES v2 client on the chosen endpoint.
func (m *MailService) Client(cfg aws.Config) *sesv2.Client {
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(m.Endpoint) })
}

// VerifyIdentity makes address a sender LocalStack accepts (SES v1
// VerifyEmailIdentity, which LocalStack answers as verified at once); the
// stand-in accepts any sender.
func (m *MailService) VerifyIdentity(t testing.TB, address string) {
	t.Helper()
	if !m.External {
		return
	}
	form := url.Values{"Action": {"VerifyEmailIdentity"}, "Version": {"2010-12-01"}, "EmailAddress": {address}}
	req, err := http.NewRequestWithContext(setupContext(t), http.MethodPost, m.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// LocalStack routes by the credential scope's service name.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+time.Now().UTC().Format("20060102")+"/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("VerifyEmailIdentity: %v", err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("VerifyEmailIdentity %s: %d %s", address, resp.StatusCode, body)
	}
}

// Sent returns what the service stored from sender: the stand-in's mails,
// or LocalStack's (its /_aws/ses endpoint, without the custom headers,
// which it does not keep).
func (m *MailService) Sent(t testing.TB, sender string) []localses.Mail {
	t.Helper()
	if !m.External {
		var out []localses.Mail
		for _, mail := range m.local.Mails() {
			if strings.Contains(mail.From, sender) {
				out = append(out, mail)
			}
		}
		return out
	}
	req, err := http.NewRequestWithContext(setupContext(t), http.MethodGet, m.Endpoint+"/_aws/ses?email="+url.QueryEscape(sender), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Messages []struct {
			ID          string `json:"Id"`
			Source      string `json:"Source"`
			Subject     string `json:"Subject"`
			Destination struct {
				ToAddresses []string `json:"ToAddresses"`
			} `json:"Destination"`
			Body struct {
				Text string `json:"text_part"`
				HTML string `json:"html_part"`
			} `json:"Body"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("LocalStack /_aws/ses: %d: %v", resp.StatusCode, err)
	}
	out := make([]localses.Mail, 0, len(doc.Messages))
	for _, msg := range doc.Messages {
		out = append(out, localses.Mail{ID: msg.ID, From: msg.Source, To: msg.Destination.ToAddresses, Subject: msg.Subject, Text: msg.Body.Text, HTML: msg.Body.HTML})
	}
	return out
}

// ScheduleService is EventBridge Scheduler for a contract test.
type ScheduleService struct {
	Endpoint string
	External bool
}

// NewScheduleService chooses EventBridge Scheduler: AWS_ENDPOINT_URL_SCHEDULER
// when given, else the stand-in (internal/local/localscheduler, which
// invokes nothing unless targets are registered), serving until the test
// ends.
func NewScheduleService(t testing.TB) *ScheduleService {
	t.Helper()
	if ep := external(EnvEndpointScheduler); ep != "" {
		return &ScheduleService{Endpoint: ep, External: true}
	}
	s, err := localscheduler.Start("127.0.0.1:0", localscheduler.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &ScheduleService{Endpoint: s.URL()}
}

// Client is a Scheduler client on the chosen endpoint.
func (s *ScheduleService) Client(cfg aws.Config) *scheduler.Client {
	return scheduler.NewFromConfig(cfg, func(o *scheduler.Options) { o.BaseEndpoint = aws.String(s.Endpoint) })
}

// NewScheduleGroup creates a schedule group of the test's own name,
// deleted when the test ends.
func (s *ScheduleService) NewScheduleGroup(t testing.TB, cfg aws.Config) string {
	t.Helper()
	name := uniqueName(t, "g-", 64)
	c := s.Client(cfg)
	if _, err := c.CreateScheduleGroup(setupContext(t), &scheduler.CreateScheduleGroupInput{Name: aws.String(name)}); err != nil {
		t.Fatalf("CreateScheduleGroup on %s: %v", s.Endpoint, err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteScheduleGroup(context.Background(), &scheduler.DeleteScheduleGroupInput{Name: aws.String(name)})
	})
	return name
}

// NewSecretsManager chooses Secrets Manager: AWS_ENDPOINT_URL_SECRETS_MANAGER
// when given (LocalStack in `make test-localstack`), else the stand-in
// (internal/local/localsecrets), serving until the test ends, with
// AWS_ENDPOINT_URL_SECRETS_MANAGER pointed at it (t.Setenv: the test
// cannot be parallel). Call it before AWSConfig, so that the code under
// test, which makes its own client from the configuration, finds it too.
// It returns a client on the chosen endpoint.
func NewSecretsManager(t testing.TB) *SecretsService {
	t.Helper()
	if !Enabled() {
		t.Skip("integration test: run under scripts/testenv (make test), which sets " + EnvIntegration)
	}
	if ep := external(EnvEndpointSecretsManager); ep != "" {
		return &SecretsService{Endpoint: ep, External: true}
	}
	s, err := localsecrets.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t.Setenv(EnvEndpointSecretsManager, s.URL())
	return &SecretsService{Endpoint: s.URL()}
}

// SecretsService is Secrets Manager for a contract test.
type SecretsService struct {
	Endpoint string
	External bool
}

// Client is a Secrets Manager client on the chosen endpoint.
func (s *SecretsService) Client(cfg aws.Config) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(s.Endpoint) })
}

// NewSecret creates a secret of the test's own name holding value and
// returns its ARN; deleted (without recovery) when the test ends.
func NewSecret(t testing.TB, sm *secretsmanager.Client, value string) string {
	t.Helper()
	out, err := sm.CreateSecret(setupContext(t), &secretsmanager.CreateSecretInput{
		Name: aws.String(uniqueName(t, "s-", 200)), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	arn := aws.ToString(out.ARN)
	t.Cleanup(func() {
		_, _ = sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)})
	})
	return arn
}

// Describe names the chosen service in logs and skip messages.
func Describe(endpoint string, externalService bool) string {
	if externalService {
		return fmt.Sprintf("given endpoint %s", endpoint)
	}
	return fmt.Sprintf("stand-in %s", endpoint)
}
