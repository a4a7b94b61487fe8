package app

import (
	"strings"
	"testing"
	"time"
)

func TestReviewHookFromEnv(t *testing.T) {
	base := map[string]string{EnvTableName: "chat", EnvCallbackURL: "http://gw/local"}
	read := func(extra map[string]string) (ActionsConfig, error) {
		return readActions(func(name string) (string, bool) {
			if v, ok := extra[name]; ok {
				return v, true
			}
			v, ok := base[name]
			return v, ok
		})
	}
	cfg, err := read(nil)
	if err != nil || cfg.Review.On() {
		t.Fatalf("unset: %+v, %v", cfg.Review, err)
	}
	cfg, err = read(map[string]string{EnvReviewHookFunction: "arn:aws:lambda:eu-west-1:1:function:review", EnvReviewHookTimeoutMS: "1500", EnvReviewHookFailure: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ReviewSettings{Function: "arn:aws:lambda:eu-west-1:1:function:review", Timeout: 1500 * time.Millisecond, FailClosed: true}); cfg.Review != want {
		t.Fatalf("review = %+v, want %+v", cfg.Review, want)
	}
	sched, err := readScheduledFunction(func(name string) (string, bool) {
		v, ok := map[string]string{EnvTableName: "chat", EnvCallbackURL: "http://gw", EnvReviewHookFunction: "review"}[name]
		return v, ok
	})
	if err != nil || sched.Actions.Review.Function != "review" {
		t.Fatalf("the scheduled function does not read the hook: %+v, %v", sched.Actions.Review, err)
	}
	for name, value := range map[string]string{EnvReviewHookTimeoutMS: "0", EnvReviewHookFailure: "maybe"} {
		if _, err := read(map[string]string{name: value}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: err = %v", name, value, err)
		}
	}
	if _, err := read(map[string]string{EnvReviewHookTimeoutMS: "20000"}); err == nil {
		t.Error("a 20 s budget accepted")
	}
}
