package authorizer_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/visitor"
	"github.com/backchannel-chat/backchannel/internal/visitor/vtoken"
)

// The visitor token inside testdata/connect_visitor_token.json was issued
// with this master key at 2026-11-21T03:00Z for widget wid_shop1, origin
// https://shop.example.com, visitor vis_abcdefghijklmnopqrstuvwxyz, name
// Ann; it expires at 04:00Z.
var (
	visitorMaster   = []byte("authorizer-testdata-master-key-0123456789")
	visitorIssuedAt = time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)
)

const visitorID = "vis_abcdefghijklmnopqrstuvwxyz"

func setToken(r *events.APIGatewayCustomAuthorizerRequestTypeRequest, tok string) {
	r.QueryStringParameters = map[string]string{"token": tok}
	r.MultiValueQueryStringParameters = map[string][]string{"token": {tok}}
}

func setOrigin(r *events.APIGatewayCustomAuthorizerRequestTypeRequest, origin string) {
	r.Headers["Origin"] = origin
	r.MultiValueHeaders["Origin"] = []string{origin}
}

// TestVisitorTokens: the table of visitor $connect cases over the testdata
// event: a valid token from its origin is allowed with a visitor identity
// and its widget; a wrong or missing Origin, an expired, tampered or
// foreign-key token is refused; Cognito tokens still work beside it.
func TestVisitorTokens(t *testing.T) {
	keys, err := visitor.NewKeys(visitorMaster)
	if err != nil {
		t.Fatal(err)
	}
	valid := loadEvent(t, "connect_visitor_token.json")
	tok := valid.QueryStringParameters["token"]
	tests := []struct {
		name    string
		mutate  func(*events.APIGatewayCustomAuthorizerRequestTypeRequest)
		at      time.Time
		keys    visitor.Source
		allowed bool
		wantLog string
	}{
		{name: "valid visitor token", allowed: true},
		{name: "origin differs only in case", allowed: true, mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			setOrigin(r, "HTTPS://Shop.Example.com")
		}},
		{name: "wrong origin", wantLog: "origin does not match", mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			setOrigin(r, "https://evil.example.net")
		}},
		{name: "origin with another port", wantLog: "origin does not match", mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			setOrigin(r, "https://shop.example.com:8443")
		}},
		{name: "no origin", wantLog: "origin does not match", mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			delete(r.Headers, "Origin")
			delete(r.MultiValueHeaders, "Origin")
		}},
		{name: "expired", at: visitorIssuedAt.Add(time.Hour + time.Second), wantLog: "visitor token expired"},
		{name: "tampered claims", wantLog: "invalid visitor token", mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			parts := strings.Split(tok, ".")
			raw, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			claims := strings.Replace(string(raw), "shop.example.com", "evil.example.net", 1)
			setToken(r, parts[0]+"."+base64.RawURLEncoding.EncodeToString([]byte(claims))+"."+parts[2])
			setOrigin(r, "https://evil.example.net")
		}},
		{name: "tampered signature", wantLog: "invalid visitor token", mutate: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			setToken(r, tok[:len(tok)-2]+"AA")
		}},
		{name: "signed with another key", wantLog: "invalid visitor token", keys: visitor.Static{K: mustKeys(t, append([]byte("other-"), visitorMaster...))}},
		{name: "visitor tokens not enabled", wantLog: "not enabled", keys: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := loadEvent(t, "connect_visitor_token.json")
			if tc.mutate != nil {
				tc.mutate(&req)
			}
			at := tc.at
			if at.IsZero() {
				at = visitorIssuedAt.Add(4 * time.Minute)
			}
			var src visitor.Source = visitor.Static{K: keys}
			if tc.keys != nil || tc.name == "visitor tokens not enabled" {
				src = tc.keys
			}
			var logs strings.Builder
			next := &fakeVerifier{}
			h := authorizer.New(next, slog.New(slog.NewJSONHandler(&logs, nil)))
			if src != nil {
				h.WithVisitors(vtoken.Verifier{Keys: src, Now: func() time.Time { return at }})
			}
			resp, err := h.Handle(context.Background(), req)
			if len(next.calls) != 0 {
				t.Errorf("the Cognito verifier was asked about a visitor token")
			}
			if !tc.allowed {
				if err == nil || err.Error() != "Unauthorized" {
					t.Fatalf("allowed: %+v, %v", resp, err)
				}
				if !strings.Contains(logs.String(), tc.wantLog) {
					t.Errorf("log %s lacks %q", logs.String(), tc.wantLog)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v (%s)", err, logs.String())
			}
			id, err := authorizer.IdentityFromContext(resp.Context)
			if err != nil {
				t.Fatal(err)
			}
			if id.UserID != visitorID || id.DisplayName != "Ann" || len(id.Groups) != 1 || id.Groups[0] != authorizer.GroupVisitors ||
				!id.TokenExpiresAt.Equal(visitorIssuedAt.Add(time.Hour)) {
				t.Errorf("identity %+v", id)
			}
			v, ok := authorizer.VisitorFromContext(resp.Context)
			if !ok || v.WidgetID != "wid_shop1" || v.Origin != "https://shop.example.com" || v.Identified {
				t.Errorf("visitor %+v %v", v, ok)
			}
			if resp.PrincipalID != visitorID || resp.PolicyDocument.Statement[0].Resource[0] != connectArn {
				t.Errorf("policy %+v", resp)
			}
		})
	}
}

func mustKeys(t *testing.T, master []byte) *visitor.Keys {
	t.Helper()
	k, err := visitor.NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestCognitoTokensBesideVisitors: with visitor tokens enabled a Cognito
// token is still verified by Cognito and allowed, with no widget in its
// context; a sign-in token naming a visitor (id prefix or group) is
// refused.
func TestCognitoTokensBesideVisitors(t *testing.T) {
	next := &fakeVerifier{answers: map[string]fakeAnswer{
		adaToken: {id: ada},
		bobToken: {id: chat.Identity{UserID: "user-bob", Username: "bob", Groups: []string{"visitors"}}},
	}}
	h := authorizer.New(next, slog.New(slog.DiscardHandler)).WithVisitors(vtoken.Verifier{Keys: visitor.Static{K: mustKeys(t, visitorMaster)}})
	req := loadEvent(t, "connect_token_in_query.json")
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("cognito token: %v", err)
	}
	if id, _ := authorizer.IdentityFromContext(resp.Context); id.UserID != ada.UserID {
		t.Errorf("identity %+v", id)
	}
	if _, ok := authorizer.VisitorFromContext(resp.Context); ok {
		t.Errorf("a person's context names a widget")
	}
	setToken(&req, bobToken)
	if _, err := h.Handle(context.Background(), req); err == nil {
		t.Errorf("a sign-in token in group visitors was allowed")
	}
	next.answers[bobToken] = fakeAnswer{id: chat.Identity{UserID: visitorID, Username: "x"}}
	if _, err := h.Handle(context.Background(), req); err == nil {
		t.Errorf("a sign-in token naming a visitor id was allowed")
	}
}
