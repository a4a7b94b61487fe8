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
	if len(out) != len(chatstack.FunctionNames()) {
		t.Fatalf("found %d Go functions, want %d", len(out), len(chatstack.FunctionNames()))
	}
	return out
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
		if strings.HasPrefix(fn.ID, "Stream") {
			// The bus, the text opt-in, the log level and the files bucket
			// (the file sweeper): no table or API (records arrive in the
			// event).
			if len(env) != 4 || env["FILES_BUCKET"] == nil || refID(env["EVENT_BUS_NAME"]) != s.one(t, "AWS::Events::EventBus", "EventBus").ID ||
				render(env["EVENTS_INCLUDE_TEXT"]) != "false" || env["LOG_LEVEL"] == nil {
				t.Errorf("stream environment %s", render(env))
			}
			continue
		}
		for _, key := range []string{"TABLE_NAME", "FILES_BUCKET", "WS_CALLBACK_URL", "COGNITO_ISSUER", "COGNITO_CLIENT_ID", "LOG_LEVEL"} {
			if env[key] == nil {
				t.Errorf("%s lacks %s", fn.ID, key)
			}
		}
		if got := render(env["COGNITO_ISSUER"]); !strings.HasPrefix(got, "https://cognito-idp.eu-west-1.${AWS::URLSuffix}/${UserPool") {
			t.Errorf("%s COGNITO_ISSUER = %s", fn.ID, got)
		}
		if got := render(env["WS_CALLBACK_URL"]); !strings.HasPrefix(got, "https://${WebSocketApi") || !strings.HasSuffix(got, ".execute-api.eu-west-1.${AWS::URLSuffix}/prod") {
			t.Errorf("%s WS_CALLBACK_URL = %s", fn.ID, got)
		}
	}
	for name, want := range map[string][2]float64{"authorizer": {128, 10}, "connection": {256, 10}, "actions": {256, 29}, "thumbnail": {1024, 60}, "stream": {256, 30}} {
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
