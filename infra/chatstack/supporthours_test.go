package chatstack_test

import (
	"strings"
	"testing"
)

// TestSupportBotRule: a rule on the chat bus passes visitors' new
// messages (detail.senderId prefix "vis_") to the FAQ bot, asynchronously,
// with the failure queue; the bot's role uses the table as the service
// does and posts to connections; nothing else.
func TestSupportBotRule(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "supportbot")
	var rule *resource
	for _, r := range s.resources("AWS::Events::Rule") {
		if strings.Contains(render(get(r.Props, "EventPattern", "detail")), "vis_") {
			r := r
			rule = &r
		}
	}
	if rule == nil {
		t.Fatal("no rule on visitors' messages")
	}
	if got := render(get(rule.Props, "EventPattern", "detail-type")); !strings.Contains(got, "message.created") {
		t.Errorf("detail-type %s", got)
	}
	if got := render(rule.Props["EventBusName"]); got == "" || got == "null" {
		t.Errorf("not on the chat bus: %s", render(rule.Props))
	}
	targets := list(rule.Props["Targets"])
	if len(targets) != 1 || refID(get(targets[0], "Arn")) != fn.ID || get(targets[0], "DeadLetterConfig") == nil {
		t.Errorf("targets %s", render(targets))
	}
	actions, _ := s.grantsOf(t, s.roleOf(t, fn).ID)
	for _, a := range []string{"dynamodb:PutItem", "dynamodb:Query", "execute-api:ManageConnections"} {
		if !containsString(actions, a) {
			t.Errorf("the bot may not %s", a)
		}
	}
	for _, a := range []string{"ses:SendEmail", "s3:GetObject", "secretsmanager:GetSecretValue", "events:PutEvents"} {
		if containsString(actions, a) {
			t.Errorf("the bot may %s", a)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
