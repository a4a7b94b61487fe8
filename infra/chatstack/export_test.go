package chatstack_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestExportQueue: the export queue is encrypted, TLS only, redrives to
// its dead-letter queue (alarmed) once the worker's own attempts are
// over, is the export function's event source (one job at a time, at most
// ExportMaxConcurrency at once); the actions function names it; archives
// expire from the files bucket after a day; the worker has the time and
// the ephemeral storage for a large archive.
func TestExportQueue(t *testing.T) {
	s := synth(t, cfgDefault)
	q := s.one(t, "AWS::SQS::Queue", "ExportQueue")
	dlq := s.one(t, "AWS::SQS::Queue", "ExportDeadLetterQueue").ID
	if render(q.Props["SqsManagedSseEnabled"]) != "true" ||
		render(q.Props["VisibilityTimeout"]) != fmt.Sprint(chatstack.ExportQueueVisibilitySeconds) ||
		render(q.Props["MessageRetentionPeriod"]) != fmt.Sprint(chatstack.ExportRetentionSeconds) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), dlq) ||
		!strings.Contains(render(q.Props["RedrivePolicy"]), fmt.Sprint(chatstack.ExportMaxReceiveCount)) {
		t.Errorf("export queue %s", render(q.Props))
	}
	if chatstack.ExportQueueVisibilitySeconds <= chatstack.ExportTimeoutSeconds {
		t.Errorf("a job becomes visible again (%d s) before the worker's timeout (%d s)", chatstack.ExportQueueVisibilitySeconds, chatstack.ExportTimeoutSeconds)
	}
	alarmed := false
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		if render(a.Props["MetricName"]) == "ApproximateNumberOfMessagesVisible" && strings.Contains(render(a.Props["Dimensions"]), dlq) {
			alarmed = true
		}
	}
	if !alarmed {
		t.Error("no alarm on the export dead-letter queue")
	}
	fn := functionNamed(t, s, "export")
	if render(fn.Props["Timeout"]) != fmt.Sprint(chatstack.ExportTimeoutSeconds) || render(fn.Props["MemorySize"]) != fmt.Sprint(chatstack.ExportMemoryMB) ||
		render(get(fn.Props, "EphemeralStorage", "Size")) != fmt.Sprint(chatstack.ExportEphemeralStorageMB) {
		t.Errorf("export function %s", render(fn.Props))
	}
	m := s.one(t, "AWS::Lambda::EventSourceMapping", "ExportEventSource").Props
	if refID(m["FunctionName"]) != fn.ID || !strings.Contains(render(m["EventSourceArn"]), q.ID) ||
		render(m["BatchSize"]) != "1" || render(m["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" ||
		render(get(m, "ScalingConfig", "MaximumConcurrency")) != fmt.Sprint(chatstack.ExportMaxConcurrency) {
		t.Errorf("mapping %s", render(m))
	}
	env := get(functionNamed(t, s, "actions").Props, "Environment", "Variables").(map[string]any)
	if refID(env["EXPORT_QUEUE_URL"]) != q.ID {
		t.Errorf("actions function's export environment %s", render(env))
	}
	expires := ""
	for _, r := range list(get(s.one(t, "AWS::S3::Bucket", "FilesBucket").Props, "LifecycleConfiguration", "Rules")) {
		if render(get(r, "Prefix")) == "exports/" {
			expires = render(get(r, "ExpirationInDays"))
		}
	}
	if expires != fmt.Sprint(chatstack.ExportArchiveDays) || chatstack.ExportArchiveDays != 1 {
		t.Errorf("archives expire after %q days, want 1", expires)
	}
}

// policyOf lists the actions of a function's role and their resources.
func policyOf(t *testing.T, s *synthesized, fn resource) map[string][]string {
	got := map[string][]string{}
	for _, p := range s.resources("AWS::IAM::Policy") {
		if len(list(p.Props["Roles"])) != 1 || refID(list(p.Props["Roles"])[0]) != s.roleOf(t, fn).ID {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			for _, a := range oneOrMany(get(st, "Action")) {
				got[a] = append(got[a], oneOrMany(get(st, "Resource"))...)
				slices.Sort(got[a])
			}
		}
	}
	return got
}

// TestExportGrants: the worker consumes its queue, reads only files and
// profile pictures, writes only under exports/, posts to connections,
// uses the table as the service does and reads the person's address in
// the pool: exact actions on exact resources. The actions function may
// send to the queue and read (presign) archives. With mail configured,
// the worker sends through the digest's identity only.
func TestExportGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "export")
	q := "${" + s.one(t, "AWS::SQS::Queue", "ExportQueue").ID + ".Arn}"
	tableID := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	table, index := "${"+tableID+".Arn}", "${"+tableID+".Arn}/index/gsi1"
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	post := "arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/POST/@connections/*"
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	files := filesArn(t, s)
	pool := "${" + s.one(t, "AWS::Cognito::UserPool", "UserPool").ID + ".Arn}"
	want := map[string][]string{
		"sqs:ReceiveMessage":            {q},
		"sqs:DeleteMessage":             {q},
		"sqs:GetQueueAttributes":        {q},
		"s3:GetObject":                  {files + "/avatars/*", files + "/rooms/*"},
		"s3:ListBucket":                 {files},
		"s3:PutObject":                  {files + "/exports/*"},
		"execute-api:ManageConnections": {post},
		"cognito-idp:AdminGetUser":      {pool},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
	}
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"} {
		want[a] = []string{table, index}
	}
	if got := policyOf(t, s, fn); render(got) != render(want) {
		t.Errorf("export grants\n got %v\nwant %v", got, want)
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	if len(env) != 5 || env["DIGEST_FROM"] != nil {
		t.Errorf("export environment without mail %s", render(env))
	}

	actions := policyOf(t, s, functionNamed(t, s, "actions"))
	if !slices.Contains(actions["sqs:SendMessage"], q) || !slices.Contains(actions["s3:GetObject"], files+"/exports/*") {
		t.Errorf("the actions function cannot queue exports or presign archives: %v", actions)
	}
	if slices.Contains(actions["s3:PutObject"], files+"/exports/*") || slices.Contains(actions["s3:DeleteObject"], files+"/exports/*") {
		t.Errorf("the actions function may write archives: %v", actions)
	}

	full := synth(t, cfgFull)
	fullFn := functionNamed(t, full, "export")
	sends := policyOf(t, full, fullFn)["ses:SendEmail"]
	if len(sends) != 1 || !strings.Contains(sends[0], ":identity/example.com") {
		t.Errorf("with mail, the worker sends through %v, want the identity only", sends)
	}
	fenv := get(fullFn.Props, "Environment", "Variables").(map[string]any)
	if fenv["DIGEST_FROM"] == nil || fenv["DIGEST_SITE_URL"] == nil {
		t.Errorf("export environment with mail %s", render(fenv))
	}
}
