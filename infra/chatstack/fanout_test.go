package chatstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
	"github.com/backchannel-chat/backchannel/internal/fanoutqueue"
)

// TestFanoutMemoryFromMeasurement: the memory of the functions that fan
// out inline is what the measured CPU per post asks for (docs/FANOUT.md):
// the largest planned inline fan-out well inside API Gateway's 29 s, the
// router's limit in about half a second, a worker's job of 1,000 as fast
// as its posts' latency allows.
func TestFanoutMemoryFromMeasurement(t *testing.T) {
	s := synth(t, cfgDefault)
	for name, mb := range map[string]float64{"actions": chatstack.ActionsMemoryMB, "connection": chatstack.ConnectionMemoryMB, "fanout": chatstack.FanoutWorkerMemoryMB} {
		if got := functionNamed(t, s, name).Props["MemorySize"]; got != mb {
			t.Errorf("%s MemorySize %v, want %v", name, got, mb)
		}
	}
	for name, mb := range map[string]float64{"actions": chatstack.ActionsMemoryMB, "connection": chatstack.ConnectionMemoryMB} {
		worst := chatstack.FanoutSeconds(chatstack.WorstInlineRecipients, mb)
		if worst > chatstack.IntegrationTimeoutSeconds/3 {
			t.Errorf("%s at %v MB: %d recipients inline take %.1f s, over a third of %v s", name, mb, chatstack.WorstInlineRecipients, worst, chatstack.IntegrationTimeoutSeconds)
		}
		if limit := chatstack.FanoutSeconds(fanoutqueue.DefaultThreshold, mb); limit > 1 {
			t.Errorf("%s at %v MB: the inline limit (%d) takes %.2f s, want under 1 s", name, mb, fanoutqueue.DefaultThreshold, limit)
		}
		t.Logf("%s %v MB: %d recipients %.2f s, %d recipients %.1f s", name, mb, fanoutqueue.DefaultThreshold,
			chatstack.FanoutSeconds(fanoutqueue.DefaultThreshold, mb), chatstack.WorstInlineRecipients, chatstack.FanoutSeconds(chatstack.WorstInlineRecipients, mb))
	}
	job := chatstack.FanoutSeconds(fanoutqueue.JobSize, chatstack.FanoutWorkerMemoryMB)
	latencyBound := float64(fanoutqueue.JobSize) * chatstack.PostLatencyMs / 1000 / 64
	if job > latencyBound*1.01 {
		t.Errorf("a worker's job takes %.2f s, CPU-bound above its %.2f s of latency: more memory", job, latencyBound)
	}
	// The former deployment, for the record: 256 MB and the SDK poster (179 µs).
	if old := chatstack.FanoutSeconds(10000, 256) * 179 / chatstack.MeasuredCPUPerPostMicros; old < 20 {
		t.Errorf("sanity: the former 256 MB estimate is %.1f s", old)
	}
}

// TestFanoutQueue: encrypted, TLS only, a dead-letter queue after
// FanoutMaxReceiveCount receives, visibility six times the worker's
// timeout, and an alarm on the dead-letter queue.
func TestFanoutQueue(t *testing.T) {
	s := synth(t, cfgDefault)
	q := s.one(t, "AWS::SQS::Queue", "FanoutQueue")
	dlq := s.one(t, "AWS::SQS::Queue", "FanoutDeadLetterQueue")
	for _, r := range []resource{q, dlq} {
		if render(r.Props["SqsManagedSseEnabled"]) != "true" {
			t.Errorf("%s encryption %s", r.ID, render(r.Props))
		}
		var doc any
		for _, p := range s.resources("AWS::SQS::QueuePolicy") {
			if qs := list(p.Props["Queues"]); len(qs) == 1 && refID(qs[0]) == r.ID {
				doc = p.Props["PolicyDocument"]
			}
		}
		if !denysInsecureTransport(doc) {
			t.Errorf("%s has no policy denying aws:SecureTransport=false", r.ID)
		}
	}
	if got := render(q.Props["VisibilityTimeout"]); got != fmt.Sprint(chatstack.FanoutQueueVisibilitySeconds) {
		t.Errorf("visibility %s", got)
	}
	rp := render(q.Props["RedrivePolicy"])
	if !strings.Contains(rp, dlq.ID) || !strings.Contains(rp, fmt.Sprint(chatstack.FanoutMaxReceiveCount)) {
		t.Errorf("redrive policy %s", rp)
	}
	a := s.one(t, "AWS::CloudWatch::Alarm", "FanoutDeadLetterAlarm").Props
	if render(a["MetricName"]) != "ApproximateNumberOfMessagesVisible" || render(a["Threshold"]) != "1" || !strings.Contains(render(a["Dimensions"]), dlq.ID) {
		t.Errorf("dead-letter alarm %s", render(a))
	}
}

// TestFanoutWorker: the mapping (one job per invocation, batch item
// failures, paced by maximum concurrency), the worker's environment and
// its exact grants; the senders' environment names the queue.
func TestFanoutWorker(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "fanout")
	q := s.one(t, "AWS::SQS::Queue", "FanoutQueue").ID
	m := s.one(t, "AWS::Lambda::EventSourceMapping", "FanoutEventSource").Props
	if refID(m["FunctionName"]) != fn.ID || !strings.Contains(render(m["EventSourceArn"]), q) ||
		render(m["BatchSize"]) != "1" || render(m["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" ||
		render(get(m, "ScalingConfig", "MaximumConcurrency")) != fmt.Sprint(chatstack.FanoutWorkerMaxConcurrency) {
		t.Errorf("mapping %s", render(m))
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	// Its own queue, to put throttled recipients back on (never an inline
	// limit: a worker does not queue a fan-out of its own).
	if len(env) != 4 || env["TABLE_NAME"] == nil || env["WS_CALLBACK_URL"] == nil || env["LOG_LEVEL"] == nil || refID(env["FANOUT_QUEUE_URL"]) != q {
		t.Errorf("worker environment %s", render(env))
	}
	for _, name := range []string{"actions", "connection"} {
		env := get(functionNamed(t, s, name).Props, "Environment", "Variables").(map[string]any)
		if refID(env["FANOUT_QUEUE_URL"]) != q || render(env["FANOUT_INLINE_LIMIT"]) != fmt.Sprint(fanoutqueue.DefaultThreshold) {
			t.Errorf("%s fan-out environment %s %s", name, render(env["FANOUT_QUEUE_URL"]), render(env["FANOUT_INLINE_LIMIT"]))
		}
	}
	table := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
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
	queue, tableArns := []string{"${" + q + ".Arn}"}, []string{"${" + table + ".Arn}", "${" + table + ".Arn}/index/gsi1"}
	want := map[string][]string{
		"sqs:ReceiveMessage":            queue,
		"sqs:DeleteMessage":             queue,
		"sqs:GetQueueAttributes":        queue,
		"sqs:SendMessage":               queue, // throttled recipients re-queued
		"execute-api:ManageConnections": {"arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/POST/@connections/*"},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
	}
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"} {
		want[a] = tableArns
	}
	if render(got) != render(want) {
		t.Errorf("worker grants\n got %v\nwant %v", got, want)
	}
}
