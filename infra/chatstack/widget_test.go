package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestWidgetKeysAndGrants (issue #17): with a mail sender (the DigestKey
// secret exists) the authorizer, the HTTP API and the actions function
// name that secret (DIGEST_KEY_SECRET_ARN) and may GetSecretValue on
// exactly it, nothing more of Secrets Manager; the HTTP API knows the
// WebSocket URL for visitors. Without one (default) the authorizer still
// has only its logs (TestAuthorizerHasOnlyLogs) and nobody names a key.
func TestWidgetKeysAndGrants(t *testing.T) {
	s := synth(t, cfgFull)
	key := "${" + s.one(t, "AWS::SecretsManager::Secret", "DigestKey").ID + "}"
	for _, name := range []string{"authorizer", "httpapi", "actions"} {
		fn := functionNamed(t, s, name)
		env := get(fn.Props, "Environment", "Variables").(map[string]any)
		if !strings.Contains(render(env["DIGEST_KEY_SECRET_ARN"]), strings.Trim(key, "${}")) {
			t.Errorf("%s: DIGEST_KEY_SECRET_ARN = %s, want the DigestKey", name, render(env["DIGEST_KEY_SECRET_ARN"]))
		}
		found := false
		for _, p := range s.resources("AWS::IAM::Policy") {
			if len(list(p.Props["Roles"])) != 1 || refID(list(p.Props["Roles"])[0]) != s.roleOf(t, fn).ID {
				continue
			}
			for _, st := range list(get(p.Props, "PolicyDocument", "Statement")) {
				acts, res := oneOrMany(get(st, "Action")), oneOrMany(get(st, "Resource"))
				for _, a := range acts {
					if !strings.HasPrefix(a, "secretsmanager:") {
						continue
					}
					if a != "secretsmanager:GetSecretValue" {
						t.Errorf("%s may %s", name, a)
					}
					for _, r := range res {
						if r == key {
							found = true
						} else if name != "actions" { // the actions function also reads the GIF key (gifs_test.go)
							t.Errorf("%s reads secret %s", name, r)
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s may not GetSecretValue on the DigestKey", name)
		}
	}
	if env := get(functionNamed(t, s, "httpapi").Props, "Environment", "Variables").(map[string]any); env["VISITOR_WS_URL"] == nil {
		t.Error("httpapi: no VISITOR_WS_URL")
	}
	d := synth(t, cfgDefault)
	for _, name := range []string{"authorizer", "httpapi", "actions"} {
		env, _ := get(functionNamed(t, d, name).Props, "Environment", "Variables").(map[string]any)
		if env["DIGEST_KEY_SECRET_ARN"] != nil {
			t.Errorf("%s names a key without a mail sender", name)
		}
	}
}

// TestWidgetDistribution: CloudFront serves /widget/v1/widget.js from the
// site bucket with a long edge cache and headers that let any site embed
// it, and sends /widget/* (the session routes) to the HTTP API uncached,
// with every method and the viewer's Origin and address; the HTTP API has
// the /widget/{proxy+} route.
func TestWidgetDistribution(t *testing.T) {
	s := synth(t, cfgDefault)
	dist := s.one(t, "AWS::CloudFront::Distribution", "Distribution")
	behaviors := list(get(dist.Props, "DistributionConfig", "CacheBehaviors"))
	var script, apiB map[string]any
	for i, b := range behaviors {
		m := b.(map[string]any)
		switch render(m["PathPattern"]) {
		case chatstack.WidgetScriptPath:
			script = m
			if apiB != nil {
				t.Errorf("the script's behaviour (#%d) comes after /widget/*: it would never match", i)
			}
		case chatstack.WidgetAPIPathPattern:
			apiB = m
		}
	}
	if script == nil || apiB == nil {
		t.Fatalf("widget behaviours: %s", render(behaviors))
	}
	cache := s.one(t, "AWS::CloudFront::CachePolicy", "WidgetScriptCache")
	if !strings.Contains(render(script["CachePolicyId"]), cache.ID) || render(get(cache.Props, "CachePolicyConfig", "DefaultTTL")) != "31536000" {
		t.Errorf("script cache %s / %s", render(script["CachePolicyId"]), render(cache.Props))
	}
	headers := s.one(t, "AWS::CloudFront::ResponseHeadersPolicy", "WidgetScriptHeaders")
	if h := render(headers.Props); !strings.Contains(h, "cross-origin") || !strings.Contains(h, "max-age=3600") {
		t.Errorf("script headers %s", h)
	}
	if render(apiB["CachePolicyId"]) != "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" { // Managed-CachingDisabled
		t.Errorf("/widget/* is cached: %s", render(apiB["CachePolicyId"]))
	}
	if m := strList(apiB["AllowedMethods"]); !slices.Contains(m, "POST") || !slices.Contains(m, "OPTIONS") {
		t.Errorf("/widget/* methods %v", m)
	}
	fwd := s.one(t, "AWS::CloudFront::OriginRequestPolicy", "WidgetAPIForward")
	if h := render(fwd.Props); !strings.Contains(h, "Origin") || !strings.Contains(h, "CloudFront-Viewer-Address") || strings.Contains(h, "Cookie\"") {
		t.Errorf("forwarded %s", h)
	}
	api := s.one(t, "AWS::ApiGatewayV2::Api", "HttpApi")
	origin := ""
	for _, o := range list(get(dist.Props, "DistributionConfig", "Origins")) {
		if get(o, "Id") != nil && render(get(o, "Id")) == render(apiB["TargetOriginId"]) {
			origin = render(get(o, "DomainName"))
		}
	}
	if !strings.Contains(origin, api.ID) || !strings.Contains(origin, "execute-api") {
		t.Errorf("/widget/* goes to %q, want the HTTP API %s", origin, api.ID)
	}
}
