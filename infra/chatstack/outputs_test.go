package chatstack_test

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

func TestOutputs(t *testing.T) {
	s := synth(t, cfgDefault)
	want := map[string]string{
		chatstack.OutputSiteURL:        "https://${Distribution830FAC52.DomainName}/",
		chatstack.OutputWebSocketURL:   "wss://${WebSocketApi34BCF99B}.execute-api.eu-west-1.${AWS::URLSuffix}/prod",
		chatstack.OutputUserPoolID:     "${UserPool",
		chatstack.OutputUserPoolClient: "${UserPoolWebClient",
		chatstack.OutputTableName:      "${Table",
		chatstack.OutputFilesBucket:    "${FilesBucket",
	}
	for name, prefix := range want {
		got := render(get(s.tmpl, "Outputs", name, "Value"))
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("output %s = %q, want prefix %q", name, got, prefix)
		}
	}
}
