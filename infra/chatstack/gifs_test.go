package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

const gifSecretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:backchannel/gif-key-AbCdEf"

// TestGifsOnWithAKeySecret: with gifApiKeySecretArn the actions function
// gets GIF_PROVIDER and GIF_API_KEY_SECRET_ARN, may GetSecretValue on
// exactly that secret (and no other Secrets Manager action), and the
// site's CSP lets images come from Tenor's media host.
func TestGifsOnWithAKeySecret(t *testing.T) {
	s := synth(t, cfgFull)
	fn := functionNamed(t, s, "actions")
	env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
	if render(env["GIF_API_KEY_SECRET_ARN"]) != gifSecretArn || render(env["GIF_PROVIDER"]) != "tenor" {
		t.Errorf("actions environment %s", render(env))
	}
	var secretActions []string
	found := false
	role := s.roleOf(t, fn).ID
	for _, p := range s.resources("AWS::IAM::Policy") {
		if !slices.ContainsFunc(list(p.Props["Roles"]), func(r any) bool { return refID(r) == role }) {
			continue
		}
		for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
			acts, res := oneOrMany(get(st, "Action")), oneOrMany(get(st, "Resource"))
			for _, a := range acts {
				if strings.HasPrefix(a, "secretsmanager:") {
					if !slices.Contains(secretActions, a) {
						secretActions = append(secretActions, a)
					}
					// The statement may also name the support widget's key
					// (the DigestKey, widget.go) when the stack sends mail.
					found = found || (a == "secretsmanager:GetSecretValue" && slices.Contains(res, gifSecretArn) && len(acts) == 1)
				}
			}
		}
	}
	if !found || !slices.Equal(secretActions, []string{"secretsmanager:GetSecretValue"}) {
		t.Errorf("actions' Secrets Manager grants %v (exactly GetSecretValue on the key wanted)", secretActions)
	}
	csp := cspOf(t, s)
	if !slices.Contains(csp["img-src"], chatstack.TenorMediaOrigin) {
		t.Errorf("img-src %v lacks %s", csp["img-src"], chatstack.TenorMediaOrigin)
	}
}

// TestGifsOffByDefault: no key secret, no GIF variables, no grant, no
// media host in the CSP.
func TestGifsOffByDefault(t *testing.T) {
	s := synth(t, cfgDefault)
	fn := functionNamed(t, s, "actions")
	env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
	for k := range env {
		if strings.HasPrefix(k, "GIF_") {
			t.Errorf("actions has %s without a key", k)
		}
	}
	actions, _ := s.grantsOf(t, s.roleOf(t, fn).ID)
	for _, a := range actions {
		if strings.HasPrefix(a, "secretsmanager:") {
			t.Errorf("actions may %s without a key", a)
		}
	}
	if slices.Contains(cspOf(t, s)["img-src"], chatstack.TenorMediaOrigin) {
		t.Error("the CSP allows Tenor's media without GIFs")
	}
}

func TestGifSecretArnMustBeASecret(t *testing.T) {
	for arn, ok := range map[string]bool{
		gifSecretArn: true,
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:*": false,
		"arn:aws:ssm:eu-west-1:123456789012:parameter/gif":       false,
		"backchannel/gif-key": false,
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:": false,
	} {
		err := chatstack.ChatStackProps{GifAPIKeySecretArn: arn}.Validate()
		if got := err == nil || !strings.Contains(err.Error(), "gifApiKeySecretArn"); got != ok {
			t.Errorf("%q: %v", arn, err)
		}
	}
	for provider, ok := range map[string]bool{"": true, "tenor": true, "giphy": true, "imgur": false} {
		err := chatstack.ChatStackProps{GifAPIKeySecretArn: gifSecretArn, GifProvider: provider}.Validate()
		if got := err == nil || !strings.Contains(err.Error(), "gifProvider"); got != ok {
			t.Errorf("provider %q: %v", provider, err)
		}
	}
	if o := chatstack.GifMediaOrigins("giphy"); len(o) != 7 || !slices.Contains(o, "https://i.giphy.com") {
		t.Errorf("giphy origins %v", o)
	}
	if o := chatstack.GifMediaOrigins("tenor"); !slices.Equal(o, []string{chatstack.TenorMediaOrigin}) {
		t.Errorf("tenor origins %v", o)
	}
}

func cspOf(t *testing.T, s *synthesized) map[string][]string {
	t.Helper()
	h := get(s.one(t, "AWS::CloudFront::ResponseHeadersPolicy", "SecurityHeaders").Props, "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	return parseCSP(render(get(h, "ContentSecurityPolicy", "ContentSecurityPolicy")))
}
