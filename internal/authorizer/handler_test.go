package authorizer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/cognito"
)

var (
	_ authorizer.Verifier = (*cognito.Verifier)(nil)
	_ authorizer.Verifier = (*fakeVerifier)(nil)
)

// The JWT-shaped tokens inside the testdata events.
const (
	adaToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLWFkYSIsInRva2VuX3VzZSI6ImlkIn0.c2lnbmF0dXJlLW9mLWFkYQ"
	bobToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLWJvYiIsInRva2VuX3VzZSI6ImlkIn0.c2lnbmF0dXJlLW9mLWJvYg"
)

const connectArn = "arn:aws:execute-api:us-east-1:123456789012:k3x9q2w7vd/prod/$connect"

var (
	ada = chat.Identity{UserID: "user-ada", Username: "ada", DisplayName: "Ada Lovelace", Email: "ada@example.com", Groups: []string{"moderators", "staff"}}
	bob = chat.Identity{UserID: "user-bob", Username: "bob", DisplayName: "Bob", Email: "bob@example.com"}
)

// fakeVerifier answers from a table and records what it was asked.
type fakeVerifier struct {
	mu      sync.Mutex
	answers map[string]fakeAnswer
	calls   []string
}

type fakeAnswer struct {
	id  chat.Identity
	err error
}

func (f *fakeVerifier) Verify(_ context.Context, token string) (chat.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, token)
	a, ok := f.answers[token]
	if !ok {
		return chat.Identity{}, chat.Errorf(chat.Forbidden, "token signature invalid")
	}
	return a.id, a.err
}

func loadEvent(t *testing.T, name string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return req
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		mutate  func(*events.APIGatewayCustomAuthorizerRequestTypeRequest)
		answers map[string]fakeAnswer
		// want is the allowed identity; nil means refused.
		want      *chat.Identity
		wantCalls int
		wantLog   string // a fragment the log must contain
		wantLevel string
	}{
		{
			name: "token in query", event: "connect_token_in_query.json",
			answers: map[string]fakeAnswer{adaToken: {id: ada}},
			want:    &ada, wantCalls: 1, wantLog: `"tokenSource":"query"`, wantLevel: "INFO",
		},
		{
			name: "token in Sec-WebSocket-Protocol", event: "connect_token_in_subprotocol.json",
			answers: map[string]fakeAnswer{bobToken: {id: bob}},
			want:    &bob, wantCalls: 1, wantLog: `"tokenSource":"subprotocol"`, wantLevel: "INFO",
		},
		{
			name: "subprotocol header in lower case, multi-value map only", event: "connect_token_in_subprotocol.json",
			mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
				delete(r.Headers, "Sec-WebSocket-Protocol")
				delete(r.MultiValueHeaders, "Sec-WebSocket-Protocol")
				r.MultiValueHeaders["sec-websocket-protocol"] = []string{"backchannel", bobToken}
			},
			answers: map[string]fakeAnswer{bobToken: {id: bob}},
			want:    &bob, wantCalls: 1,
		},
		{
			name: "query wins over subprotocol", event: "connect_token_in_subprotocol.json",
			mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
				r.QueryStringParameters = map[string]string{"token": adaToken}
			},
			answers: map[string]fakeAnswer{adaToken: {id: ada}, bobToken: {id: bob}},
			want:    &ada, wantCalls: 1,
		},
		{
			name: "no token", event: "connect_no_token.json",
			wantCalls: 0, wantLog: `"reason":"missing token"`, wantLevel: "INFO",
		},
		{
			name: "invalid token", event: "connect_token_in_query.json",
			answers:   map[string]fakeAnswer{adaToken: {err: chat.Errorf(chat.Forbidden, "token expired")}},
			wantCalls: 1, wantLog: `"reason":"token expired"`, wantLevel: "INFO",
		},
		{
			name: "verifier cannot reach the JWKS", event: "connect_token_in_query.json",
			answers:   map[string]fakeAnswer{adaToken: {err: chat.Wrap(errors.New("dial tcp: connection refused"), "signing keys unavailable")}},
			wantCalls: 1, wantLog: `connection refused`, wantLevel: "ERROR",
		},
		{
			name: "methodArn of another route", event: "connect_token_in_query.json",
			mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
				r.MethodArn = "arn:aws:execute-api:us-east-1:123456789012:k3x9q2w7vd/prod/sendMessage"
			},
			answers:   map[string]fakeAnswer{adaToken: {id: ada}},
			wantCalls: 0, wantLog: `"reason":"bad methodArn"`, wantLevel: "ERROR",
		},
		{
			name: "methodArn with extra path", event: "connect_token_in_query.json",
			mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
				r.MethodArn = "arn:aws:execute-api:us-east-1:123456789012:k3x9q2w7vd/prod/$connect/extra"
			},
			answers:   map[string]fakeAnswer{adaToken: {id: ada}},
			wantCalls: 0, wantLevel: "ERROR",
		},
		{
			name: "no methodArn", event: "connect_token_in_query.json",
			mutate:    func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) { r.MethodArn = "" },
			answers:   map[string]fakeAnswer{adaToken: {id: ada}},
			wantCalls: 0, wantLevel: "ERROR",
		},
		{
			name: "methodArn with a wildcard", event: "connect_token_in_query.json",
			mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
				r.MethodArn = "arn:aws:execute-api:us-east-1:123456789012:k3x9q2w7vd/*/$connect"
			},
			answers:   map[string]fakeAnswer{adaToken: {id: ada}},
			wantCalls: 0, wantLevel: "ERROR",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := loadEvent(t, tt.event)
			if tt.mutate != nil {
				tt.mutate(&req)
			}
			var logs bytes.Buffer
			fake := &fakeVerifier{answers: tt.answers}
			h := authorizer.New(fake, slog.New(slog.NewJSONHandler(&logs, nil)))

			resp, err := h.Handle(context.Background(), req)

			if len(fake.calls) != tt.wantCalls {
				t.Errorf("verifier called %d times, want %d", len(fake.calls), tt.wantCalls)
			}
			if tt.want == nil {
				if err == nil || err.Error() != "Unauthorized" {
					t.Fatalf("err = %v, want Unauthorized (response %+v)", err, resp)
				}
				if resp.PrincipalID != "" || len(resp.PolicyDocument.Statement) != 0 {
					t.Fatalf("refusal carries a policy: %+v", resp)
				}
			} else {
				if err != nil {
					t.Fatalf("Handle: %v", err)
				}
				checkAllow(t, resp, *tt.want)
			}
			out := logs.String()
			if !strings.Contains(out, `"requestId":"`+req.RequestContext.RequestID+`"`) {
				t.Errorf("log lacks the request id: %s", out)
			}
			if tt.wantLog != "" && !strings.Contains(out, tt.wantLog) {
				t.Errorf("log lacks %s: %s", tt.wantLog, out)
			}
			if tt.wantLevel != "" && !strings.Contains(out, `"level":"`+tt.wantLevel+`"`) {
				t.Errorf("log is not at level %s: %s", tt.wantLevel, out)
			}
			for _, tok := range []string{adaToken, bobToken} {
				if strings.Contains(out, tok) || strings.Contains(out, tok[strings.LastIndex(tok, "."):]) {
					t.Errorf("log contains a token: %s", out)
				}
			}
		})
	}
}

func checkAllow(t *testing.T, resp events.APIGatewayCustomAuthorizerResponse, want chat.Identity) {
	t.Helper()
	if resp.PrincipalID != want.UserID {
		t.Errorf("PrincipalID = %q, want %q", resp.PrincipalID, want.UserID)
	}
	wantPolicy := events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{{
			Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{connectArn},
		}},
	}
	if !reflect.DeepEqual(resp.PolicyDocument, wantPolicy) {
		t.Errorf("policy = %+v, want %+v", resp.PolicyDocument, wantPolicy)
	}
	wantCtx := map[string]any{
		"userId": want.UserID, "username": want.Username, "displayName": want.DisplayName,
		"email": want.Email, "groups": strings.Join(want.Groups, ","),
	}
	if !reflect.DeepEqual(resp.Context, wantCtx) {
		t.Errorf("context = %#v, want %#v", resp.Context, wantCtx)
	}
	// The response as the Lambda runtime serializes it.
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"Effect":"Allow"`, `"Action":["execute-api:Invoke"]`, `"Version":"2012-10-17"`} {
		if !bytes.Contains(b, []byte(frag)) {
			t.Errorf("serialized response lacks %s: %s", frag, b)
		}
	}
}

func TestHandleDropsGroupsThatCannotBeEncoded(t *testing.T) {
	req := loadEvent(t, "connect_token_in_query.json")
	sneaky := ada
	sneaky.Groups = []string{"staff", "guests,admins"}
	var logs bytes.Buffer
	h := authorizer.New(&fakeVerifier{answers: map[string]fakeAnswer{adaToken: {id: sneaky}}}, slog.New(slog.NewJSONHandler(&logs, nil)))
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := resp.Context["groups"]; got != "staff" {
		t.Fatalf("groups = %q, want only %q", got, "staff")
	}
	if !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("no warning logged: %s", logs.String())
	}
}

func TestAllowRoundTripsThroughConnectEvent(t *testing.T) {
	// What the authorizer returns comes back, via API Gateway, in the $connect
	// event's requestContext.authorizer; JSON is the wire in between.
	h := authorizer.New(&fakeVerifier{answers: map[string]fakeAnswer{adaToken: {id: ada}}}, slog.New(slog.DiscardHandler))
	resp, err := h.Handle(context.Background(), loadEvent(t, "connect_token_in_query.json"))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	wire, err := json.Marshal(resp.Context)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(wire, &m); err != nil {
		t.Fatal(err)
	}
	got, err := authorizer.IdentityFromContext(m)
	if err != nil {
		t.Fatalf("IdentityFromContext: %v", err)
	}
	if !reflect.DeepEqual(got, ada) {
		t.Fatalf("round trip = %+v, want %+v", got, ada)
	}
}

// The token's expiry travels in the context to the connection function,
// which stores it with the connection.
func TestTokenExpiryRoundTripsThroughContext(t *testing.T) {
	exp := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	withExp := ada
	withExp.TokenExpiresAt = exp
	h := authorizer.New(&fakeVerifier{answers: map[string]fakeAnswer{adaToken: {id: withExp}}}, slog.New(slog.DiscardHandler))
	resp, err := h.Handle(context.Background(), loadEvent(t, "connect_token_in_query.json"))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := resp.Context["tokenExpiresAt"]; got != strconv.FormatInt(exp.Unix(), 10) {
		t.Fatalf("context tokenExpiresAt = %v, want %d", got, exp.Unix())
	}
	id, err := authorizer.IdentityFromContext(resp.Context)
	if err != nil {
		t.Fatalf("IdentityFromContext: %v", err)
	}
	if !id.TokenExpiresAt.Equal(exp) {
		t.Fatalf("TokenExpiresAt = %v, want %v", id.TokenExpiresAt, exp)
	}
}
