package chatstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestPushQueue: the push queue is encrypted, TLS only, redrives to its
// dead-letter queue (alarmed) and is the sender's event source.
func TestPushQueue(t *testing.T) {
	s := synth(t, cfgDefault)
	q := s.one(t, "AWS::SQS::Queue", "PushQueue")
	dlq := s.one(t, "AWS::SQS::Queue", "PushDeadLetterQueue").ID
	if render(q.Props["SqsManagedSseEnabled"]) != "true" ||
		render(q.Props["VisibilityTimeout"]) != fmt.Sprint(chatstack.PushQueueVisibilitySeconds) ||
		render(q.Props["MessageRetentionPeriod"]) != fmt.Sprint(chatstack.PushRetentionSeconds) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), dlq) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), fmt.Sprint(chatstack.PushMaxReceiveCount)) {
		t.Errorf("push queue %s", render(q.Props))
	}
	alarmed := false
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if render(a.Props["MetricName"]) == "ApproximateNumberOfMessagesVisible" && strings.Contains(render(a.Props["Dimensions"]), dlq) {
			alarmed = true
		}
	}
	if !alarmed {
		t.Error("no alarm on the push dead-letter queue")
	}
	fn := functionNamed(t, s, "pushsender")
	m := s.one(t, "AWS::Lambda::EventSourceMapping", "PushEventSource").Props
	if refID(m["FunctionName"]) != fn.ID || !strings.Contains(render(m["EventSourceArn"]), q.ID) ||
		render(m["BatchSize"]) != fmt.Sprint(chatstack.PushBatchSize) || render(m["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" ||
		render(get(m, "ScalingConfig", "MaximumConcurrency")) != fmt.Sprint(chatstack.PushSenderMaxConcurrency) {
		t.Errorf("mapping %s", render(m))
	}
	env := get(functionNamed(t, s, "stream").Props, "Environment", "Variables").(map[string]any)
	if refID(env["PUSH_QUEUE_URL"]) != q.ID || render(env["PUSH_PREVIEWS"]) != "true" {
		t.Errorf("stream function's push environment %s", render(env))
	}
}

// TestPushSenderGrants: the sender reads its queue, the VAPID secret, and
// queries and deletes USER# items of the table: nothing else.
func TestPushSenderGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "pushsender")
	q := "${" + s.one(t, "AWS::SQS::Queue", "PushQueue").ID + ".Arn}"
	table := "${" + s.one(t, "AWS::DynamoDB::Table", "Table").ID + ".Arn}"
	secret := "${" + s.one(t, "AWS::SecretsManager::Secret", "VapidKeys").ID + "}"
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	got := map[string][]string{}
	var conditions []string
	for _, p := range s.resources("AWS::IAM::Policy") {
		if len(list(p.Props["Roles"])) != 1 || refID(list(p.Props["Roles"])[0]) != s.roleOf(t, fn).ID {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			for _, a := range oneOrMany(get(st, "Action")) {
				got[a] = append(got[a], oneOrMany(get(st, "Resource"))...)
			}
			if c := get(st, "Condition"); c != nil {
				conditions = append(conditions, render(c))
			}
		}
	}
	want := map[string][]string{
		"sqs:ReceiveMessage":            {q},
		"sqs:DeleteMessage":             {q},
		"sqs:GetQueueAttributes":        {q},
		"dynamodb:Query":                {table},
		"dynamodb:DeleteItem":           {table},
		"secretsmanager:GetSecretValue": {secret},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
	}
	if render(got) != render(want) {
		t.Errorf("push sender grants\n got %v\nwant %v", got, want)
	}
	if len(conditions) != 1 || !strings.Contains(conditions[0], "dynamodb:LeadingKeys") || !strings.Contains(conditions[0], "USER#*") {
		t.Errorf("table statement conditions %v, want LeadingKeys USER#*", conditions)
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	if len(env) != 4 || refID(env["VAPID_SECRET_ARN"]) == "" || env["TABLE_NAME"] == nil || !strings.HasPrefix(render(env["VAPID_SUBJECT"]), "https://") {
		t.Errorf("sender environment %s", render(env))
	}
}

// TestVapidKeysAtDeploy: a custom resource backed by the vapidkeys
// function (which may only read and write the secret) generates the key
// pair; its PublicKey is the actions function's VAPID_PUBLIC_KEY.
func TestVapidKeysAtDeploy(t *testing.T) {
	s := synth(t, cfgDefault)
	gen := functionNamed(t, s, "vapidkeys")
	secretID := s.one(t, "AWS::SecretsManager::Secret", "VapidKeys").ID
	cr := s.one(t, "Custom::VapidKeyPair", "VapidKeyPair")
	if !strings.Contains(render(cr.Props["ServiceToken"]), gen.ID) || !strings.Contains(render(cr.Props["SecretArn"]), secretID) {
		t.Errorf("custom resource %s", render(cr.Props))
	}
	actions, resources := s.grantsOf(t, s.roleOf(t, gen).ID)
	for _, a := range actions {
		if !strings.HasPrefix(a, "logs:") && a != "secretsmanager:GetSecretValue" && a != "secretsmanager:PutSecretValue" {
			t.Errorf("vapidkeys may %s", a)
		}
	}
	for _, r := range resources {
		if r != "${"+secretID+"}" && !strings.Contains(r, "Logs") {
			t.Errorf("vapidkeys reaches %s", r)
		}
	}
	env := get(functionNamed(t, s, "actions").Props, "Environment", "Variables").(map[string]any)
	if v := render(env["VAPID_PUBLIC_KEY"]); !strings.Contains(v, cr.ID) || !strings.Contains(v, "PublicKey") {
		t.Errorf("actions VAPID_PUBLIC_KEY = %s", v)
	}
	// Nobody else reads the key pair.
	for _, st := range s.statements() {
		for _, a := range st.Actions {
			if strings.HasPrefix(a, "secretsmanager:") && !strings.HasPrefix(st.Where, "PushsenderRole") && !strings.HasPrefix(st.Where, "VapidkeysRole") {
				t.Errorf("%s also allows %s", st.Where, a)
			}
		}
	}
}
