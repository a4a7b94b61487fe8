package chatstack_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// fixtures are built once for the package: dummy function builds (a
// bootstrap file each; synth only hashes and copies them) and a tiny web
// dist, so the tests need neither `make build` nor the web build.
var fixtures struct {
	assetDir string
	webDist  string
	noDist   string
}

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	defer jsii.Close()
	root, err := os.MkdirTemp("", "chatstack-test-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(root)
	fixtures.assetDir = filepath.Join(root, "build")
	for _, name := range chatstack.FunctionNames() {
		if err := writeFile(filepath.Join(fixtures.assetDir, name, "bootstrap"), "#!/bin/sh\n"); err != nil {
			return 1, err
		}
	}
	fixtures.webDist = filepath.Join(root, "dist")
	for path, body := range map[string]string{
		"index.html":         "<!doctype html><script type=module src=/assets/app-1a2b.js></script>",
		"favicon.svg":        "<svg/>",
		"assets/app-1a2b.js": "console.log(1)",
	} {
		if err := writeFile(filepath.Join(fixtures.webDist, path), body); err != nil {
			return 1, err
		}
	}
	fixtures.noDist = filepath.Join(root, "no-dist")
	return m.Run(), nil
}

func writeFile(path, body string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(body), 0o755)
}

// Configurations the tests synthesize; each is synthesized once.
const (
	cfgDefault = "default" // only the required context, no web build
	cfgFull    = "full"    // every option on: domains, hosted UI, OIDC + Google, alarms, tracing, destroy, web build, event text, archive, domain-limited sign-up, MFA required, digest emails, GIFs, cross-region backup copies, the example review hook
	cfgGoogle  = "google"  // hosted domain + Google only (and the event archive with its default retention), open sign-up, MFA optional, no backup plan, an own review hook by ARN
	// cfgRestored: the stack switched to a restored table (backup.go, docs/OPERATIONS.md).
	cfgRestored = "restored"
)

const (
	restoredTable     = "Backchannel-Table-restore-20261130"
	restoredStreamArn = "arn:aws:dynamodb:eu-west-1:123456789012:table/" + restoredTable + "/stream/2026-11-30T12:00:00.000"
)

var configContexts = map[string]map[string]any{
	cfgDefault: {},
	cfgFull: {
		chatstack.CtxStage:                 "live",
		chatstack.CtxDestroyData:           "true",
		chatstack.CtxThrottleRate:          "50",
		chatstack.CtxThrottleBurst:         75.0,
		chatstack.CtxSiteDomain:            "chat.example.com",
		chatstack.CtxSiteCertificateArn:    "arn:aws:acm:us-east-1:123456789012:certificate/site",
		chatstack.CtxAPIDomain:             "ws.example.com",
		chatstack.CtxAPICertificateArn:     "arn:aws:acm:eu-west-1:123456789012:certificate/api",
		chatstack.CtxCognitoDomainPrefix:   "backchannel-test",
		chatstack.CtxOIDCIssuer:            "https://login.example.com",
		chatstack.CtxOIDCClientID:          "oidc-client",
		chatstack.CtxOIDCClientSecretArn:   "arn:aws:secretsmanager:eu-west-1:123456789012:secret:oidc-AbCdEf",
		chatstack.CtxOIDCName:              "Corp",
		chatstack.CtxGoogleClientID:        "google-client",
		chatstack.CtxGoogleClientSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:google-AbCdEf",
		chatstack.CtxAlarmEmail:            "ops@example.com",
		chatstack.CtxLogLevel:              "debug",
		chatstack.CtxErasurePolicy:         "anonymise",
		chatstack.CtxTracing:               true,
		chatstack.CtxEventsIncludeText:     "true",
		chatstack.CtxEventArchive:          "true",
		chatstack.CtxEventArchiveDays:      "7",
		chatstack.CtxProduction:            "true",
		chatstack.CtxDashboard:             "true",
		chatstack.CtxSignUp:                "domains",
		chatstack.CtxSignUpDomains:         "example.com,corp.example",
		chatstack.CtxRefreshTokenDays:      "7",
		chatstack.CtxMFA:                   "required",
		chatstack.CtxConnectThrottleRate:   "10",
		chatstack.CtxConnectThrottleBurst:  20.0,
		chatstack.CtxMailDomain:            "example.com",
		chatstack.CtxMailFrom:              "Backchannel <chat@example.com>",
		chatstack.CtxGifAPIKeySecretArn:    gifSecretArn,
		chatstack.CtxBackupCopyRegion:      "eu-central-1", // backup.go: copies to the default vault name there
		chatstack.CtxBackupDailyDays:       "14",
		chatstack.CtxFilesVersionDays:      7.0,
		chatstack.CtxRetentionDays:         "90",
		chatstack.CtxE2EEMaxMembers:        "6",
		chatstack.CtxTermsVersion:          "2026-11-30",
		chatstack.CtxTermsURL:              "https://example.com/terms",
		chatstack.CtxReviewHook:            chatstack.ReviewHookExample,
		chatstack.CtxReviewHookTimeoutMs:   "500",
		chatstack.CtxReviewHookFailure:     "closed",
		chatstack.CtxCallMaxSize:           "8",
	},
	cfgGoogle: {
		chatstack.CtxCognitoDomainPrefix:     "backchannel-g",
		chatstack.CtxGoogleClientID:          "google-client",
		chatstack.CtxGoogleClientSecretArn:   "arn:aws:secretsmanager:eu-west-1:123456789012:secret:google-AbCdEf",
		chatstack.CtxAPIGatewayLogRoleExists: "true",
		chatstack.CtxEventArchive:            true, // default retention
		chatstack.CtxSignUp:                  "open",
		chatstack.CtxMFA:                     "optional",
		chatstack.CtxBackupPlan:              "off", // backup.go: the files' old versions stay
		chatstack.CtxReviewHook:              corpReviewArn,
		chatstack.CtxICEServers:              "turn", // calls_test.go: the deployer's TURN servers and secret
		chatstack.CtxTURNURLs:                "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349?transport=tcp",
		chatstack.CtxSTUNURLs:                "stun:turn.example.org:3478",
		chatstack.CtxTURNSecretArn:           turnSecretArn,
	},
	cfgRestored: {
		chatstack.CtxTableName:      restoredTable,
		chatstack.CtxTableStreamArn: restoredStreamArn,
		chatstack.CtxICEServers:     "none",
	},
}

// synthesized is one configuration's template and cdk-nag findings.
type synthesized struct {
	stack    awscdk.Stack
	template assertions.Template
	tmpl     map[string]any // the template as JSON
	errors   []string       // unsuppressed cdk-nag errors (and any other error annotation)
	warnings []string
}

var synthCache = map[string]*synthesized{}

// synth builds (once) the stack of a configuration, the way infra/main.go
// does: context from cdk.json plus the configuration's, cdk-nag's
// AwsSolutions checks applied to the whole app.
func synth(t *testing.T, cfg string) *synthesized {
	t.Helper()
	if s, ok := synthCache[cfg]; ok {
		return s
	}
	ctx, err := cdkJSONContext()
	if err != nil {
		t.Fatal(err)
	}
	ctx[chatstack.CtxAssetDir] = fixtures.assetDir
	ctx[chatstack.CtxWebDist] = fixtures.noDist
	if cfg == cfgFull {
		ctx[chatstack.CtxWebDist] = fixtures.webDist
	}
	for k, v := range configContexts[cfg] {
		ctx[k] = v
	}
	var s synthesized
	noPanic(t, "synth "+cfg, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
		props, err := chatstack.PropsFromContext(app.Node())
		if err != nil {
			t.Fatalf("context: %v", err)
		}
		props.Env = &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")}
		s.stack = chatstack.NewChatStack(app, "Backchannel", &props)
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		s.template = assertions.Template_FromStack(s.stack, nil)
		s.tmpl = toJSON(t, s.template.ToJSON())
		annotations := assertions.Annotations_FromStack(s.stack)
		s.errors = messages(annotations.FindError(jsii.String("*"), assertions.Match_AnyValue()))
		s.warnings = messages(annotations.FindWarning(jsii.String("*"), assertions.Match_AnyValue()))
	})
	synthCache[cfg] = &s
	return &s
}

func messages(found *[]*cxapi.SynthesisMessage) []string {
	var out []string
	for _, m := range *found {
		out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
	}
	sort.Strings(out)
	return out
}

// cdkJSONContext is the context of the repository's cdk.json (the feature
// flags), so tests synthesize what `cdk synth` does.
func cdkJSONContext() (map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	return cfg.Context, nil
}

// noPanic runs f and turns a panic (how jsii and the assertions library
// report failures) into a test failure with the message.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	f()
}

func toJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// resource is one template resource.
type resource struct {
	ID    string
	Type  string
	Props map[string]any
	Raw   map[string]any
}

// resources returns the template's resources of a type, sorted by id.
func (s *synthesized) resources(typ string) []resource {
	var out []resource
	for id, r := range s.tmpl["Resources"].(map[string]any) {
		rm := r.(map[string]any)
		if rm["Type"] != typ {
			continue
		}
		props, _ := rm["Properties"].(map[string]any)
		out = append(out, resource{ID: id, Type: typ, Props: props, Raw: rm})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// one returns the only resource of a type whose id starts with prefix.
func (s *synthesized) one(t *testing.T, typ, prefix string) resource {
	t.Helper()
	var found []resource
	for _, r := range s.resources(typ) {
		if strings.HasPrefix(r.ID, prefix) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s with id prefix %q, found %d", typ, prefix, len(found))
	}
	return found[0]
}

// render turns a CloudFormation value into readable text: Ref X -> ${X},
// GetAtt X.Y -> ${X.Y}, Fn::Join joined, other intrinsics as Name(args).
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = render(p)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		if ref, ok := x["Ref"]; ok {
			return "${" + render(ref) + "}"
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok {
			return "${" + render(ga[0]) + "." + render(ga[1]) + "}"
		}
		if j, ok := x["Fn::Join"].([]any); ok {
			parts := j[1].([]any)
			out := make([]string, len(parts))
			for i, p := range parts {
				out[i] = render(p)
			}
			return strings.Join(out, render(j[0]))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			out = append(out, k+"("+render(x[k])+")")
		}
		return strings.Join(out, ",")
	default:
		return fmt.Sprint(x)
	}
}

// get walks a path of map keys.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func strList(v any) []string {
	var out []string
	for _, x := range list(v) {
		out = append(out, render(x))
	}
	return out
}

func refID(v any) string {
	if s, ok := get(v, "Ref").(string); ok {
		return s
	}
	if ga := list(get(v, "Fn::GetAtt")); len(ga) > 0 {
		return render(ga[0])
	}
	return ""
}
