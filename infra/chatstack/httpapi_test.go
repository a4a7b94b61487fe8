package chatstack_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestHTTPAPI (issue 16): one HTTP API, payload format 2.0, whose
// proxy routes (/hooks/, /api/ and, since issue 17, /widget/) go to the httpapi function and nothing
// else; a throttled $default stage with access logs that never hold the
// path (a webhook's secret); the URL is an output and in config.json.
func TestHTTPAPI(t *testing.T) {
	s := synth(t, cfgDefault)
	api := s.one(t, "AWS::ApiGatewayV2::Api", "HttpApi")
	if render(api.Props["ProtocolType"]) != "HTTP" {
		t.Fatalf("HttpApi %s", render(api.Props))
	}
	fn := functionNamed(t, s, "httpapi")
	var integrations []resource
	for _, r := range s.resources("AWS::ApiGatewayV2::Integration") {
		if refID(r.Props["ApiId"]) == api.ID {
			integrations = append(integrations, r)
		}
	}
	if len(integrations) != 1 {
		t.Fatalf("%d integrations on the HTTP API, want 1", len(integrations))
	}
	in := integrations[0]
	if render(in.Props["IntegrationType"]) != "AWS_PROXY" || render(in.Props["PayloadFormatVersion"]) != "2.0" ||
		!strings.Contains(render(in.Props["IntegrationUri"]), fn.ID) {
		t.Errorf("integration %s", render(in.Props))
	}
	var routes []string
	for _, r := range s.resources("AWS::ApiGatewayV2::Route") {
		if refID(r.Props["ApiId"]) != api.ID {
			continue
		}
		routes = append(routes, render(r.Props["RouteKey"]))
		if !strings.Contains(render(r.Props["Target"]), in.ID) {
			t.Errorf("route %s targets %s", render(r.Props["RouteKey"]), render(r.Props["Target"]))
		}
		if a := render(r.Props["AuthorizationType"]); a != "" && a != "NONE" {
			t.Errorf("route %s has authorization %s: the function checks secrets and tokens itself", render(r.Props["RouteKey"]), a)
		}
	}
	slices.Sort(routes)
	// /widget/: the support widget's sessions (issue #17, widget.go).
	if strings.Join(routes, ",") != "ANY /api/{proxy+},ANY /hooks/{proxy+},ANY /widget/{proxy+}" {
		t.Errorf("routes %v", routes)
	}
	var stages []resource
	for _, r := range s.resources("AWS::ApiGatewayV2::Stage") {
		if refID(r.Props["ApiId"]) == api.ID {
			stages = append(stages, r)
		}
	}
	if len(stages) != 1 {
		t.Fatalf("%d stages, want the $default one", len(stages))
	}
	st := stages[0].Props
	if render(st["StageName"]) != "$default" || render(st["AutoDeploy"]) != "true" ||
		render(get(st, "DefaultRouteSettings", "ThrottlingRateLimit")) != fmt.Sprint(chatstack.HTTPAPIThrottleRate) ||
		render(get(st, "DefaultRouteSettings", "ThrottlingBurstLimit")) != fmt.Sprint(chatstack.HTTPAPIThrottleBurst) {
		t.Errorf("stage %s", render(st))
	}
	logGroup := s.one(t, "AWS::Logs::LogGroup", "HttpApiAccessLogs")
	format := render(get(st, "AccessLogSettings", "Format"))
	if !strings.Contains(render(get(st, "AccessLogSettings", "DestinationArn")), logGroup.ID) ||
		!strings.Contains(format, "$context.routeKey") || strings.Contains(format, "path") {
		t.Errorf("access logs %s", render(get(st, "AccessLogSettings")))
	}
	// API Gateway may invoke the function, from this API only.
	invokable := false
	for _, p := range s.resources("AWS::Lambda::Permission") {
		if refID(p.Props["FunctionName"]) == fn.ID && render(p.Props["Principal"]) == "apigateway.amazonaws.com" {
			invokable = true
			if !strings.Contains(render(p.Props["SourceArn"]), api.ID) {
				t.Errorf("permission from %s", render(p.Props["SourceArn"]))
			}
		}
	}
	if !invokable {
		t.Error("API Gateway may not invoke the httpapi function")
	}
	out, ok := s.tmpl["Outputs"].(map[string]any)[chatstack.OutputHTTPAPIURL]
	if !ok || !strings.Contains(render(get(out, "Value")), api.ID) {
		t.Errorf("output %s: %v", chatstack.OutputHTTPAPIURL, out)
	}
	// config.json (the deployment's markers: its tokens) names the API.
	found := false
	for _, r := range s.resources("Custom::CDKBucketDeployment") {
		found = found || strings.Contains(render(r.Props["SourceMarkers"]), api.ID)
	}
	if !found {
		t.Error("config.json does not name the HTTP API's URL (httpApiUrl)")
	}
}

// TestHTTPAPIGrants: exactly the send path's calls: the table's data
// calls, posting to and deleting connections of the WebSocket stage, the
// fan-out queue's SendMessage, its logs. No files, no Cognito.
func TestHTTPAPIGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "httpapi")
	tableID := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	table, index := "${"+tableID+".Arn}", "${"+tableID+".Arn}/index/gsi1"
	ws := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	post := "arn:aws:execute-api:eu-west-1:123456789012:${" + ws + "}/prod/POST/@connections/*"
	del := "arn:aws:execute-api:eu-west-1:123456789012:${" + ws + "}/prod/DELETE/@connections/*"
	logs := "${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"
	fanout := "${" + s.one(t, "AWS::SQS::Queue", "FanoutQueue").ID + ".Arn}"
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
		"sqs:SendMessage":               {fanout},
		"execute-api:ManageConnections": {del, post},
		"logs:CreateLogStream":          {logs},
		"logs:PutLogEvents":             {logs},
		// A bot's scheduleMessage (scheduled.go): the group's schedules,
		// passing only the scheduler's role.
		"scheduler:CreateSchedule": {"arn:aws:scheduler:eu-west-1:123456789012:schedule/" + render(s.one(t, "AWS::Scheduler::ScheduleGroup", "ScheduledScheduleGroup").Props["Name"]) + "/*"},
		"scheduler:DeleteSchedule": {"arn:aws:scheduler:eu-west-1:123456789012:schedule/" + render(s.one(t, "AWS::Scheduler::ScheduleGroup", "ScheduledScheduleGroup").Props["Name"]) + "/*"},
		"iam:PassRole":             {"${" + s.one(t, "AWS::IAM::Role", "ScheduledSchedulerRole").ID + ".Arn}"},
	}
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"} {
		want[a] = []string{table, index}
	}
	if render(got) != render(want) {
		t.Errorf("httpapi grants\n got %v\nwant %v", got, want)
	}
	env := get(fn.Props, "Environment", "Variables").(map[string]any)
	for _, k := range []string{"TABLE_NAME", "WS_CALLBACK_URL", "FANOUT_QUEUE_URL", "LOG_LEVEL"} {
		if env[k] == nil {
			t.Errorf("httpapi environment lacks %s: %s", k, render(env))
		}
	}
	for _, k := range []string{"FILES_BUCKET", "USER_POOL_ID", "COGNITO_ISSUER"} {
		if env[k] != nil {
			t.Errorf("httpapi environment has %s", k)
		}
	}
}

// webSocketOnly is s.resources(typ) of the WebSocket API (the HTTP API's
// routes and integration are TestHTTPAPI's).
func webSocketOnly(t *testing.T, s *synthesized, typ string) []resource {
	t.Helper()
	ws := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	var out []resource
	for _, r := range s.resources(typ) {
		if refID(r.Props["ApiId"]) == ws {
			out = append(out, r)
		}
	}
	return out
}

// TestCommandsResponseURLBase: the actions function, which runs slash
// commands, names the HTTP API's URL in their payload's responseUrl
// (HTTP_API_URL, a reference to this stack's HTTP API).
func TestCommandsResponseURLBase(t *testing.T) {
	s := synth(t, cfgDefault)
	api := s.one(t, "AWS::ApiGatewayV2::Api", "HttpApi")
	env := get(functionNamed(t, s, "actions").Props, "Environment", "Variables").(map[string]any)
	if v, ok := env["HTTP_API_URL"]; !ok || !strings.Contains(render(v), api.ID) {
		t.Errorf("actions: HTTP_API_URL = %s, want the HTTP API %s's endpoint", render(v), api.ID)
	}
}
