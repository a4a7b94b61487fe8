package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

const corpReviewArn = "arn:aws:lambda:eu-west-1:123456789012:function:corp-review:live"

// invokeGrants lists the lambda:* actions and their resources in fn's
// role.
func (s *synthesized) invokeGrants(t *testing.T, fn resource) (actions, resources []string) {
	t.Helper()
	role := s.roleOf(t, fn).ID
	for _, p := range s.resources("AWS::IAM::Policy") {
		if !slices.ContainsFunc(list(p.Props["Roles"]), func(r any) bool { return refID(r) == role }) {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			acts := oneOrMany(get(st, "Action"))
			if slices.ContainsFunc(acts, func(a string) bool { return strings.HasPrefix(a, "lambda:") }) {
				actions = append(actions, acts...)
				resources = append(resources, oneOrMany(get(st, "Resource"))...)
			}
		}
	}
	return actions, resources
}

func hasReviewHook(s *synthesized) bool {
	for _, r := range s.resources("AWS::Lambda::Function") {
		if strings.HasPrefix(r.ID, "ReviewhookFunction") {
			return true
		}
	}
	return false
}

// TestReviewHookExample (-c reviewHook=example, 500 ms, closed): the
// example function is in the stack (128 MB, LOG_LEVEL only), and the actions
// and scheduled functions name it, carry the budget and the policy, and
// may lambda:InvokeFunction on exactly it and nothing else of Lambda.
func TestReviewHookExample(t *testing.T) {
	s := synth(t, cfgFull)
	hook := functionNamed(t, s, "reviewhook")
	if render(hook.Props["MemorySize"]) != "128" || render(hook.Props["Timeout"]) != "3" {
		t.Errorf("example hook memory %s MB, timeout %s s", render(hook.Props["MemorySize"]), render(hook.Props["Timeout"]))
	}
	if env, _ := get(hook.Props, "Environment", "Variables").(map[string]any); len(env) != 1 || render(env["LOG_LEVEL"]) != "debug" {
		t.Errorf("example hook environment %s, want LOG_LEVEL only", render(env))
	}
	if actions, _ := s.invokeGrants(t, hook); len(actions) != 0 {
		t.Errorf("the hook itself may %v", actions)
	}
	for _, name := range []string{"actions", "scheduled", "httpapi"} {
		fn := functionNamed(t, s, name)
		env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
		if got := render(env["REVIEW_HOOK_FUNCTION"]); got != "${"+hook.ID+"}" {
			t.Errorf("%s REVIEW_HOOK_FUNCTION = %s, want the example's name", name, got)
		}
		if render(env["REVIEW_HOOK_TIMEOUT_MS"]) != "500" || render(env["REVIEW_HOOK_FAILURE"]) != "closed" {
			t.Errorf("%s environment %s", name, render(env))
		}
		actions, resources := s.invokeGrants(t, fn)
		if !slices.Equal(actions, []string{"lambda:InvokeFunction"}) || !slices.Equal(resources, []string{"${" + hook.ID + ".Arn}"}) {
			t.Errorf("%s Lambda grants %v on %v, want InvokeFunction on the example only", name, actions, resources)
		}
	}
	// The functions that do not send messages get neither.
	for _, name := range []string{"connection", "stream", "fanout", "digest"} {
		fn := functionNamed(t, s, name)
		env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
		if _, ok := env["REVIEW_HOOK_FUNCTION"]; ok {
			t.Errorf("%s has REVIEW_HOOK_FUNCTION", name)
		}
		if actions, _ := s.invokeGrants(t, fn); len(actions) != 0 {
			t.Errorf("%s may %v", name, actions)
		}
	}
}

// TestReviewHookOwnFunction (-c reviewHook=<ARN with an alias>): no example
// function; the senders invoke exactly that ARN, with the defaults.
func TestReviewHookOwnFunction(t *testing.T) {
	s := synth(t, cfgGoogle)
	if hasReviewHook(s) {
		t.Error("the example hook is deployed without reviewHook=example")
	}
	for _, name := range []string{"actions", "scheduled", "httpapi"} {
		fn := functionNamed(t, s, name)
		env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
		if render(env["REVIEW_HOOK_FUNCTION"]) != corpReviewArn {
			t.Errorf("%s REVIEW_HOOK_FUNCTION = %s", name, render(env["REVIEW_HOOK_FUNCTION"]))
		}
		for _, k := range []string{"REVIEW_HOOK_TIMEOUT_MS", "REVIEW_HOOK_FAILURE"} {
			if _, ok := env[k]; ok {
				t.Errorf("%s has %s without its context", name, k)
			}
		}
		actions, resources := s.invokeGrants(t, fn)
		if !slices.Equal(actions, []string{"lambda:InvokeFunction"}) || !slices.Equal(resources, []string{corpReviewArn}) {
			t.Errorf("%s Lambda grants %v on %v", name, actions, resources)
		}
	}
}

// TestReviewHookOffByDefault: no example function, no variables, no
// Lambda grant.
func TestReviewHookOffByDefault(t *testing.T) {
	s := synth(t, cfgDefault)
	if hasReviewHook(s) {
		t.Error("the example hook is deployed by default")
	}
	for _, fn := range ourFunctions(t, s) {
		env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
		for k := range env {
			if strings.HasPrefix(k, "REVIEW_HOOK_") {
				t.Errorf("%s has %s", fn.ID, k)
			}
		}
		if actions, _ := s.invokeGrants(t, fn); len(actions) != 0 {
			t.Errorf("%s may %v", fn.ID, actions)
		}
	}
}

func TestReviewHookContextIsChecked(t *testing.T) {
	for hook, ok := range map[string]bool{
		"example":          true,
		"corp-review":      true,
		"corp-review:live": true,
		corpReviewArn:      true,
		"arn:aws:lambda:eu-west-1:123456789012:function:corp-review": true,
		"arn:aws:lambda:eu-west-1:123456789012:function:*":           false,
		"corp*": false,
		"arn:aws:sqs:eu-west-1:123456789012:queue": false,
	} {
		err := chatstack.ChatStackProps{ReviewHook: hook}.Validate()
		if got := err == nil || !strings.Contains(err.Error(), "reviewHook"); got != ok {
			t.Errorf("%q: %v", hook, err)
		}
	}
	for _, p := range []chatstack.ChatStackProps{
		{ReviewHook: "corp-review", ReviewHookTimeoutMs: 20000},
		{ReviewHook: "corp-review", ReviewHookTimeoutMs: 1.5},
		{ReviewHook: "corp-review", ReviewHookFailure: "maybe"},
		{ReviewHookFailure: "closed"},
	} {
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "reviewHook") {
			t.Errorf("%+v: %v", p, err)
		}
	}
}
