package chatstack_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestE2EEMaxMembersReachTheFunctions (issue 19): the deploy-time cap on an
// encrypted private channel (context e2eeMaxMembers) is E2EE_MAX_MEMBERS of
// the functions that create rooms and invite (connection, actions, the HTTP
// API); without it none has the variable (the service's default, 8).
func TestE2EEMaxMembersReachTheFunctions(t *testing.T) {
	for cfg, want := range map[string]string{cfgFull: "6", cfgDefault: ""} {
		s := synth(t, cfg)
		for _, name := range []string{"connection", "actions"} {
			fn := functionNamed(t, s, name)
			got := ""
			if v := get(fn.Props, "Environment", "Variables", "E2EE_MAX_MEMBERS"); v != nil {
				got = render(v)
			}
			if got != want {
				t.Errorf("%s: %s E2EE_MAX_MEMBERS = %q, want %q", cfg, name, got, want)
			}
		}
	}
}

func TestE2EEMaxMembersContext(t *testing.T) {
	for v, ok := range map[string]bool{"0": true, "2": true, "20": true, "1": false, "21": false, "2.5": false, "-3": false} {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxE2EEMaxMembers: v}})
		p, err := chatstack.PropsFromContext(app.Node())
		if err == nil {
			err = p.Validate()
		}
		if refused := err != nil && strings.Contains(err.Error(), "e2eeMaxMembers"); refused == ok {
			t.Errorf("e2eeMaxMembers %s: %v, want ok=%v", v, err, ok)
		}
	}
}
