package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestDigestOffWithoutMail: no mailFrom/mailDomain, no digest: no SES
// identity, no functions, no scheduler, no key (the one secret is Web
// Push's VAPID key pair).
func TestDigestOffWithoutMail(t *testing.T) {
	s := synth(t, cfgDefault)
	for _, typ := range []string{"AWS::SES::EmailIdentity", "AWS::Lambda::Url"} {
		if n := len(s.resources(typ)); n != 0 {
			t.Errorf("%d %s without mail context", n, typ)
		}
	}
	// The one schedule group is scheduled messages' (scheduled.go).
	for _, g := range s.resources("AWS::Scheduler::ScheduleGroup") {
		if !strings.HasPrefix(g.ID, "ScheduledScheduleGroup") {
			t.Errorf("schedule group %s without mail context", g.ID)
		}
	}
	for _, secret := range s.resources("AWS::SecretsManager::Secret") {
		if !strings.HasPrefix(secret.ID, "VapidKeys") {
			t.Errorf("secret %s without mail context (only Web Push's VAPID key pair is expected)", secret.ID)
		}
	}
	if hasDigest(s) {
		t.Error("digest function without mail context")
	}
}

// TestDigestResources: the identity by context, the schedule group, the
// key, the public unsubscribe URL, the failure queue with its alarm.
func TestDigestResources(t *testing.T) {
	s := synth(t, cfgFull)
	if id := s.one(t, "AWS::SES::EmailIdentity", "MailIdentity"); render(id.Props["EmailIdentity"]) != "example.com" {
		t.Errorf("identity %s, want the domain", render(id.Props["EmailIdentity"]))
	}
	group := s.one(t, "AWS::Scheduler::ScheduleGroup", "DigestScheduleGroup")
	if !strings.HasSuffix(render(group.Props["Name"]), "-digest") {
		t.Errorf("group name %s", render(group.Props["Name"]))
	}
	s.one(t, "AWS::SecretsManager::Secret", "DigestKey")
	url := s.one(t, "AWS::Lambda::Url", "UnsubscribeFunction")
	if url.Props["AuthType"] != "NONE" || refID(url.Props["TargetFunctionArn"]) != functionNamed(t, s, "unsubscribe").ID &&
		!strings.Contains(render(url.Props["TargetFunctionArn"]), functionNamed(t, s, "unsubscribe").ID) {
		t.Errorf("unsubscribe URL %s", render(url.Props))
	}
	digest := functionNamed(t, s, "digest")
	env := get(digest.Props, "Environment", "Variables").(map[string]any)
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"DIGEST_FROM", "DIGEST_KEY_SECRET_ARN", "DIGEST_SCHEDULER_ROLE_ARN", "DIGEST_SCHEDULE_GROUP", "DIGEST_SITE_URL", "DIGEST_UNSUBSCRIBE_URL", "LOG_LEVEL", "TABLE_NAME", "USER_POOL_ID"}
	if !slices.Equal(keys, want) {
		t.Errorf("digest environment %v, want %v", keys, want)
	}
	if render(env["DIGEST_FROM"]) != "Backchannel <chat@example.com>" || render(env["DIGEST_SITE_URL"]) != "https://chat.example.com" ||
		!strings.Contains(render(env["DIGEST_UNSUBSCRIBE_URL"]), url.ID) {
		t.Errorf("digest environment %s", render(env))
	}
	// Scheduler invokes asynchronously: retries, then the failure queue.
	cfg := s.one(t, "AWS::Lambda::EventInvokeConfig", "DigestFunction")
	if get(cfg.Props, "MaximumRetryAttempts") != float64(chatstack.DigestRetryAttempts) ||
		!strings.Contains(render(get(cfg.Props, "DestinationConfig", "OnFailure", "Destination")), s.one(t, "AWS::SQS::Queue", "DigestFailureQueue").ID) {
		t.Errorf("digest invoke config %s", render(cfg.Props))
	}
	alarms := map[string]bool{}
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		alarms[strings.TrimRightFunc(a.ID, func(r rune) bool { return r >= 'A' && r <= 'F' || r >= '0' && r <= '9' })] = true
	}
	for _, a := range []string{"DigestErrorsAlarm", "UnsubscribeErrorsAlarm", "DigestFailureQueueAlarm", "MailBounceRateAlarm"} {
		if !alarms[a] {
			t.Errorf("no %s", a)
		}
	}
}

// TestDigestGrants: least privilege. Scheduler's role may invoke the digest
// function only; the digest function sends through the identity only,
// creates schedules in its group only and passes that role only to
// Scheduler; the unsubscribe function deletes schedules only; the stream
// function (digest.Missed) creates and deletes them.
func TestDigestGrants(t *testing.T) {
	s := synth(t, cfgFull)
	digest, unsub, stream := functionNamed(t, s, "digest"), functionNamed(t, s, "unsubscribe"), functionNamed(t, s, "stream")
	role := s.one(t, "AWS::IAM::Role", "DigestSchedulerRole")
	trust := render(role.Props["AssumeRolePolicyDocument"])
	if !strings.Contains(trust, "scheduler.amazonaws.com") || !strings.Contains(trust, "aws:SourceAccount") {
		t.Errorf("scheduler role trust %s", trust)
	}
	actions, resources := s.grantsOf(t, role.ID)
	if !slices.Equal(actions, []string{"lambda:InvokeFunction"}) || len(resources) != 1 || resources[0] != "${"+digest.ID+".Arn}" {
		t.Errorf("scheduler role may %v on %v, want lambda:InvokeFunction on the digest function only", actions, resources)
	}

	group := render(s.one(t, "AWS::Scheduler::ScheduleGroup", "DigestScheduleGroup").Props["Name"])
	schedules := "arn:aws:scheduler:eu-west-1:123456789012:schedule/" + group + "/*"
	for _, st := range synth(t, cfgFull).statements() {
		if strings.Contains(st.Where, "ActionsRole") || strings.Contains(st.Where, "HttpapiRole") || strings.Contains(st.Where, "ScheduledSchedulerRole") || strings.Contains(st.Where, "ErasureRole") {
			continue // scheduled messages' schedules (scheduled_test.go, erasure_test.go)
		}
		for _, a := range st.Actions {
			switch {
			case a == "ses:SendEmail":
				if !slices.Equal(st.Resources, []string{"arn:aws:ses:eu-west-1:123456789012:identity/example.com"}) {
					t.Errorf("%s: ses:SendEmail on %v", st.Where, st.Resources)
				}
			case strings.HasPrefix(a, "scheduler:"):
				if !slices.Equal(st.Resources, []string{schedules}) {
					t.Errorf("%s: %s on %v, want %s", st.Where, a, st.Resources, schedules)
				}
			case a == "iam:PassRole":
				if !slices.Equal(st.Resources, []string{"${" + role.ID + ".Arn}"}) {
					t.Errorf("%s: iam:PassRole on %v", st.Where, st.Resources)
				}
			}
		}
	}
	for _, tc := range []struct {
		fn       resource
		want     []string
		wantNone []string
	}{
		{digest, []string{"ses:SendEmail", "scheduler:CreateSchedule", "iam:PassRole", "cognito-idp:AdminGetUser", "secretsmanager:GetSecretValue", "dynamodb:Query"},
			[]string{"scheduler:DeleteSchedule", "ses:SendRawEmail", "s3:GetObject", "execute-api:ManageConnections", "cognito-idp:ListUsers"}},
		{unsub, []string{"scheduler:DeleteSchedule", "secretsmanager:GetSecretValue", "dynamodb:UpdateItem"},
			[]string{"scheduler:CreateSchedule", "iam:PassRole", "ses:SendEmail", "cognito-idp:AdminGetUser"}},
		// Customer support's mail (supporthours.go) runs in the stream
		// function: it sends through the identity and derives its link key
		// from the digest's.
		{stream, []string{"scheduler:CreateSchedule", "scheduler:DeleteSchedule", "iam:PassRole", "dynamodb:PutItem", "ses:SendEmail", "secretsmanager:GetSecretValue"},
			[]string{"ses:SendRawEmail", "cognito-idp:AdminGetUser"}},
	} {
		actions, _ := s.grantsOf(t, s.roleOf(t, tc.fn).ID)
		for _, a := range tc.want {
			if !slices.Contains(actions, a) {
				t.Errorf("%s lacks %s (has %v)", tc.fn.ID, a, actions)
			}
		}
		for _, a := range tc.wantNone {
			if slices.Contains(actions, a) {
				t.Errorf("%s must not have %s", tc.fn.ID, a)
			}
		}
	}
	// PassRole only to Scheduler.
	for _, p := range s.resources("AWS::IAM::Policy") {
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			if slices.Contains(oneOrMany(get(st, "Action")), "iam:PassRole") &&
				render(get(st, "Condition", "StringEquals", "iam:PassedToService")) != "scheduler.amazonaws.com" {
				t.Errorf("%s passes the role without the iam:PassedToService condition", p.ID)
			}
		}
	}
}

// TestMailContext: a mailFrom outside mailDomain, or a malformed one, is
// refused; mailFrom alone makes an address identity.
func TestMailContext(t *testing.T) {
	for _, tc := range []struct {
		from, domain string
		ok           bool
	}{
		{"Backchannel <noreply@example.com>", "", true},
		{"", "chat.example.com", true},
		{"noreply@other.example", "example.com", false},
		{"not an address", "", false},
		{"", "no_domain", false},
	} {
		p := chatstack.ChatStackProps{MailFrom: tc.from, MailDomain: tc.domain, AssetDir: fixtures.assetDir}
		err := p.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("mailFrom %q mailDomain %q: %v", tc.from, tc.domain, err)
		}
		if tc.ok && !p.DigestEnabled() {
			t.Errorf("mailFrom %q mailDomain %q: digest off", tc.from, tc.domain)
		}
	}
}
