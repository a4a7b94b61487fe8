package chatstack_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestRetentionDaysReachTheFunctions (issue 15): the deploy-time default
// retention (context retentionDays) is RETENTION_DAYS of the functions
// that store messages (connection, actions) and of the stream function
// (the re-stamp); without it, none has the variable (messages kept
// forever until an admin sets a default in the app).
func TestRetentionDaysReachTheFunctions(t *testing.T) {
	for cfg, want := range map[string]string{cfgFull: "90", cfgDefault: ""} {
		s := synth(t, cfg)
		for _, name := range []string{"connection", "actions", "stream"} {
			fn := functionNamed(t, s, name)
			got := ""
			if v := get(fn.Props, "Environment", "Variables", "RETENTION_DAYS"); v != nil {
				got = render(v)
			}
			if got != want {
				t.Errorf("%s: %s RETENTION_DAYS = %q, want %q", cfg, name, got, want)
			}
		}
	}
}

func TestRetentionDaysContext(t *testing.T) {
	for v, ok := range map[string]bool{"0": true, "365": true, "-1": false, "1.5": false, "99999": false} {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxRetentionDays: v}})
		p, err := chatstack.PropsFromContext(app.Node())
		if err == nil {
			err = p.Validate()
		}
		if refused := err != nil && strings.Contains(err.Error(), "retentionDays"); refused == ok {
			t.Errorf("retentionDays %s: %v, want ok=%v", v, err, ok)
		}
	}
}
