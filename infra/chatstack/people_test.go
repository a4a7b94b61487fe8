package chatstack_test

import (
	"slices"
	"strings"
	"testing"
)

// Who may sign up, by context: invite-only by default (only admins create
// accounts), domain-limited with a PreSignUp trigger, or open.
func TestSignUpModes(t *testing.T) {
	for _, c := range []struct {
		cfg, adminOnly string
		trigger        bool
	}{
		{cfgDefault, "true", false},
		{cfgFull, "false", true},
		{cfgGoogle, "false", false},
	} {
		s := synth(t, c.cfg)
		p := s.one(t, "AWS::Cognito::UserPool", "UserPool").Props
		if got := render(get(p, "AdminCreateUserConfig", "AllowAdminCreateUserOnly")); got != c.adminOnly {
			t.Errorf("%s: AllowAdminCreateUserOnly = %s, want %s", c.cfg, got, c.adminOnly)
		}
		pre := get(p, "LambdaConfig", "PreSignUp")
		if (pre != nil) != c.trigger {
			t.Errorf("%s: PreSignUp trigger = %s, want present=%v", c.cfg, render(pre), c.trigger)
		}
		var presignup []resource
		for _, f := range s.resources("AWS::Lambda::Function") {
			if strings.HasPrefix(f.ID, "PresignupFunction") {
				presignup = append(presignup, f)
			}
		}
		if (len(presignup) == 1) != c.trigger {
			t.Errorf("%s: %d presignup functions, want trigger=%v", c.cfg, len(presignup), c.trigger)
		}
		if c.trigger {
			env := render(get(presignup[0].Props, "Environment", "Variables", "SIGNUP_DOMAINS"))
			if env != "example.com,corp.example" {
				t.Errorf("SIGNUP_DOMAINS = %s", env)
			}
			if !strings.Contains(render(pre), "PresignupFunction") {
				t.Errorf("PreSignUp is %s, want the presignup function", render(pre))
			}
		}
	}
}

func TestRefreshTokenValidityFromContext(t *testing.T) {
	for cfg, want := range map[string]string{cfgDefault: "43200", cfgFull: "10080"} { // minutes: 30 and 7 days
		c := synth(t, cfg).one(t, "AWS::Cognito::UserPoolClient", "UserPoolWebClient").Props
		if got := render(c["RefreshTokenValidity"]); got != want {
			t.Errorf("%s: RefreshTokenValidity = %s, want %s", cfg, got, want)
		}
	}
}

// $connect is throttled below the stage's default.
func TestConnectRouteThrottled(t *testing.T) {
	for cfg, want := range map[string][2]string{cfgDefault: {"20", "40"}, cfgFull: {"10", "20"}} {
		st := synth(t, cfg).one(t, "AWS::ApiGatewayV2::Stage", "Stage").Props
		rate := render(get(st, "RouteSettings", "$connect", "ThrottlingRateLimit"))
		burst := render(get(st, "RouteSettings", "$connect", "ThrottlingBurstLimit"))
		if rate != want[0] || burst != want[1] {
			t.Errorf("%s: $connect throttle = %s/%s, want %s/%s", cfg, rate, burst, want[0], want[1])
		}
	}
}

// The admin console's user pool calls are granted to the actions function
// only, exactly, on the pool.
func TestPeopleGrants(t *testing.T) {
	s := synth(t, cfgDefault)
	found := false
	for _, st := range s.statements() {
		hasIDP := slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "cognito-idp:") })
		if !hasIDP {
			continue
		}
		// The export worker reads the person's address (issue 15), and
		// nothing else of the pool (TestExportGrants).
		if strings.HasPrefix(st.Where, "ExportRole") && slices.Equal(st.Actions, []string{"cognito-idp:AdminGetUser"}) {
			continue
		}
		if strings.HasPrefix(st.Where, "ErasureRole") {
			// Account deletion deletes the account, and does nothing else
			// in the pool (TestErasureGrants).
			if !slices.Equal(st.Actions, []string{"cognito-idp:AdminDeleteUser"}) {
				t.Errorf("erasure role: %v, want cognito-idp:AdminDeleteUser only", st.Actions)
			}
			continue
		}
		if !strings.HasPrefix(st.Where, "ActionsRole") {
			t.Errorf("%s is granted %v", st.Where, st.Actions)
			continue
		}
		found = true
		if len(st.Actions) != 10 || slices.Contains(st.Actions, "cognito-idp:*") || slices.Contains(st.Actions, "cognito-idp:AdminDeleteUser") {
			t.Errorf("actions role: %v, want exactly the ten admin-console calls", st.Actions)
		}
		if len(st.Resources) != 1 || !strings.Contains(st.Resources[0], "UserPool") {
			t.Errorf("actions role cognito-idp resources = %v, want the pool's ARN", st.Resources)
		}
	}
	if !found {
		t.Error("the actions function has no user pool grant")
	}
	env := s.one(t, "AWS::Lambda::Function", "ActionsFunction").Props
	if !strings.Contains(render(get(env, "Environment", "Variables", "USER_POOL_ID")), "UserPool") {
		t.Errorf("actions USER_POOL_ID = %s", render(get(env, "Environment", "Variables", "USER_POOL_ID")))
	}
}
