package chatstack_test

import (
	"slices"
	"strings"
	"testing"
)

// statement is one IAM statement found anywhere in the template.
type statement struct {
	Where     string // resource id (and policy name)
	Effect    string
	Actions   []string
	Resources []string
}

// statements collects the statements of every identity policy (AWS::IAM::Policy,
// inline role policies, managed policies) and resource policy (bucket and
// topic policies) in the template.
func (s *synthesized) statements() []statement {
	var out []statement
	add := func(where string, doc any) {
		for _, st := range list(get(doc, "Statement")) {
			out = append(out, statement{
				Where:     where,
				Effect:    render(get(st, "Effect")),
				Actions:   oneOrMany(get(st, "Action")),
				Resources: oneOrMany(get(st, "Resource")),
			})
		}
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy"} {
		for _, r := range s.resources(typ) {
			add(r.ID, r.Props["PolicyDocument"])
		}
	}
	for _, r := range s.resources("AWS::IAM::Role") {
		for _, p := range list(r.Props["Policies"]) {
			add(r.ID+"/"+render(get(p, "PolicyName")), get(p, "PolicyDocument"))
		}
	}
	return out
}

func oneOrMany(v any) []string {
	if l, ok := v.([]any); ok {
		return strList(l)
	}
	if v == nil {
		return nil
	}
	return []string{render(v)}
}

// Partial wildcards CDK's own constructs generate (BucketDeployment's role:
// read of the staging bucket, write of the site bucket). Anything else with
// a '*' in an action fails the test.
var allowedPartialWildcards = []string{"s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*", "s3:DeleteObject*"}

// Actions that support no resource-level permissions and therefore appear
// with Resource "*".
var allowedStarResourceActions = []string{
	"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", // BucketDeployment's invalidation
	"xray:PutTraceSegments", "xray:PutTelemetryRecords", // tracing, when on
	"dynamodb:ListStreams", // the stream mapping's role (the other stream reads are on the stream ARN)
}

func TestNoWildcardActions(t *testing.T) {
	for _, cfg := range []string{cfgDefault, cfgFull} {
		t.Run(cfg, func(t *testing.T) {
			sts := synth(t, cfg).statements()
			if len(sts) < 10 {
				t.Fatalf("found only %d statements: the walk is broken", len(sts))
			}
			for _, st := range sts {
				if st.Effect != "Allow" {
					continue // Deny s3:* without TLS is what enforceSSL should produce
				}
				for _, a := range st.Actions {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s allows wildcard action %q", st.Where, a)
					} else if strings.Contains(a, "*") && !slices.Contains(allowedPartialWildcards, a) {
						t.Errorf("%s allows unexpected partial wildcard %q", st.Where, a)
					}
				}
				if slices.Contains(st.Resources, "*") {
					for _, a := range st.Actions {
						if !slices.Contains(allowedStarResourceActions, a) {
							t.Errorf("%s allows %q on every resource", st.Where, a)
						}
					}
				}
			}
		})
	}
}

// TestFunctionRolesHaveNoManagedPolicies: our functions' roles carry only
// inline grants (no AWSLambdaBasicExecutionRole, no *FullAccess), and no
// role in the stack has a FullAccess or administrator policy.
func TestFunctionRolesHaveNoManagedPolicies(t *testing.T) {
	s := synth(t, cfgFull)
	for _, r := range s.resources("AWS::IAM::Role") {
		managed := render(r.Props["ManagedPolicyArns"])
		if strings.Contains(managed, "FullAccess") || strings.Contains(managed, "AdministratorAccess") {
			t.Errorf("%s has %s", r.ID, managed)
		}
	}
	for _, fn := range ourFunctions(t, s) {
		role := s.roleOf(t, fn)
		if m := role.Props["ManagedPolicyArns"]; m != nil {
			t.Errorf("role of %s has managed policies %s", fn.ID, render(m))
		}
	}
}

// TestAuthorizerHasOnlyLogs: the authorizer's role may write its own log
// group and nothing else (no DynamoDB, no S3, no management API).
func TestAuthorizerHasOnlyLogs(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "authorizer")
	actions, resources := s.grantsOf(t, s.roleOf(t, fn).ID)
	want := []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	if !slices.Equal(actions, want) {
		t.Errorf("authorizer role actions = %v, want only %v", actions, want)
	}
	logGroup := refID(get(fn.Props, "LoggingConfig", "LogGroup"))
	for _, r := range resources {
		if r != "${"+logGroup+".Arn}" {
			t.Errorf("authorizer role reaches %s, want only its log group %s", r, logGroup)
		}
	}
}

func TestFunctionGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	files := filesArn(t, s)
	table := s.one(t, "AWS::DynamoDB::Table", "Table").ID
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	fanoutQueue := s.one(t, "AWS::SQS::Queue", "FanoutQueue").ID
	for _, tc := range []struct {
		fn       string
		want     []string
		wantNone []string
		files    bool
	}{
		{"connection", []string{"dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem", "execute-api:ManageConnections", "sqs:SendMessage"}, []string{"s3:PutObject", "s3:GetObject", "s3:ListBucket", "dynamodb:Scan", "dynamodb:GetRecords"}, false},
		{"actions", []string{"dynamodb:PutItem", "dynamodb:Query", "execute-api:ManageConnections", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "sqs:SendMessage"}, []string{"s3:DeleteObject", "dynamodb:Scan", "dynamodb:GetRecords"}, true},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			fn := functionNamed(t, s, tc.fn)
			actions, resources := s.grantsOf(t, s.roleOf(t, fn).ID)
			for _, a := range tc.want {
				if !slices.Contains(actions, a) {
					t.Errorf("missing %s (has %v)", a, actions)
				}
			}
			for _, a := range tc.wantNone {
				if slices.Contains(actions, a) {
					t.Errorf("must not have %s", a)
				}
			}
			allowed := map[string]bool{
				"${" + table + ".Arn}":                                                                 true,
				"${" + table + ".Arn}/index/gsi1":                                                      true,
				"${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}":                     true,
				"arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/POST/@connections/*":   true,
				"arn:aws:execute-api:eu-west-1:123456789012:${" + api + "}/prod/DELETE/@connections/*": true,
				"${" + fanoutQueue + ".Arn}":                                                           true, // sqs:SendMessage: big rooms' fan-out jobs
				// sqs:SendMessage: account deletion's erasure jobs (TestErasureGrants).
				"${" + s.one(t, "AWS::SQS::Queue", "ErasureQueue").ID + ".Arn}": tc.fn == "actions",
				files + "/rooms/*":   tc.files,
				files + "/thumbs/*":  tc.files,
				files + "/avatars/*": tc.files,
				files:                tc.files,
				// The admin console's user pool calls (TestPeopleGrants).
				"${" + s.one(t, "AWS::Cognito::UserPool", "UserPool").ID + ".Arn}": tc.fn == "actions",
				// Scheduled messages' schedules and the role passed to
				// Scheduler (TestScheduledGrants).
				"arn:aws:scheduler:eu-west-1:123456789012:schedule/" + render(s.one(t, "AWS::Scheduler::ScheduleGroup", "ScheduledScheduleGroup").Props["Name"]) + "/*": tc.fn == "actions",
				"${" + s.one(t, "AWS::IAM::Role", "ScheduledSchedulerRole").ID + ".Arn}":                                                                                tc.fn == "actions",
				// Data exports: the queue and the archives' presigned GETs (TestExportGrants).
				"${" + s.one(t, "AWS::SQS::Queue", "ExportQueue").ID + ".Arn}": tc.fn == "actions",
				files + "/exports/*": tc.fn == "actions",
				// Calls (TestCallsKVSByDefault): the signalling channel's
				// managed TURN and the incoming-call push on the push queue.
				"${" + s.one(t, "AWS::KinesisVideo::SignalingChannel", "CallsSignalingChannel").ID + ".Arn}": tc.fn == "actions",
				"${" + s.one(t, "AWS::SQS::Queue", "PushQueue").ID + ".Arn}":                                 tc.fn == "actions",
			}
			for _, r := range resources {
				if !allowed[r] {
					t.Errorf("unexpected resource %s", r)
				}
			}
		})
	}
}

// TestApiGatewayLogRole: the account-setting role reaches this API's log
// groups only (and lists log groups, which has no narrower resource).
func TestApiGatewayLogRole(t *testing.T) {
	s := synth(t, cfgDefault)
	role := s.one(t, "AWS::IAM::Role", "ApiGatewayCloudWatchRole")
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	access := s.one(t, "AWS::Logs::LogGroup", "ApiAccessLogs").ID
	base := "arn:aws:logs:eu-west-1:123456789012:log-group:"
	allowed := map[string]bool{
		base + "${" + access + "}": true, base + "${" + access + "}:*": true,
		base + "API-Gateway-Execution-Logs_${" + api + "}/prod": true, base + "API-Gateway-Execution-Logs_${" + api + "}/prod:*": true,
	}
	n := 0
	for _, st := range s.statements() {
		if !strings.HasPrefix(st.Where, role.ID+"/") {
			continue
		}
		for _, r := range st.Resources {
			n++
			if r == base+"*" && slices.Equal(st.Actions, []string{"logs:DescribeLogGroups"}) {
				continue
			}
			if !allowed[r] {
				t.Errorf("logging role reaches %s (%v)", r, st.Actions)
			}
		}
	}
	if n == 0 {
		t.Fatal("no statements found for the logging role")
	}
}

// TestThumbnailGrantsAndTrigger: the thumbnail function reads originals,
// writes thumbnails (nothing else), and runs for every object created under
// rooms/.
func TestThumbnailGrantsAndTrigger(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "thumbnail")
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
	want := map[string][]string{
		"s3:GetObject":           {files + "/rooms/*"},
		"s3:GetObjectTagging":    {files + "/rooms/*"},
		"s3:PutObject":           {files + "/thumbs/*"},
		"s3:PutObjectTagging":    {files + "/thumbs/*"},
		"s3:DeleteObjectTagging": {files + "/thumbs/*"},
		// Its failure destination (CDK's grantSendMessages).
		"sqs:GetQueueAttributes": {"${" + s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue").ID + ".Arn}"},
		"sqs:GetQueueUrl":        {"${" + s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue").ID + ".Arn}"},
		"sqs:SendMessage":        {"${" + s.one(t, "AWS::SQS::Queue", "ThumbnailFailureQueue").ID + ".Arn}"},
		"logs:CreateLogStream":   {"${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"},
		"logs:PutLogEvents":      {"${" + refID(get(fn.Props, "LoggingConfig", "LogGroup")) + ".Arn}"},
	}
	if render(got) != render(want) {
		t.Errorf("thumbnail grants\n got %v\nwant %v", got, want)
	}

	bucket := s.one(t, "AWS::S3::Bucket", "FilesBucket")
	configs := list(get(bucket.Props, "NotificationConfiguration", "LambdaConfigurations"))
	if len(configs) != 1 || refID(get(configs[0], "Function")) != fn.ID ||
		render(get(configs[0], "Event")) != "s3:ObjectCreated:*" ||
		render(get(configs[0], "Filter", "S3Key", "Rules")) != "[Name(prefix),Value(rooms/)]" {
		t.Fatalf("files bucket notification %s", render(configs))
	}
	perm := s.one(t, "AWS::Lambda::Permission", "ThumbnailInvokeFromFilesBucket")
	if render(perm.Props["Principal"]) != "s3.amazonaws.com" || render(perm.Props["SourceArn"]) != files || refID(perm.Props["FunctionName"]) != fn.ID {
		t.Errorf("invoke permission %s", render(perm.Props))
	}
	if !slices.Contains(strList(bucket.Raw["DependsOn"]), perm.ID) {
		t.Errorf("the bucket must wait for the invoke permission (S3 checks it)")
	}
}

// filesArn is the files bucket's ARN as the policies write it.
func filesArn(t *testing.T, s *synthesized) string {
	return "arn:${AWS::Partition}:s3:::" + render(s.one(t, "AWS::S3::Bucket", "FilesBucket").Props["BucketName"])
}

// grantsOf lists the actions (sorted, unique) and resources of every
// AWS::IAM::Policy attached to a role.
func (s *synthesized) grantsOf(t *testing.T, roleID string) (actions, resources []string) {
	t.Helper()
	for _, p := range s.resources("AWS::IAM::Policy") {
		attached := false
		for _, r := range list(p.Props["Roles"]) {
			attached = attached || refID(r) == roleID
		}
		if !attached {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			actions = append(actions, oneOrMany(get(st, "Action"))...)
			resources = append(resources, oneOrMany(get(st, "Resource"))...)
		}
	}
	slices.Sort(actions)
	return slices.Compact(actions), resources
}

func (s *synthesized) roleOf(t *testing.T, fn resource) resource {
	t.Helper()
	id := refID(fn.Props["Role"])
	for _, r := range s.resources("AWS::IAM::Role") {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("role %q of %s not found", id, fn.ID)
	return resource{}
}
