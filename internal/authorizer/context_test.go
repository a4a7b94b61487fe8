package authorizer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestIdentityFromConnectEvent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "connect_proxy_with_authorizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	m, ok := req.RequestContext.Authorizer.(map[string]any)
	if !ok {
		t.Fatalf("authorizer context is %T", req.RequestContext.Authorizer)
	}
	got, err := authorizer.IdentityFromContext(m)
	if err != nil {
		t.Fatalf("IdentityFromContext: %v", err)
	}
	if !reflect.DeepEqual(got, ada) {
		t.Fatalf("identity = %+v, want %+v", got, ada)
	}
}

func TestIdentityFromContextValueTypes(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want chat.Identity
	}{
		{
			name: "numbers and bools become strings",
			in:   map[string]any{"userId": float64(12345), "username": json.Number("42"), "displayName": true, "groups": ""},
			want: chat.Identity{UserID: "12345", Username: "42", DisplayName: "true"},
		},
		{
			name: "token expiry in Unix seconds, as string or number",
			in:   map[string]any{"userId": "u1", "tokenExpiresAt": float64(1700000000)},
			want: chat.Identity{UserID: "u1", Username: "u1", DisplayName: "u1", TokenExpiresAt: time.Unix(1700000000, 0).UTC()},
		},
		{
			name: "missing names fall back",
			in:   map[string]any{"principalId": "u1", "userId": "u1", "groups": " a , ,b "},
			want: chat.Identity{UserID: "u1", Username: "u1", DisplayName: "u1", Groups: []string{"a", "b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := authorizer.IdentityFromContext(tt.in)
			if err != nil {
				t.Fatalf("IdentityFromContext: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("identity = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestIdentityFromContextRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		in   map[string]any
		code chat.Code
	}{
		"nil map":          {nil, chat.Forbidden},
		"no userId":        {map[string]any{"principalId": "u1", "username": "ada"}, chat.Forbidden},
		"blank userId":     {map[string]any{"userId": "  "}, chat.Forbidden},
		"structured value": {map[string]any{"userId": "u1", "groups": []any{"a"}}, chat.Internal},
	} {
		_, err := authorizer.IdentityFromContext(tc.in)
		if got := chat.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code = %q (%v), want %q", name, got, err, tc.code)
		}
	}
}

func TestBadTokenExpiryIsInternal(t *testing.T) {
	for _, v := range []any{"soon", "-5", "0"} {
		_, err := authorizer.IdentityFromContext(map[string]any{"userId": "u1", "tokenExpiresAt": v})
		if chat.ErrorCode(err) != chat.Internal {
			t.Errorf("tokenExpiresAt %v: err = %v, want Internal", v, err)
		}
	}
}
