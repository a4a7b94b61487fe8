package chatstack

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// MaxE2EEMembers bounds e2eeMaxMembers: a room key is wrapped for every
// device of every member, 64 per shareRoomKeys (protocol.MaxRoomKeysPerShare).
const MaxE2EEMembers = 20

// Context keys (cdk.json "context" or `cdk synth -c key=value`).
const (
	CtxStage                   = "stage"
	CtxAssetDir                = "assetDir"
	CtxWebDist                 = "webDist"
	CtxDestroyData             = "destroyData"
	CtxThrottleRate            = "throttleRate"
	CtxThrottleBurst           = "throttleBurst"
	CtxSiteDomain              = "siteDomain"
	CtxSiteCertificateArn      = "siteCertificateArn"
	CtxAPIDomain               = "apiDomain"
	CtxAPICertificateArn       = "apiCertificateArn"
	CtxCognitoDomainPrefix     = "cognitoDomainPrefix"
	CtxOIDCIssuer              = "oidcIssuer"
	CtxOIDCClientID            = "oidcClientId"
	CtxOIDCClientSecretArn     = "oidcClientSecretArn"
	CtxOIDCName                = "oidcName"
	CtxGoogleClientID          = "googleClientId"
	CtxGoogleClientSecretArn   = "googleClientSecretArn"
	CtxAlarmEmail              = "alarmEmail"
	CtxAlarmTopicArn           = "alarmTopicArn"
	CtxLogLevel                = "logLevel"
	CtxTracing                 = "tracing"
	CtxAPIGatewayLogRoleExists = "apiGatewayLogRoleExists"
	CtxEventsIncludeText       = "eventsIncludeText"
	CtxEventArchive            = "eventArchive"
	CtxEventArchiveDays        = "eventArchiveDays"
	CtxProduction              = "production"
	CtxDashboard               = "dashboard"
	CtxSignUp                  = "signUp"        // invite (default), domains or open
	CtxSignUpDomains           = "signUpDomains" // with signUp=domains: "example.com,corp.example"
	CtxRefreshTokenDays        = "refreshTokenDays"
	CtxMFA                     = "mfa" // off (default), optional or required: TOTP (authenticator apps)
	CtxConnectThrottleRate     = "connectThrottleRate"
	CtxConnectThrottleBurst    = "connectThrottleBurst"
	CtxAuditRetentionDays      = "auditRetentionDays"
	CtxRetentionDays           = "retentionDays"       // the workspace's default message retention (0: forever)
	CtxPushNoPreviews          = "pushNoPreviews"      // true: no text previews in Web Push notifications
	CtxE2EEMaxMembers          = "e2eeMaxMembers"      // the largest end-to-end encrypted private channel (default 8)
	CtxMailFrom                = "mailFrom"            // the digests' sender: "Backchannel <noreply@example.com>"
	CtxMailDomain              = "mailDomain"          // the SES domain identity (else the address of mailFrom)
	CtxGifAPIKeySecretArn      = "gifApiKeySecretArn"  // GIFs: the secret holding the provider's API key (off without)
	CtxGifProvider             = "gifProvider"         // tenor (default) or giphy
	CtxErasurePolicy           = "erasurePolicy"       // a deleted account's messages: erase (default) or anonymise
	CtxTermsURL                = "termsUrl"            // the terms of service: https URL or site path (default the bundled page)
	CtxPrivacyURL              = "privacyUrl"          // the privacy policy (idem)
	CtxGuidelinesURL           = "guidelinesUrl"       // the community guidelines (idem)
	CtxTermsVersion            = "termsVersion"        // the version everybody must accept (empty: none asked)
	CtxReviewHook              = "reviewHook"          // the message review hook: a function name or ARN, or example (off without)
	CtxReviewHookTimeoutMs     = "reviewHookTimeoutMs" // its time budget (default 800)
	CtxReviewHookFailure       = "reviewHookFailure"   // open (default) or closed
)

// PropsFromContext reads the stack's configuration from CDK context. Values
// may be strings (from -c) or JSON booleans and numbers (from cdk.json).
func PropsFromContext(node constructs.Node) (ChatStackProps, error) {
	r := contextReader{node: node}
	p := ChatStackProps{
		StageName:               r.str(CtxStage),
		AssetDir:                r.str(CtxAssetDir),
		WebDistDir:              r.str(CtxWebDist),
		DestroyData:             r.boolean(CtxDestroyData),
		ThrottleRate:            r.number(CtxThrottleRate),
		ThrottleBurst:           r.number(CtxThrottleBurst),
		SiteDomain:              r.str(CtxSiteDomain),
		SiteCertificateArn:      r.str(CtxSiteCertificateArn),
		APIDomain:               r.str(CtxAPIDomain),
		APICertificateArn:       r.str(CtxAPICertificateArn),
		CognitoDomainPrefix:     r.str(CtxCognitoDomainPrefix),
		AlarmEmail:              r.str(CtxAlarmEmail),
		AlarmTopicArn:           r.str(CtxAlarmTopicArn),
		LogLevel:                r.str(CtxLogLevel),
		Tracing:                 r.boolean(CtxTracing),
		APIGatewayLogRoleExists: r.boolean(CtxAPIGatewayLogRoleExists),
		EventsIncludeText:       r.boolean(CtxEventsIncludeText),
		EventArchive:            r.boolean(CtxEventArchive),
		EventArchiveDays:        r.number(CtxEventArchiveDays),
		Production:              r.boolean(CtxProduction),
		Dashboard:               r.boolean(CtxDashboard),
		SignUp:                  SignUpMode(r.str(CtxSignUp)),
		SignUpDomains:           r.str(CtxSignUpDomains),
		RefreshTokenDays:        r.number(CtxRefreshTokenDays),
		MFA:                     MFAMode(r.str(CtxMFA)),
		ConnectThrottleRate:     r.number(CtxConnectThrottleRate),
		ConnectThrottleBurst:    r.number(CtxConnectThrottleBurst),
		AuditRetentionDays:      r.number(CtxAuditRetentionDays),
		RetentionDays:           r.number(CtxRetentionDays),
		PushNoPreviews:          r.boolean(CtxPushNoPreviews),
		E2EEMaxMembers:          r.number(CtxE2EEMaxMembers),
		MailFrom:                r.str(CtxMailFrom),
		MailDomain:              r.str(CtxMailDomain),
		GifAPIKeySecretArn:      r.str(CtxGifAPIKeySecretArn),
		GifProvider:             r.str(CtxGifProvider),
		Backup:                  backupPropsFromContext(&r),
		Calls:                   callPropsFromContext(&r),
		ErasurePolicy:           r.str(CtxErasurePolicy),
		ReviewHook:              r.str(CtxReviewHook),
		ReviewHookTimeoutMs:     r.number(CtxReviewHookTimeoutMs),
		ReviewHookFailure:       r.str(CtxReviewHookFailure),
		Legal: Legal{
			TermsURL: r.str(CtxTermsURL), PrivacyURL: r.str(CtxPrivacyURL),
			GuidelinesURL: r.str(CtxGuidelinesURL), Version: r.str(CtxTermsVersion),
		},
	}
	if issuer := r.str(CtxOIDCIssuer); issuer != "" || r.str(CtxOIDCClientID) != "" {
		p.OIDC = &OIDCProvider{
			Name:            r.str(CtxOIDCName),
			Issuer:          issuer,
			ClientID:        r.str(CtxOIDCClientID),
			ClientSecretArn: r.str(CtxOIDCClientSecretArn),
		}
	}
	if id := r.str(CtxGoogleClientID); id != "" {
		p.Google = &GoogleProvider{ClientID: id, ClientSecretArn: r.str(CtxGoogleClientSecretArn)}
	}
	return p, errors.Join(r.errs...)
}

type contextReader struct {
	node constructs.Node
	errs []error
}

func (r *contextReader) raw(key string) (any, bool) {
	v := r.node.TryGetContext(jsii.String(key))
	if v == nil {
		return nil, false
	}
	if s, ok := v.(string); ok && s == "" {
		return nil, false
	}
	return v, true
}

func (r *contextReader) str(key string) string {
	v, ok := r.raw(key)
	if !ok {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		r.errs = append(r.errs, fmt.Errorf("context %s: want a string, got %T", key, v))
		return ""
	}
}

func (r *contextReader) boolean(key string) bool {
	v, ok := r.raw(key)
	if !ok {
		return false
	}
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, err := strconv.ParseBool(t)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("context %s: want true or false, got %q", key, t))
		}
		return b
	default:
		r.errs = append(r.errs, fmt.Errorf("context %s: want a boolean, got %T", key, v))
		return false
	}
}

func (r *contextReader) number(key string) float64 {
	v, ok := r.raw(key)
	if !ok {
		return 0
	}
	switch t := v.(type) {
	case float64:
		return t
	case string:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("context %s: want a number, got %q", key, t))
		}
		return f
	default:
		r.errs = append(r.errs, fmt.Errorf("context %s: want a number, got %T", key, v))
		return 0
	}
}
