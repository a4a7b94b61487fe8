package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// ourFunctions are the Go functions (handler bootstrap), not CDK's helpers.
func ourFunctions(t *testing.T, s *synthesized) []resource {
	t.Helper()
	var out []resource
	for _, r := range s.resources("AWS::Lambda::Function") {
		if r.Props["Handler"] == "bootstrap" {
			out = append(out, r)
		}
	}
	want := len(chatstack.FunctionNames())
	if !hasPreSignUp(s) {
		want-- // the PreSignUp trigger exists only with signUp=domains
	}
	if !hasDigest(s) {
		want -= 2 // the digest and unsubscribe functions exist only with mailFrom/mailDomain
	}
	if !hasReviewHook(s) {
		want-- // the example review hook exists only with reviewHook=example
	}
	if len(out) != want {
		t.Fatalf("found %d Go functions, want %d", len(out), want)
	}
	return out
}

func hasDigest(s *synthesized) bool {
	for _, r := range s.resources("AWS::Lambda::Function") {
		if strings.HasPrefix(r.ID, "DigestFunction") {
			return true
		}
	}
	return false
}

func hasPreSignUp(s *synthesized) bool {
	for _, r := range s.resources("AWS::Lambda::Function") {
		if strings.HasPrefix(r.ID, "PresignupFunction") {
			return true
		}
	}
	return false
}

func functionNamed(t *testing.T, s *synthesized, name string) resource {
	t.Helper()
	prefix := strings.ToUpper(name[:1]) + name[1:] + "Function"
	return s.one(t, "AWS::Lambda::Function", prefix)
}

func TestFunctionsRuntime(t *testing.T) {
	s := synth(t, cfgDefault)
	logGroups := map[string]resource{}
	for _, lg := range s.resources("AWS::Logs::LogGroup") {
		logGroups[lg.ID] = lg
	}
	for _, fn := range ourFunctions(t, s) {
		if got := strList(fn.Props["Architectures"]); !slices.Equal(got, []string{"arm64"}) {
			t.Errorf("%s architectures %v, want [arm64]", fn.ID, got)
		}
		if fn.Props["Runtime"] != "provided.al2023" {
			t.Errorf("%s runtime %v, want provided.al2023", fn.ID, fn.Props["Runtime"])
		}
		lg, ok := logGroups[refID(get(fn.Props, "LoggingConfig", "LogGroup"))]
		if !ok {
			t.Errorf("%s has no log group of its own", fn.ID)
		} else if got := lg.Props["RetentionInDays"]; got != 30.0 {
			t.Errorf("%s log retention %v, want 30 days", fn.ID, got)
		}
		env := get(fn.Props, "Environment", "Variables").(map[string]any)
		if strings.HasPrefix(fn.ID, "Thumbnail") {
			// It needs only the bucket; the name is the bucket's name
			// expression, not a Ref (the bucket's notification references it).
			if len(env) != 2 || render(env["FILES_BUCKET"]) != render(s.one(t, "AWS::S3::Bucket", "FilesBucket").Props["BucketName"]) || env["LOG_LEVEL"] == nil {
				t.Errorf("thumbnail environment %s", render(env))
			}
			continue
		}
		if strings.HasPrefix(fn.ID, "Fanout") {
			continue // TestFanoutWorker
		}
		if strings.HasPrefix(fn.ID, "Stream") {
			// The bus, the text opt-in, the log level, the files bucket
			// (the file sweeper) and the table (the search indexer's postings,
			// the room purger) and the notifier's push queue and previews
			// switch, and the link-preview enqueuer's unfurl queue: no API
			// (records arrive in the event).
			if len(env) != 8 || env["PUSH_QUEUE_URL"] == nil || env["UNFURL_QUEUE_URL"] == nil || render(env["PUSH_PREVIEWS"]) != "true" || env["FILES_BUCKET"] == nil || env["TABLE_NAME"] == nil || refID(env["EVENT_BUS_NAME"]) != s.one(t, "AWS::Events::EventBus", "EventBus").ID ||
				render(env["EVENTS_INCLUDE_TEXT"]) != "false" || env["LOG_LEVEL"] == nil {
				t.Errorf("stream environment %s", render(env))
			}
			continue
		}
		// Exactly the variables each function reads (internal/app/env.go).
		want := map[string][]string{
			"Authorizer": {"COGNITO_CLIENT_ID", "COGNITO_ISSUER", "LOG_LEVEL"},
			"Connection": {"FANOUT_INLINE_LIMIT", "FANOUT_QUEUE_URL", "LOG_LEVEL", "TABLE_NAME", "WS_CALLBACK_URL"},
			"Actions": {"ERASURE_POLICY", "ERASURE_QUEUE_URL", "EXPORT_QUEUE_URL", "FANOUT_INLINE_LIMIT", "FANOUT_QUEUE_URL", "FILES_BUCKET", "HTTP_API_URL", "LOG_LEVEL", "SCHEDULED_DEAD_LETTER_ARN", "SCHEDULED_GROUP", "SCHEDULED_ROLE_ARN",
				"SCHEDULED_TARGET_ARN", "TABLE_NAME", "USER_POOL_ID", "VAPID_PUBLIC_KEY", "WS_CALLBACK_URL"},
			"Scheduled":  {"FANOUT_INLINE_LIMIT", "FANOUT_QUEUE_URL", "LOG_LEVEL", "PUSH_PREVIEWS", "PUSH_QUEUE_URL", "TABLE_NAME", "WS_CALLBACK_URL"},
			"Pushsender": {"LOG_LEVEL", "TABLE_NAME", "VAPID_SECRET_ARN", "VAPID_SUBJECT"},
			"Vapidkeys":  {"LOG_LEVEL"},
			"Presignup":  {"LOG_LEVEL", "SIGNUP_DOMAINS"},
			"Fanout":     {"FANOUT_QUEUE_URL", "LOG_LEVEL", "TABLE_NAME", "WS_CALLBACK_URL"},
			"Unfurl":     {"FILES_BUCKET", "LOG_LEVEL", "TABLE_NAME", "WS_CALLBACK_URL"},
			"Httpapi": {"FANOUT_INLINE_LIMIT", "FANOUT_QUEUE_URL", "LOG_LEVEL", "SCHEDULED_DEAD_LETTER_ARN", "SCHEDULED_GROUP", "SCHEDULED_ROLE_ARN",
				"SCHEDULED_TARGET_ARN", "TABLE_NAME", "VISITOR_WS_URL", "WS_CALLBACK_URL"},
			"Outhooks": {"LOG_LEVEL", "TABLE_NAME"},
			// Customer support's FAQ bot: the service over the table and
			// the management API (supporthours.go).
			"Supportbot": {"LOG_LEVEL", "TABLE_NAME", "WS_CALLBACK_URL"},
			"Export":     {"FILES_BUCKET", "LOG_LEVEL", "TABLE_NAME", "USER_POOL_ID", "WS_CALLBACK_URL"},
			"Erasure": {"ERASURE_POLICY", "ERASURE_QUEUE_URL", "FILES_BUCKET", "LOG_LEVEL", "SCHEDULED_DEAD_LETTER_ARN", "SCHEDULED_GROUP", "SCHEDULED_ROLE_ARN",
				"SCHEDULED_TARGET_ARN", "TABLE_NAME", "USER_POOL_ID", "WS_CALLBACK_URL"},
		}
		var keys []string
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		matched := false
		for prefix, wantKeys := range want {
			if strings.HasPrefix(fn.ID, prefix) {
				matched = true
				if !slices.Equal(keys, wantKeys) {
					t.Errorf("%s environment %v, want %v", fn.ID, keys, wantKeys)
				}
			}
		}
		if !matched {
			t.Errorf("%s: no expected environment", fn.ID)
		}
		if got, ok := env["COGNITO_ISSUER"]; ok && !strings.HasPrefix(render(got), "https://cognito-idp.eu-west-1.${AWS::URLSuffix}/${UserPool") {
			t.Errorf("%s COGNITO_ISSUER = %s", fn.ID, render(got))
		}
		if got, ok := env["WS_CALLBACK_URL"]; ok && (!strings.HasPrefix(render(got), "https://${WebSocketApi") || !strings.HasSuffix(render(got), ".execute-api.eu-west-1.${AWS::URLSuffix}/prod")) {
			t.Errorf("%s WS_CALLBACK_URL = %s", fn.ID, render(got))
		}
	}
	for name, want := range map[string][2]float64{"authorizer": {128, 10}, "connection": {chatstack.ConnectionMemoryMB, 10}, "actions": {chatstack.ActionsMemoryMB, 29}, "thumbnail": {1024, 60}, "stream": {256, 30}, "fanout": {chatstack.FanoutWorkerMemoryMB, chatstack.FanoutWorkerTimeoutSeconds}} {
		fn := functionNamed(t, s, name)
		if fn.Props["MemorySize"] != want[0] || fn.Props["Timeout"] != want[1] {
			t.Errorf("%s memory %v timeout %v, want %v", name, fn.Props["MemorySize"], fn.Props["Timeout"], want)
		}
	}
}

func TestTracingAndLogLevelByContext(t *testing.T) {
	for cfg, want := range map[string][2]string{cfgDefault: {"", "info"}, cfgFull: {"Active", "debug"}} {
		for _, fn := range ourFunctions(t, synth(t, cfg)) {
			if got := render(get(fn.Props, "TracingConfig", "Mode")); got != want[0] {
				t.Errorf("%s %s tracing %q, want %q", cfg, fn.ID, got, want[0])
			}
			if got := render(get(fn.Props, "Environment", "Variables", "LOG_LEVEL")); got != want[1] {
				t.Errorf("%s %s LOG_LEVEL %q, want %q", cfg, fn.ID, got, want[1])
			}
		}
	}
}
