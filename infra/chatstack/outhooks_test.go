package chatstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestOutHooksRuleAndDeadLetters: a rule on the chat bus sends exactly
// message.created to the delivery function, with retries and the
// dead-letter queue as its target's; the function's asynchronous
// invocation retries twice and sends failures to the same queue, which is
// encrypted, TLS only and alarmed; nothing polls.
func TestOutHooksRuleAndDeadLetters(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "outhooks")
	// The asynchronous functions' failure queue (the thumbnail function's too).
	dlq := s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue")
	if render(dlq.Props["SqsManagedSseEnabled"]) != "true" {
		t.Errorf("failure queue %s", render(dlq.Props))
	}
	rule := s.one(t, "AWS::Events::Rule", "OutHooksRule").Props
	bus := s.one(t, "AWS::Events::EventBus", "EventBus").ID
	if render(rule["EventPattern"]) != "detail-type([message.created]),source([backchannel])" || !strings.Contains(render(rule["EventBusName"]), bus) {
		t.Errorf("rule %s", render(rule))
	}
	targets := list(rule["Targets"])
	if len(targets) != 1 || !strings.Contains(render(get(targets[0], "Arn")), fn.ID) ||
		!strings.Contains(render(get(targets[0], "DeadLetterConfig", "Arn")), dlq.ID) ||
		render(get(targets[0], "RetryPolicy", "MaximumRetryAttempts")) != fmt.Sprint(chatstack.OutHooksRetryAttempts) {
		t.Errorf("rule targets %s", render(targets))
	}
	var cfg map[string]any
	for _, r := range s.resources("AWS::Lambda::EventInvokeConfig") {
		if strings.Contains(render(r.Props["FunctionName"]), fn.ID) {
			cfg = r.Props
		}
	}
	if cfg == nil || render(cfg["MaximumRetryAttempts"]) != fmt.Sprint(chatstack.OutHooksRetryAttempts) ||
		!strings.Contains(render(get(cfg, "DestinationConfig", "OnFailure", "Destination")), dlq.ID) {
		t.Errorf("async invoke config %s", render(cfg))
	}
	alarmed := false
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if render(a.Props["MetricName"]) == "ApproximateNumberOfMessagesVisible" && strings.Contains(render(a.Props["Dimensions"]), dlq.ID) {
			alarmed = true
		}
	}
	if !alarmed {
		t.Error("no alarm on the outgoing webhooks' failure queue")
	}
	for _, m := range s.resources("AWS::Lambda::EventSourceMapping") {
		if refID(m.Props["FunctionName"]) == fn.ID {
			t.Errorf("the delivery function polls something: %s", render(m.Props))
		}
	}
}

// TestOutHooksGrants: the delivery function reads the table (GetItem,
// Query, on the table only), sends to its failure destination and writes
// its logs; nothing else.
func TestOutHooksGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "outhooks")
	table := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	dlq := s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue").ID
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
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	want := map[string][]string{
		"dynamodb:GetItem":       {"${" + table + ".Arn}"},
		"dynamodb:Query":         {"${" + table + ".Arn}"},
		"sqs:GetQueueAttributes": {"${" + dlq + ".Arn}"},
		"sqs:GetQueueUrl":        {"${" + dlq + ".Arn}"},
		"sqs:SendMessage":        {"${" + dlq + ".Arn}"},
		"logs:CreateLogStream":   {logs},
		"logs:PutLogEvents":      {logs},
	}
	if render(got) != render(want) {
		t.Errorf("outhooks grants\n got %v\nwant %v", got, want)
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	if len(env) != 2 || refID(env["TABLE_NAME"]) != table {
		t.Errorf("environment %s", render(env))
	}
}
