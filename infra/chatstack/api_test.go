package chatstack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestRoutes(t *testing.T) {
	s := synth(t, cfgDefault)
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi")
	if api.Props["ProtocolType"] != "WEBSOCKET" || api.Props["RouteSelectionExpression"] != "$request.body.action" {
		t.Errorf("api %v / %v", api.Props["ProtocolType"], api.Props["RouteSelectionExpression"])
	}
	routes := map[string]resource{}
	for _, r := range webSocketOnly(t, s, "AWS::ApiGatewayV2::Route") {
		routes[render(r.Props["RouteKey"])] = r
	}
	want := []string{"$connect", "$disconnect", "$default"}
	var got []string
	for k := range routes {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("route keys %v, want %v", got, want)
	}

	responses := map[string]bool{}
	for _, rr := range s.resources("AWS::ApiGatewayV2::RouteResponse") {
		if render(rr.Props["RouteResponseKey"]) == "$default" {
			responses[refID(rr.Props["RouteId"])] = true
		}
	}
	authorizer := s.one(t, "AWS::ApiGatewayV2::Authorizer", "")
	for key, r := range routes {
		twoWay := r.Props["RouteResponseSelectionExpression"] == "$default" && responses[r.ID]
		wantTwoWay := key != "$connect" && key != "$disconnect"
		if twoWay != wantTwoWay {
			t.Errorf("route %s: two-way %v, want %v", key, twoWay, wantTwoWay)
		}
		authorized := r.Props["AuthorizationType"] == "CUSTOM" && refID(r.Props["AuthorizerId"]) == authorizer.ID
		if authorized != (key == "$connect") {
			t.Errorf("route %s: authorizer %v, want only on $connect", key, authorized)
		}
	}
	if got := strList(authorizer.Props["IdentitySource"]); !slices.Equal(got, []string{chatstack.TokenIdentitySource}) {
		t.Errorf("identity source %v", got)
	}
	if authorizer.Props["AuthorizerType"] != "REQUEST" {
		t.Errorf("authorizer type %v", authorizer.Props["AuthorizerType"])
	}
	if !strings.Contains(render(authorizer.Props["AuthorizerUri"]), functionNamed(t, s, "authorizer").ID) {
		t.Errorf("authorizer does not invoke the authorizer function: %s", render(authorizer.Props["AuthorizerUri"]))
	}
}

// TestEveryActionIsServedByDefault: every action of the table reaches the
// actions function through $default (the route API Gateway picks when no
// route matches the frame's "action"); there is no route per action, so the
// template stays far below CloudFormation's 500 resources as the table grows.
func TestEveryActionIsServedByDefault(t *testing.T) {
	for _, cfg := range []string{cfgDefault, cfgFull} {
		s := synth(t, cfg)
		count := map[string]int{}
		for _, r := range webSocketOnly(t, s, "AWS::ApiGatewayV2::Route") {
			count[render(r.Props["RouteKey"])]++
		}
		for _, a := range protocol.ActionTable {
			if count[a.Name] != 0 {
				t.Errorf("%s: action %s has a route of its own; $default serves every action", cfg, a.Name)
			}
		}
		if len(count) != 3 || count["$connect"] != 1 || count["$disconnect"] != 1 || count["$default"] != 1 {
			t.Errorf("%s: routes %v, want $connect, $disconnect and $default once each", cfg, count)
		}
		if n := len(s.tmpl["Resources"].(map[string]any)); n > 400 {
			t.Errorf("%s: %d resources: keep well under CloudFormation's 500 per stack", cfg, n)
		}
	}
}

// TestIntegrationsReachTheirFunctions: each route invokes the right function
// and each function lets API Gateway invoke it from every route of the stage.
func TestIntegrationsReachTheirFunctions(t *testing.T) {
	s := synth(t, cfgDefault)
	integrationFn := map[string]string{}
	for _, in := range webSocketOnly(t, s, "AWS::ApiGatewayV2::Integration") {
		uri := render(in.Props["IntegrationUri"])
		for _, name := range []string{"connection", "actions"} {
			if strings.Contains(uri, functionNamed(t, s, name).ID) {
				integrationFn[in.ID] = name
			}
		}
	}
	for _, r := range webSocketOnly(t, s, "AWS::ApiGatewayV2::Route") {
		key := render(r.Props["RouteKey"])
		want := "actions"
		if key == "$connect" || key == "$disconnect" {
			want = "connection"
		}
		target := strings.TrimPrefix(render(r.Props["Target"]), "integrations/")
		if got := integrationFn[strings.Trim(target, "${}")]; got != want {
			t.Errorf("route %s goes to %q, want %s", key, got, want)
		}
	}
	api := s.one(t, "AWS::ApiGatewayV2::Api", "WebSocketApi").ID
	for _, name := range []string{"connection", "actions"} {
		fn := functionNamed(t, s, name).ID
		found := false
		for _, p := range s.resources("AWS::Lambda::Permission") {
			if refID(p.Props["FunctionName"]) == fn && render(p.Props["SourceArn"]) == "arn:aws:execute-api:eu-west-1:123456789012:${"+api+"}/prod/*" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s cannot be invoked from every route of stage prod", name)
		}
	}
}

func TestStage(t *testing.T) {
	for cfg, want := range map[string]struct {
		name        string
		rate, burst float64
	}{
		cfgDefault: {"prod", chatstack.DefaultThrottleRate, chatstack.DefaultThrottleBurst},
		cfgFull:    {"live", 50, 75},
	} {
		s := synth(t, cfg)
		stage := s.one(t, "AWS::ApiGatewayV2::Stage", "Stage")
		if stage.Props["StageName"] != want.name || stage.Props["AutoDeploy"] != true {
			t.Errorf("%s: stage %v autoDeploy %v", cfg, stage.Props["StageName"], stage.Props["AutoDeploy"])
		}
		if r, b := get(stage.Props, "DefaultRouteSettings", "ThrottlingRateLimit"), get(stage.Props, "DefaultRouteSettings", "ThrottlingBurstLimit"); r != want.rate || b != want.burst {
			t.Errorf("%s: throttling %v/%v, want %v/%v", cfg, r, b, want.rate, want.burst)
		}
		logGroup := s.one(t, "AWS::Logs::LogGroup", "ApiAccessLogs")
		if got, want := render(get(stage.Props, "AccessLogSettings", "DestinationArn")), "arn:aws:logs:eu-west-1:123456789012:log-group:${"+logGroup.ID+"}"; got != want {
			t.Errorf("%s: access logs go to %q, want %q", cfg, got, want)
		}
		var format map[string]string
		if err := json.Unmarshal([]byte(render(get(stage.Props, "AccessLogSettings", "Format"))), &format); err != nil {
			t.Fatalf("%s: access log format is not JSON: %v", cfg, err)
		}
		for key, variable := range map[string]string{
			"requestId": "$context.requestId", "connectionId": "$context.connectionId", "routeKey": "$context.routeKey",
			"status": "$context.status", "error": "$context.error.message", "integrationError": "$context.integration.error",
		} {
			if format[key] != variable {
				t.Errorf("%s: access log %s = %q, want %q", cfg, key, format[key], variable)
			}
		}
	}
}

// TestAPIGatewayLogRole: the account-level logging role is set before the
// stage (which fails to create without it) unless context says it exists.
func TestAPIGatewayLogRole(t *testing.T) {
	s := synth(t, cfgDefault)
	account := s.one(t, "AWS::ApiGateway::Account", "")
	stage := s.one(t, "AWS::ApiGatewayV2::Stage", "Stage")
	if !slices.Contains(strList(stage.Raw["DependsOn"]), account.ID) {
		t.Errorf("stage does not depend on %s", account.ID)
	}
	if render(account.Raw["DeletionPolicy"]) != "Retain" {
		t.Errorf("account setting must be retained (other APIs use it)")
	}
	if n := len(synth(t, cfgGoogle).resources("AWS::ApiGateway::Account")); n != 0 {
		t.Errorf("apiGatewayLogRoleExists=true still creates %d account settings", n)
	}
}

func TestAPICustomDomain(t *testing.T) {
	if n := len(synth(t, cfgDefault).resources("AWS::ApiGatewayV2::DomainName")); n != 0 {
		t.Errorf("default has %d API domains", n)
	}
	s := synth(t, cfgFull)
	d := s.one(t, "AWS::ApiGatewayV2::DomainName", "")
	if d.Props["DomainName"] != "ws.example.com" {
		t.Errorf("domain %v", d.Props["DomainName"])
	}
	m := s.one(t, "AWS::ApiGatewayV2::ApiMapping", "")
	if render(m.Props["Stage"]) != "live" || refID(m.Props["DomainName"]) != d.ID || render(m.Props["ApiKeyMappingKey"]) != "" {
		t.Errorf("mapping %s: want the domain's root mapped to stage live", render(m.Props))
	}
	if got := render(get(s.tmpl, "Outputs", "WebSocketUrl", "Value")); got != "wss://ws.example.com" {
		t.Errorf("WebSocketUrl output %s", got)
	}
}
