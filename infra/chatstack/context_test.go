package chatstack_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

func TestValidate(t *testing.T) {
	valid := chatstack.ChatStackProps{AssetDir: fixtures.assetDir}
	if err := valid.Validate(); err != nil {
		t.Fatalf("minimal props: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*chatstack.ChatStackProps)
		want   string
	}{
		"missing build": {func(p *chatstack.ChatStackProps) { p.AssetDir = fixtures.noDist }, "run `make build`"},
		"idp without domain": {func(p *chatstack.ChatStackProps) {
			p.Google = &chatstack.GoogleProvider{ClientID: "x", ClientSecretArn: "y"}
		}, "needs cognitoDomainPrefix"},
		"cert region": {func(p *chatstack.ChatStackProps) {
			p.SiteDomain, p.SiteCertificateArn = "a.b", "arn:aws:acm:eu-west-1:1:certificate/x"
		}, "us-east-1"},
		"domain alone":                    {func(p *chatstack.ChatStackProps) { p.APIDomain = "ws.b" }, "go together"},
		"bad stage":                       {func(p *chatstack.ChatStackProps) { p.StageName = "a b" }, "stage name"},
		"bad level":                       {func(p *chatstack.ChatStackProps) { p.LogLevel = "loud" }, "log level"},
		"bad mfa":                         {func(p *chatstack.ChatStackProps) { p.MFA = "sms" }, "want off, optional or required"},
		"two alarm targets":               {func(p *chatstack.ChatStackProps) { p.AlarmEmail, p.AlarmTopicArn = "a@b", "arn" }, "not both"},
		"production alarms notify nobody": {func(p *chatstack.ChatStackProps) { p.Production = true }, "alarms that notify nobody"},
		"archive days alone": {func(p *chatstack.ChatStackProps) {
			p.EventArchiveDays = 7
		}, "needs eventArchive"},
		"archive part days": {func(p *chatstack.ChatStackProps) {
			p.EventArchive, p.EventArchiveDays = true, 1.5
		}, "whole number of days"},
		"archive negative days": {func(p *chatstack.ChatStackProps) {
			p.EventArchive, p.EventArchiveDays = true, -1
		}, "whole number of days"},
	} {
		p := valid
		tc.mutate(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.want)
		}
	}
}

func TestPropsFromContext(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{
		chatstack.CtxStage: "beta", chatstack.CtxDestroyData: true, chatstack.CtxThrottleRate: "12.5",
		chatstack.CtxThrottleBurst: 30.0, chatstack.CtxOIDCIssuer: "https://id.example", chatstack.CtxTracing: "false",
	}})
	p, err := chatstack.PropsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	if p.StageName != "beta" || !p.DestroyData || p.ThrottleRate != 12.5 || p.ThrottleBurst != 30 || p.OIDC == nil || p.OIDC.Issuer != "https://id.example" || p.Tracing || p.Google != nil {
		t.Errorf("props %+v", p)
	}

	if p.EventsIncludeText || p.EventArchive || p.EventArchiveDays != 0 {
		t.Errorf("event props on without context: %+v", p)
	}
	events := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{
		chatstack.CtxEventsIncludeText: "true", chatstack.CtxEventArchive: true, chatstack.CtxEventArchiveDays: "90",
	}})
	if p, err := chatstack.PropsFromContext(events.Node()); err != nil || !p.EventsIncludeText || !p.EventArchive || p.EventArchiveDays != 90 {
		t.Errorf("event props %+v, %v", p, err)
	}
	if p.AuditRetentionDays != 0 {
		t.Errorf("audit retention without context: %v", p.AuditRetentionDays)
	}
	audit := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxAuditRetentionDays: "90"}})
	if p, err := chatstack.PropsFromContext(audit.Node()); err != nil || p.AuditRetentionDays != 90 {
		t.Errorf("audit retention %+v, %v", p.AuditRetentionDays, err)
	}

	prod := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxProduction: "true", chatstack.CtxDashboard: true}})
	if p, err := chatstack.PropsFromContext(prod.Node()); err != nil || !p.Production || !p.Dashboard {
		t.Errorf("production props %+v, %v", p, err)
	}

	bad := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxDestroyData: "yes please", chatstack.CtxThrottleRate: "fast"}})
	if _, err := chatstack.PropsFromContext(bad.Node()); err == nil || !strings.Contains(err.Error(), chatstack.CtxDestroyData) || !strings.Contains(err.Error(), chatstack.CtxThrottleRate) {
		t.Errorf("bad context error %v", err)
	}
}

// TestInvalidPropsFailSynth: NewChatStack reports invalid props as an error
// annotation (cdk synth then fails with it) instead of panicking.
func TestInvalidPropsFailSynth(t *testing.T) {
	noPanic(t, "invalid props", func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		stack := chatstack.NewChatStack(app, "Broken", &chatstack.ChatStackProps{AssetDir: fixtures.noDist})
		found := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("make build")))
		if len(*found) != 1 {
			t.Errorf("want one error annotation naming `make build`, got %d", len(*found))
		}
	})
}

// TestProductionRefusesSilentAlarms: -c production=true without an alarm
// e-mail or topic does not synthesize; with one it does, and every alarm
// notifies it.
func TestProductionRefusesSilentAlarms(t *testing.T) {
	noPanic(t, "production", func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		stack := chatstack.NewChatStack(app, "Prod", &chatstack.ChatStackProps{AssetDir: fixtures.assetDir, WebDistDir: fixtures.noDist, Production: true})
		found := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("notify nobody")))
		if len(*found) != 1 {
			t.Errorf("want one error annotation refusing silent alarms, got %d", len(*found))
		}
		if n := len(*assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)); n != 0 {
			t.Errorf("%d alarms synthesized", n)
		}
	})
}
