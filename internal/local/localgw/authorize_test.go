package localgw

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

func policy(effect, resource string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version:   "2012-10-17",
		Statement: []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{resource}}},
	}
}

// allowAuthorizer allows every token and records the events it receives.
func allowAuthorizer(seen chan<- events.APIGatewayCustomAuthorizerRequestTypeRequest) Authorizer {
	return func(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		seen <- req
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "user-1",
			PolicyDocument: policy("Allow", req.MethodArn),
			Context:        map[string]any{"userId": "user-1", "groups": "admins,staff", "level": 3, "verified": true},
		}, nil
	}
}

func TestAuthorizerAllowContextReachesEveryEvent(t *testing.T) {
	rec := newRecorder()
	seen := make(chan events.APIGatewayCustomAuthorizerRequestTypeRequest, 1)
	g := startGateway(t, Config{Routes: rec.allRoutes(), Authorizer: allowAuthorizer(seen), Region: "eu-west-1", AccountID: "111122223333"})
	c := mustDial(t, g, "token=abc.def.ghi", nil)

	req := <-seen
	wantArn := "arn:aws:execute-api:eu-west-1:111122223333:" + g.APIID() + "/local/$connect"
	if req.Type != "REQUEST" || req.MethodArn != wantArn {
		t.Errorf("type/methodArn = %q/%q, want REQUEST/%q", req.Type, req.MethodArn, wantArn)
	}
	if req.QueryStringParameters["token"] != "abc.def.ghi" || req.MultiValueQueryStringParameters["token"][0] != "abc.def.ghi" {
		t.Errorf("query = %v", req.QueryStringParameters)
	}
	if req.Headers["Sec-WebSocket-Key"] == "" || req.Headers["Host"] == "" || req.MultiValueHeaders["Upgrade"][0] != "websocket" {
		t.Errorf("headers = %v", req.Headers)
	}
	rc := req.RequestContext
	if rc.APIID != g.APIID() || rc.Stage != "local" || rc.RequestID == "" || rc.Identity.SourceIP != "127.0.0.1" {
		t.Errorf("requestContext = %+v", rc)
	}

	writeText(t, c, "hello")
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{RouteConnect, RouteDefault, RouteDisconnect} {
		ev := rec.nextOf(t, route)
		authz, ok := ev.RequestContext.Authorizer.(map[string]any)
		if !ok {
			t.Fatalf("%s authorizer = %#v, want a map", route, ev.RequestContext.Authorizer)
		}
		// Numbers arrive as float64: the event went through JSON, as in Lambda.
		if authz["principalId"] != "user-1" || authz["userId"] != "user-1" || authz["groups"] != "admins,staff" ||
			authz["level"] != float64(3) || authz["verified"] != true {
			t.Errorf("%s authorizer = %v", route, authz)
		}
	}
}

func TestSubprotocolAsIdentitySource(t *testing.T) {
	seen := make(chan events.APIGatewayCustomAuthorizerRequestTypeRequest, 1)
	connect := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		// The $connect route must echo the subprotocol for browsers to accept it.
		return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Sec-WebSocket-Protocol": ev.Headers["Sec-WebSocket-Protocol"]}}, nil
	}
	g := startGateway(t, Config{Routes: map[string]Handler{RouteConnect: connect}, Authorizer: allowAuthorizer(seen)})
	c := mustDial(t, g, "", &websocket.DialOptions{Subprotocols: []string{"eyJhbGciOi.token"}})
	if got := (<-seen).Headers["Sec-WebSocket-Protocol"]; got != "eyJhbGciOi.token" {
		t.Errorf("authorizer saw Sec-WebSocket-Protocol %q", got)
	}
	if c.Subprotocol() != "eyJhbGciOi.token" {
		t.Errorf("negotiated subprotocol %q", c.Subprotocol())
	}
}

func TestAuthorizerRefusals(t *testing.T) {
	cases := []struct {
		name       string
		query      string
		authorizer Authorizer
		wantStatus int
		wantCalled bool
	}{
		{"Unauthorized error is 401", "token=x", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{}, errors.New("Unauthorized")
		}, http.StatusUnauthorized, true},
		{"explicit Deny is 403", "token=x", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "u", PolicyDocument: policy("Deny", req.MethodArn)}, nil
		}, http.StatusForbidden, true},
		{"Allow for another resource is 403", "token=x", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "u", PolicyDocument: policy("Allow", "arn:aws:execute-api:us-east-1:1:other/*")}, nil
		}, http.StatusForbidden, true},
		{"other error is 500", "token=x", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{}, errors.New("jwks unreachable")
		}, http.StatusInternalServerError, true},
		{"panic is 500", "token=x", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			panic("boom")
		}, http.StatusInternalServerError, true},
		{"non-scalar context is 500", "token=x", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "u", PolicyDocument: policy("Allow", req.MethodArn), Context: map[string]any{"groups": []string{"a"}}}, nil
		}, http.StatusInternalServerError, true},
		{"missing identity source is 401 without calling the authorizer", "other=1", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{}, nil
		}, http.StatusUnauthorized, false},
		{"empty token is missing too", "token=", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{}, nil
		}, http.StatusUnauthorized, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			var called atomic.Int32
			authorizer := func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
				called.Add(1)
				return tc.authorizer(ctx, req)
			}
			g := startGateway(t, Config{Routes: rec.allRoutes(), Authorizer: authorizer})
			_, resp, err := dial(t, g, tc.query, nil)
			if err == nil {
				t.Fatal("handshake succeeded, want refusal")
			}
			if resp == nil || resp.StatusCode != tc.wantStatus {
				t.Fatalf("handshake response = %v (%v), want status %d", resp, err, tc.wantStatus)
			}
			if got := called.Load() == 1; got != tc.wantCalled {
				t.Errorf("authorizer called = %v, want %v", got, tc.wantCalled)
			}
			if err := g.Close(); err != nil {
				t.Fatal(err)
			}
			if n := len(rec.events); n != 0 {
				t.Errorf("%d route handlers ran for a refused handshake, want none", n)
			}
		})
	}
}

func TestPolicyEvaluation(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:123456789012:abc/local/$connect"
	doc := func(sts ...events.IAMPolicyStatement) events.APIGatewayCustomAuthorizerPolicy {
		return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: sts}
	}
	st := func(effect, action, resource string) events.IAMPolicyStatement {
		return events.IAMPolicyStatement{Effect: effect, Action: []string{action}, Resource: []string{resource}}
	}
	cases := []struct {
		name string
		doc  events.APIGatewayCustomAuthorizerPolicy
		want bool
	}{
		{"exact allow", doc(st("Allow", "execute-api:Invoke", arn)), true},
		{"wildcard allow", doc(st("Allow", "execute-api:*", "arn:aws:execute-api:us-east-1:123456789012:abc/*")), true},
		{"question mark", doc(st("Allow", "*", "arn:aws:execute-api:us-east-1:123456789012:ab?/local/$connect")), true},
		{"action case-insensitive", doc(st("allow", "Execute-Api:invoke", arn)), true},
		{"empty policy", doc(), false},
		{"other api", doc(st("Allow", "execute-api:Invoke", "arn:aws:execute-api:us-east-1:123456789012:xyz/*")), false},
		{"other action", doc(st("Allow", "execute-api:ManageConnections", arn)), false},
		{"deny wins", doc(st("Allow", "*", "*"), st("Deny", "execute-api:Invoke", arn)), false},
	}
	for _, tc := range cases {
		if got := policyAllows(tc.doc, arn); got != tc.want {
			t.Errorf("%s: allowed = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestConnectHandlerRefuses(t *testing.T) {
	cases := []struct {
		name       string
		connect    Handler
		wantStatus int
	}{
		{"non-2xx status", func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 429, Body: "slow down"}, nil
		}, 429},
		{"error", func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{}, errors.New("dynamodb down")
		}, 500},
		{"panic", func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			panic("nil map")
		}, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			routes := rec.allRoutes()
			routes[RouteConnect] = tc.connect
			g := startGateway(t, Config{Routes: routes})
			_, resp, err := dial(t, g, "", nil)
			if err == nil || resp == nil || resp.StatusCode != tc.wantStatus {
				t.Fatalf("dial = %v, %v; want refusal with %d", resp, err, tc.wantStatus)
			}
			if g.Connections() != 0 {
				t.Errorf("refused connection is registered")
			}
			if err := g.Close(); err != nil {
				t.Fatal(err)
			}
			if len(rec.count(RouteDisconnect)) != 0 {
				t.Error("$disconnect ran for a refused handshake")
			}
		})
	}
}
