package chatstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestUnfurlQueue: the unfurl queue is encrypted, TLS only, redrives to
// its dead-letter queue (alarmed) past the worker's own retries, is the
// unfurl function's event source, and the stream function's enqueuer
// names it; cached previews expire from the files bucket.
func TestUnfurlQueue(t *testing.T) {
	s := synth(t, cfgDefault)
	q := s.one(t, "AWS::SQS::Queue", "UnfurlQueue")
	dlq := s.one(t, "AWS::SQS::Queue", "UnfurlDeadLetterQueue").ID
	if render(q.Props["SqsManagedSseEnabled"]) != "true" ||
		render(q.Props["VisibilityTimeout"]) != fmt.Sprint(chatstack.UnfurlQueueVisibilitySeconds) ||
		render(q.Props["MessageRetentionPeriod"]) != fmt.Sprint(chatstack.UnfurlRetentionSeconds) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), dlq) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), fmt.Sprint(chatstack.UnfurlMaxReceiveCount)) {
		t.Errorf("unfurl queue %s", render(q.Props))
	}
	if chatstack.UnfurlMaxReceiveCount <= 3 {
		t.Errorf("the queue gives up (%d receives) before the worker's own retries end", chatstack.UnfurlMaxReceiveCount)
	}
	alarmed := false
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if render(a.Props["MetricName"]) == "ApproximateNumberOfMessagesVisible" && strings.Contains(render(a.Props["Dimensions"]), dlq) {
			alarmed = true
		}
	}
	if !alarmed {
		t.Error("no alarm on the unfurl dead-letter queue")
	}
	fn := functionNamed(t, s, "unfurl")
	m := s.one(t, "AWS::Lambda::EventSourceMapping", "UnfurlEventSource").Props
	if refID(m["FunctionName"]) != fn.ID || !strings.Contains(render(m["EventSourceArn"]), q.ID) ||
		render(m["BatchSize"]) != fmt.Sprint(chatstack.UnfurlBatchSize) || render(m["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" ||
		render(get(m, "ScalingConfig", "MaximumConcurrency")) != fmt.Sprint(chatstack.UnfurlMaxConcurrency) {
		t.Errorf("mapping %s", render(m))
	}
	env := get(functionNamed(t, s, "stream").Props, "Environment", "Variables").(map[string]any)
	if refID(env["UNFURL_QUEUE_URL"]) != q.ID {
		t.Errorf("stream function's unfurl environment %s", render(env))
	}
	expires := ""
	for _, r := range list(get(s.one(t, "AWS::S3::Bucket", "FilesBucket").Props, "LifecycleConfiguration", "Rules")) {
		if render(get(r, "Prefix")) == "linkpreviews/" {
			expires = render(get(r, "ExpirationInDays"))
		}
	}
	if expires != fmt.Sprint(chatstack.UnfurlCacheDays) {
		t.Errorf("cached previews expire after %q days, want %d", expires, chatstack.UnfurlCacheDays)
	}
}

// TestUnfurlGrants: the worker consumes its queue, reads and writes only
// the cache prefix of the files bucket (exact actions), posts to
// connections, uses the table as the service does; its environment has
// nothing that would let its fetcher reach a private or loopback address.
// The stream function may send to the queue.
func TestUnfurlGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "unfurl")
	q := "${" + s.one(t, "AWS::SQS::Queue", "UnfurlQueue").ID + ".Arn}"
	tableID := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	table, index := "${"+tableID+".Arn}", "${"+tableID+".Arn}/index/gsi1"
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	post := "arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/POST/@connections/*"
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	cache := filesArn(t, s) + "/linkpreviews/*"
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
	want := map[string][]string{
		"sqs:ReceiveMessage":            {q},
		"sqs:DeleteMessage":             {q},
		"sqs:GetQueueAttributes":        {q},
		"s3:GetObject":                  {cache},
		"s3:PutObject":                  {cache},
		"execute-api:ManageConnections": {post},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
	}
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"} {
		want[a] = []string{table, index}
	}
	if render(got) != render(want) {
		t.Errorf("unfurl grants\n got %v\nwant %v", got, want)
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	if len(env) != 4 || env["TABLE_NAME"] == nil || env["WS_CALLBACK_URL"] == nil || env["FILES_BUCKET"] == nil || env["LOG_LEVEL"] == nil {
		t.Errorf("unfurl environment %s", render(env))
	}
	for k := range env {
		if strings.Contains(k, "LOOPBACK") || strings.Contains(k, "ALLOW") {
			t.Errorf("the unfurl function's environment has %s", k)
		}
	}
	stream := functionNamed(t, s, "stream")
	actions, resources := s.grantsOf(t, s.roleOf(t, stream).ID)
	_ = actions
	sends := false
	for _, r := range resources {
		sends = sends || r == q
	}
	if !sends {
		t.Errorf("the stream function cannot send to the unfurl queue: %v", resources)
	}
}
