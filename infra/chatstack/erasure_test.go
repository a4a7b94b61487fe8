package chatstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestErasureQueue: the erasure queue is encrypted, TLS only, redrives to
// its dead-letter queue (alarmed), is the erasure function's event source
// one job at a time with few at once, and the actions function and the
// worker name it with the policy (erase by default, the context's
// otherwise).
func TestErasureQueue(t *testing.T) {
	s := synth(t, cfgDefault)
	q := s.one(t, "AWS::SQS::Queue", "ErasureQueue")
	dlq := s.one(t, "AWS::SQS::Queue", "ErasureDeadLetterQueue").ID
	if render(q.Props["SqsManagedSseEnabled"]) != "true" ||
		render(q.Props["VisibilityTimeout"]) != fmt.Sprint(chatstack.ErasureQueueVisibilitySeconds) ||
		render(q.Props["MessageRetentionPeriod"]) != fmt.Sprint(chatstack.ErasureRetentionDays*24*3600) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), dlq) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), fmt.Sprint(chatstack.ErasureMaxReceiveCount)) {
		t.Errorf("erasure queue %s", render(q.Props))
	}
	alarmed := false
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if render(a.Props["MetricName"]) == "ApproximateNumberOfMessagesVisible" && strings.Contains(render(a.Props["Dimensions"]), dlq) {
			alarmed = true
		}
	}
	if !alarmed {
		t.Error("no alarm on the erasure dead-letter queue")
	}
	fn := functionNamed(t, s, "erasure")
	if render(fn.Props["Timeout"]) != fmt.Sprint(chatstack.ErasureTimeoutSeconds) {
		t.Errorf("erasure timeout %s", render(fn.Props["Timeout"]))
	}
	m := s.one(t, "AWS::Lambda::EventSourceMapping", "ErasureEventSource").Props
	if refID(m["FunctionName"]) != fn.ID || !strings.Contains(render(m["EventSourceArn"]), q.ID) ||
		render(m["BatchSize"]) != "1" || render(m["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" ||
		render(get(m, "ScalingConfig", "MaximumConcurrency")) != fmt.Sprint(chatstack.ErasureMaxConcurrency) {
		t.Errorf("mapping %s", render(m))
	}
	for _, name := range []string{"actions", "erasure"} {
		env := get(functionNamed(t, s, name).Props, "Environment", "Variables").(map[string]any)
		if refID(env["ERASURE_QUEUE_URL"]) != q.ID || render(env["ERASURE_POLICY"]) != "erase" {
			t.Errorf("%s function's erasure environment %s", name, render(env))
		}
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	for _, k := range []string{"TABLE_NAME", "WS_CALLBACK_URL", "FILES_BUCKET", "USER_POOL_ID", "SCHEDULED_GROUP", "LOG_LEVEL"} {
		if env[k] == nil {
			t.Errorf("erasure environment lacks %s: %s", k, render(env))
		}
	}
	for k := range env {
		if strings.HasPrefix(k, "GIF_") || k == "FANOUT_QUEUE_URL" {
			t.Errorf("the erasure function's environment has %s", k)
		}
	}
	full := get(functionNamed(t, synth(t, cfgFull), "erasure").Props, "Environment", "Variables").(map[string]any)
	if render(full["ERASURE_POLICY"]) != "anonymise" {
		t.Errorf("erasurePolicy=anonymise deployed %s", render(full["ERASURE_POLICY"]))
	}
}

// TestErasureGrants: exactly the calls the erasure makes: the queue
// (consume, and send its continuation), the table (the store's calls and
// the Scan, on the table only), POST and DELETE on the stage's
// @connections, AdminDeleteUser on the pool, ListBucket and DeleteObject
// under the three prefixes of people's files, DeleteSchedule in the
// scheduled-messages group.
func TestErasureGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "erasure")
	q := "${" + s.one(t, "AWS::SQS::Queue", "ErasureQueue").ID + ".Arn}"
	tableID := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	table, index := "${"+tableID+".Arn}", "${"+tableID+".Arn}/index/gsi1"
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	conns := "arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/"
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	files := filesArn(t, s)
	got := map[string][]string{}
	for _, p := range s.resources("AWS::IAM::Policy") {
		if len(list(p.Props["Roles"])) != 1 || refID(list(p.Props["Roles"])[0]) != s.roleOf(t, fn).ID {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			for _, a := range oneOrMany(get(st, "Action")) {
				got[a] = append(got[a], oneOrMany(get(st, "Resource"))...)
			}
		}
	}
	sched := got["scheduler:DeleteSchedule"]
	delete(got, "scheduler:DeleteSchedule")
	if len(sched) != 1 || !strings.Contains(sched[0], ":schedule/") {
		t.Errorf("scheduler:DeleteSchedule on %v", sched)
	}
	want := map[string][]string{
		"sqs:ReceiveMessage":            {q},
		"sqs:DeleteMessage":             {q},
		"sqs:GetQueueAttributes":        {q},
		"sqs:SendMessage":               {q},
		"dynamodb:Scan":                 {table},
		"execute-api:ManageConnections": {conns + "DELETE/@connections/*", conns + "POST/@connections/*"},
		"cognito-idp:AdminDeleteUser":   {"${" + s.one(t, "AWS::Cognito::UserPool", "UserPool").ID + ".Arn}"},
		"s3:ListBucket":                 {files},
		"s3:ListBucketVersions":         {files},
		"s3:DeleteObject":               {files + "/avatars/*", files + "/rooms/*", files + "/thumbs/*"},
		"s3:DeleteObjectVersion":        {files + "/avatars/*", files + "/rooms/*", files + "/thumbs/*"},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
	}
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"} {
		want[a] = []string{table, index}
	}
	if render(got) != render(want) {
		t.Errorf("erasure grants\n got %v\nwant %v", got, want)
	}
}
