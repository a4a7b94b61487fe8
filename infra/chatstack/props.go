// Package chatstack defines the whole Backchannel deployment as one CDK
// stack: the DynamoDB table, the S3 buckets, Cognito, the API Gateway
// WebSocket API with its Go Lambdas, the CloudFront site and the alarms and
// dashboard that watch them.
package chatstack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/signup"
)

// Defaults used when props leave a field empty.
const (
	DefaultStageName     = "prod"
	DefaultAssetDir      = "build"
	DefaultWebDistDir    = "web/dist"
	DefaultThrottleRate  = 100 // requests per second, steady state, per stage
	DefaultThrottleBurst = 200
	// $connect: below the default (see ConnectThrottleRate).
	DefaultConnectThrottleRate  = 20
	DefaultConnectThrottleBurst = 40
	DefaultRefreshTokenDays     = 30
	DefaultLogLevel             = "info"
	// DefaultEventArchiveDays is how long the event archive (when on) keeps
	// chat events.
	DefaultEventArchiveDays = 30
)

// ChatStackProps configures the stack. The zero value (plus StackProps.Env)
// is a complete, safe deployment: data retained, no custom domains, no
// hosted Cognito domain, no external identity provider.
type ChatStackProps struct {
	awscdk.StackProps

	// StageName is the WebSocket API stage ("prod").
	StageName string
	// AssetDir holds the function builds: <name>.zip or <name>/bootstrap.
	AssetDir string
	// WebDistDir is the built web client; deployed to the site bucket when it
	// exists. Without it only config.json is deployed.
	WebDistDir string

	// DestroyData makes the table, the user pool, the buckets and the log
	// groups go away with the stack (removal policy DESTROY, no deletion
	// protection, objects auto-deleted). Off by default: data is retained.
	DestroyData bool

	// ThrottleRate and ThrottleBurst are the stage's default route throttling.
	ThrottleRate  float64
	ThrottleBurst float64
	// ConnectThrottleRate and ConnectThrottleBurst throttle the $connect
	// route below the default: connecting costs an authorizer run, a
	// profile read and a batch write.
	ConnectThrottleRate  float64
	ConnectThrottleBurst float64

	// SignUp says who may create an account: SignUpInvite (the default:
	// only admins, from the admin console), SignUpDomains (self sign-up for
	// the email domains in SignUpDomains, checked by a PreSignUp trigger)
	// or SignUpOpen (anyone).
	SignUp        SignUpMode
	SignUpDomains string
	// RefreshTokenDays is how long a sign-in lasts without a password
	// (the refresh token's validity), 1 to 3650 days; default 30.
	RefreshTokenDays float64
	// MFA is the second factor at sign-in: MFAOff (the default), MFAOptional
	// (people may enrol an authenticator app in the settings and are then
	// asked for its code) or MFARequired (everyone enrols at their first
	// sign-in). TOTP only: SMS costs money and needs an SNS role.
	MFA MFAMode

	// SiteDomain and SiteCertificateArn put the CloudFront site on a custom
	// domain; the certificate must be in us-east-1. DNS is left to you.
	SiteDomain         string
	SiteCertificateArn string
	// APIDomain and APICertificateArn put the WebSocket API on a custom
	// domain; the certificate must be in the stack's region.
	APIDomain         string
	APICertificateArn string

	// CognitoDomainPrefix turns on the Cognito hosted domain
	// https://<prefix>.auth.<region>.amazoncognito.com (needed by OAuth and
	// external identity providers).
	CognitoDomainPrefix string
	// OIDC and Google add an external identity provider; both need
	// CognitoDomainPrefix.
	OIDC   *OIDCProvider
	Google *GoogleProvider

	// AlarmEmail creates an SNS topic with that e-mail subscribed; AlarmTopicArn
	// uses an existing topic. Without either, alarms have no actions.
	AlarmEmail    string
	AlarmTopicArn string
	// Production refuses to synthesize alarms that notify nobody: it needs
	// AlarmEmail or AlarmTopicArn.
	Production bool
	// Dashboard adds the CloudWatch dashboard (3 USD a month beyond an
	// account's three free ones: off by default, see infra/cost).
	Dashboard bool

	// LogLevel is passed to the functions as LOG_LEVEL.
	LogLevel string
	// Tracing turns on X-Ray active tracing for the functions (billed per trace).
	Tracing bool
	// APIGatewayLogRoleExists says the account already has the API Gateway
	// CloudWatch role set (account settings, one per region); the stack then
	// does not set its own.
	APIGatewayLogRoleExists bool

	// EventsIncludeText puts message text into the EventBridge events
	// (EVENTS_INCLUDE_TEXT of the stream function). Off by default: events
	// carry ids and metadata, never what people wrote.
	EventsIncludeText bool
	// PushNoPreviews leaves the text preview out of every Web Push
	// notification (PUSH_PREVIEWS=false); people can also turn previews
	// off for themselves.
	PushNoPreviews bool
	// EventArchive archives every chat event of the bus for replay, for
	// EventArchiveDays days (0: DefaultEventArchiveDays). Archived events
	// are billed per GB stored.
	EventArchive     bool
	EventArchiveDays float64

	// MailFrom and MailDomain turn on email for what was missed (the
	// digest): the SES identity is MailDomain when given (DKIM records to
	// publish), else the address MailFrom (verified by the link SES mails
	// it); the digests come from MailFrom, default noreply@MailDomain.
	// Neither: no digest, no SES, no scheduler resources.
	MailFrom   string
	MailDomain string

	// AuditRetentionDays is how long the audit log of moderation and
	// administration keeps an entry (AUDIT_RETENTION_DAYS of the WebSocket
	// functions; the items' TTL); 0 keeps the service's default, a year.
	AuditRetentionDays float64
	// RetentionDays is the workspace's default message retention until its
	// admins set one in the app (RETENTION_DAYS of the WebSocket and
	// stream functions; issue 15); 0 keeps messages forever.
	RetentionDays float64
	// E2EEMaxMembers caps an end-to-end encrypted private channel
	// (E2EE_MAX_MEMBERS of the WebSocket and HTTP functions; issue 19); 0
	// keeps the service's default, 8.
	E2EEMaxMembers float64

	// GifAPIKeySecretArn turns GIFs on (issue 14): the ARN of a Secrets
	// Manager secret holding the GIF provider's (Tenor's) API key as a
	// plain string, created by the operator. Empty: GIFs off.
	GifAPIKeySecretArn string
	// GifProvider is tenor (default) or giphy.
	GifProvider string

	// Backup configures the files' old versions and the AWS Backup plan
	// (backup.go); the zero value is the default.
	Backup BackupProps
	// Calls configure the calls' ICE servers and size (calls.go).
	Calls CallProps
	// ErasurePolicy is what happens to a deleted account's messages
	// (ERASURE_POLICY): erase (the default: tombstones) or anonymise (kept
	// from "Deleted user").
	ErasurePolicy string
	// Legal is the terms, privacy policy and guidelines (legal.go).
	Legal Legal

	// ReviewHook is the message review hook (review.go): a Lambda
	// function's name or ARN, or "example" for the bundled example; empty:
	// messages are not reviewed. ReviewHookTimeoutMs is its time budget (0:
	// the service's 800 ms), ReviewHookFailure "open" (default) or
	// "closed".
	ReviewHook          string
	ReviewHookTimeoutMs float64
	ReviewHookFailure   string
}

// OIDCProvider is a generic OpenID Connect identity provider for Cognito.
type OIDCProvider struct {
	Name            string // shown on the hosted UI; default "OIDC"
	Issuer          string
	ClientID        string
	ClientSecretArn string // Secrets Manager secret holding the client secret as a plain string
}

// GoogleProvider is Google sign-in through Cognito.
type GoogleProvider struct {
	ClientID        string
	ClientSecretArn string // Secrets Manager secret holding the client secret as a plain string
}

var (
	stageNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	domainPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	logLevels           = map[string]bool{"debug": true, "info": true, "warn": true, "error": true}
)

// withDefaults returns a copy with every empty field set to its default.
func (p ChatStackProps) withDefaults() ChatStackProps {
	if p.StageName == "" {
		p.StageName = DefaultStageName
	}
	if p.AssetDir == "" {
		p.AssetDir = DefaultAssetDir
	}
	if p.WebDistDir == "" {
		p.WebDistDir = DefaultWebDistDir
	}
	if p.ThrottleRate == 0 {
		p.ThrottleRate = DefaultThrottleRate
	}
	if p.ConnectThrottleRate == 0 {
		p.ConnectThrottleRate = DefaultConnectThrottleRate
	}
	if p.ConnectThrottleBurst == 0 {
		p.ConnectThrottleBurst = DefaultConnectThrottleBurst
	}
	if p.SignUp == "" {
		p.SignUp = SignUpInvite
	}
	if p.RefreshTokenDays == 0 {
		p.RefreshTokenDays = DefaultRefreshTokenDays
	}
	if p.MFA == "" {
		p.MFA = MFAOff
	}
	if p.ThrottleBurst == 0 {
		p.ThrottleBurst = DefaultThrottleBurst
	}
	if p.LogLevel == "" {
		p.LogLevel = DefaultLogLevel
	}
	if p.EventArchive && p.EventArchiveDays == 0 {
		p.EventArchiveDays = DefaultEventArchiveDays
	}
	if p.OIDC != nil && p.OIDC.Name == "" {
		o := *p.OIDC
		o.Name = "OIDC"
		p.OIDC = &o
	}
	return p
}

// Validate reports every problem with the props (after defaults), so that
// the app can fail with a plain message before CDK runs.
func (p ChatStackProps) Validate() error {
	p = p.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !stageNamePattern.MatchString(p.StageName) {
		bad("stage name %q: use letters, digits, '-' or '_'", p.StageName)
	}
	if p.ThrottleRate < 0 || p.ThrottleBurst < 0 {
		bad("throttling must not be negative (rate %v, burst %v)", p.ThrottleRate, p.ThrottleBurst)
	}
	if p.ConnectThrottleRate < 0 || p.ConnectThrottleBurst < 0 || p.ConnectThrottleRate > p.ThrottleRate || p.ConnectThrottleBurst > p.ThrottleBurst {
		bad("$connect throttling (rate %v, burst %v) must be positive and below the stage's (%v, %v)", p.ConnectThrottleRate, p.ConnectThrottleBurst, p.ThrottleRate, p.ThrottleBurst)
	}
	switch p.SignUp {
	case SignUpInvite, SignUpOpen:
		if p.SignUpDomains != "" {
			bad("signUpDomains needs signUp=domains")
		}
	case SignUpDomains:
		if _, err := signup.ParseDomains(p.SignUpDomains); err != nil {
			bad("signUp=domains: %v", err)
		}
	default:
		bad("signUp %q: want invite, domains or open", p.SignUp)
	}
	switch p.MFA {
	case MFAOff, MFAOptional, MFARequired:
	default:
		bad("mfa %q: want off, optional or required", p.MFA)
	}
	if p.RefreshTokenDays < 1 || p.RefreshTokenDays > 3650 {
		bad("refreshTokenDays %v: want 1 to 3650", p.RefreshTokenDays)
	}
	if !logLevels[p.LogLevel] {
		bad("log level %q: want debug, info, warn or error", p.LogLevel)
	}
	for _, name := range FunctionNames() {
		if (name == "digest" || name == "unsubscribe") && !p.DigestEnabled() {
			continue // built by `make build` all the same; needed only with mail
		}
		if name == "reviewhook" && p.ReviewHook != ReviewHookExample {
			continue // only with reviewHook=example
		}
		if _, err := FunctionAssetPath(p.AssetDir, name); err != nil {
			errs = append(errs, err)
		}
	}
	if (p.SiteDomain == "") != (p.SiteCertificateArn == "") {
		bad("siteDomain and siteCertificateArn go together")
	}
	if p.SiteCertificateArn != "" && !strings.Contains(p.SiteCertificateArn, ":acm:us-east-1:") {
		bad("siteCertificateArn must be an ACM certificate in us-east-1 (CloudFront), got %q", p.SiteCertificateArn)
	}
	if (p.APIDomain == "") != (p.APICertificateArn == "") {
		bad("apiDomain and apiCertificateArn go together")
	}
	if p.CognitoDomainPrefix != "" && !domainPrefixPattern.MatchString(p.CognitoDomainPrefix) {
		bad("cognitoDomainPrefix %q: lowercase letters, digits and '-'", p.CognitoDomainPrefix)
	}
	if p.OIDC != nil {
		if p.OIDC.Issuer == "" || p.OIDC.ClientID == "" || p.OIDC.ClientSecretArn == "" {
			bad("OIDC needs oidcIssuer, oidcClientId and oidcClientSecretArn")
		}
		if !strings.HasPrefix(p.OIDC.Issuer, "https://") {
			bad("oidcIssuer must be an https URL, got %q", p.OIDC.Issuer)
		}
	}
	if p.Google != nil && (p.Google.ClientID == "" || p.Google.ClientSecretArn == "") {
		bad("Google sign-in needs googleClientId and googleClientSecretArn")
	}
	if (p.OIDC != nil || p.Google != nil) && p.CognitoDomainPrefix == "" {
		bad("an external identity provider needs cognitoDomainPrefix (the OAuth redirect goes through the hosted domain)")
	}
	if p.GifAPIKeySecretArn != "" && !validGifSecretArn(p.GifAPIKeySecretArn) {
		bad("gifApiKeySecretArn must be a Secrets Manager secret's full ARN, got %q", p.GifAPIKeySecretArn)
	}
	if p.GifProvider != "" && p.GifProvider != "tenor" && p.GifProvider != "giphy" {
		bad("gifProvider must be tenor or giphy, got %q", p.GifProvider)
	}
	errs = append(errs, p.Backup.validate()...)
	errs = append(errs, p.Calls.validate(p.DigestEnabled())...)
	if p.ReviewHook != "" && !validReviewHook(p.ReviewHook) {
		bad("reviewHook must be example, a Lambda function's name or its full ARN (no wildcards), got %q", p.ReviewHook)
	}
	if p.ReviewHookTimeoutMs < 0 || p.ReviewHookTimeoutMs > 10000 || p.ReviewHookTimeoutMs != float64(int(p.ReviewHookTimeoutMs)) {
		bad("reviewHookTimeoutMs %v: want whole milliseconds from 1 to 10000", p.ReviewHookTimeoutMs)
	}
	if p.ReviewHookFailure != "" && p.ReviewHookFailure != "open" && p.ReviewHookFailure != "closed" {
		bad("reviewHookFailure must be open or closed, got %q", p.ReviewHookFailure)
	}
	if p.ReviewHook == "" && (p.ReviewHookTimeoutMs != 0 || p.ReviewHookFailure != "") {
		bad("reviewHookTimeoutMs and reviewHookFailure need reviewHook")
	}
	if p.ErasurePolicy != "" && p.ErasurePolicy != "erase" && p.ErasurePolicy != "anonymise" {
		bad("erasurePolicy must be erase or anonymise, got %q", p.ErasurePolicy)
	}
	for _, problem := range p.Legal.problems() {
		bad("%s", problem)
	}
	if p.AlarmEmail != "" && p.AlarmTopicArn != "" {
		bad("give alarmEmail or alarmTopicArn, not both")
	}
	if p.Production && p.AlarmEmail == "" && p.AlarmTopicArn == "" {
		bad("production=true refuses alarms that notify nobody: give alarmEmail or alarmTopicArn")
	}
	if p.EventArchiveDays != 0 && !p.EventArchive {
		bad("eventArchiveDays needs eventArchive=true")
	}
	if p.RetentionDays < 0 || p.RetentionDays > chat.MaxRetentionDays || p.RetentionDays != float64(int(p.RetentionDays)) {
		bad("retentionDays %v: want a whole number of days from 0 (forever) to %d", p.RetentionDays, chat.MaxRetentionDays)
	}
	if p.E2EEMaxMembers != 0 && (p.E2EEMaxMembers < 2 || p.E2EEMaxMembers > MaxE2EEMembers || p.E2EEMaxMembers != float64(int(p.E2EEMaxMembers))) {
		bad("e2eeMaxMembers %v: want a whole number of people from 2 to %d (each message key is wrapped for every member device)", p.E2EEMaxMembers, MaxE2EEMembers)
	}
	if p.AuditRetentionDays < 0 || p.AuditRetentionDays != float64(int(p.AuditRetentionDays)) {
		bad("auditRetentionDays %v: want a whole number of days", p.AuditRetentionDays)
	}
	if p.EventArchiveDays < 0 || p.EventArchiveDays != float64(int(p.EventArchiveDays)) {
		bad("eventArchiveDays %v: want a whole number of days", p.EventArchiveDays)
	}
	for _, problem := range p.validateMail() {
		bad("%s", problem)
	}
	return errors.Join(errs...)
}

// FunctionAssetPath finds a function's build output: the zip if present,
// otherwise the directory holding bootstrap.
func FunctionAssetPath(assetDir, name string) (string, error) {
	zip := filepath.Join(assetDir, name+".zip")
	if fi, err := os.Stat(zip); err == nil && fi.Mode().IsRegular() {
		return zip, nil
	}
	dir := filepath.Join(assetDir, name)
	if fi, err := os.Stat(filepath.Join(dir, "bootstrap")); err == nil && fi.Mode().IsRegular() {
		return dir, nil
	}
	return "", fmt.Errorf("function %s: neither %s nor %s/bootstrap exists (run `make build`)", name, zip, dir)
}

// SignUpMode says who may create an account.
type SignUpMode string

const (
	SignUpInvite  SignUpMode = "invite"
	SignUpDomains SignUpMode = "domains"
	SignUpOpen    SignUpMode = "open"
)

// MFAMode says whether signing in asks for a second factor (TOTP).
type MFAMode string

const (
	MFAOff      MFAMode = "off"
	MFAOptional MFAMode = "optional"
	MFARequired MFAMode = "required"
)
