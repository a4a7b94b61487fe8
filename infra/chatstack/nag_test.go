package chatstack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// TestNagAwsSolutions fails on any cdk-nag AwsSolutions error that is not
// suppressed with a reason (and on any other error annotation), in every
// configuration; warnings are logged.
func TestNagAwsSolutions(t *testing.T) {
	for _, cfg := range []string{cfgDefault, cfgFull, cfgGoogle, cfgRestored} {
		t.Run(cfg, func(t *testing.T) {
			s := synth(t, cfg)
			for _, e := range s.errors {
				t.Errorf("unsuppressed error: %s", e)
			}
			for _, w := range s.warnings {
				t.Logf("warning: %s", w)
			}
			dumpTemplate(t, cfg, s.tmpl)
		})
	}
}

// dumpTemplate writes the template to $CHATSTACK_DUMP/<cfg>.json when set
// (for cfn-lint and for reading).
func dumpTemplate(t *testing.T, cfg string, tmpl map[string]any) {
	dir := os.Getenv("CHATSTACK_DUMP")
	if dir == "" {
		return
	}
	raw, err := json.MarshalIndent(tmpl, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, cfg+".template.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNagHarnessCatchesErrors proves the check above can fail: a bucket
// without TLS enforcement or logging must produce AwsSolutions errors.
func TestNagHarnessCatchesErrors(t *testing.T) {
	noPanic(t, "nag negative", func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
		awss3.NewBucket(stack, jsii.String("Open"), nil)
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		assertions.Template_FromStack(stack, nil)
		errs := messages(assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_AnyValue()))
		joined := strings.Join(errs, "\n")
		for _, rule := range []string{"AwsSolutions-S1", "AwsSolutions-S10"} {
			if !strings.Contains(joined, rule) {
				t.Errorf("nag did not report %s on an unlogged, TLS-optional bucket; got:\n%s", rule, joined)
			}
		}
	})
}
