package authorizer_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/cognito"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// The whole $connect check against cognito-local: a real ID token in the
// query string of a real-shaped event, verified through the real JWKS.
func TestHandleWithCognitoLocal(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	pool := testenv.NewUserPool(t, cfg)
	idToken := testenv.SignUp(t, cfg, pool, "grace@example.com", "correct-Horse-9", "Grace Hopper")
	v, err := cognito.NewVerifier(cognito.VerifierConfig{Issuer: pool.Issuer, ClientID: pool.ClientID, JWKSURL: pool.JWKSURL})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	h := authorizer.New(v, slog.New(slog.DiscardHandler))

	req := loadEvent(t, "connect_token_in_query.json")
	req.QueryStringParameters = map[string]string{"token": idToken}
	req.MultiValueQueryStringParameters = map[string][]string{"token": {idToken}}
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	id, err := authorizer.IdentityFromContext(resp.Context)
	if err != nil {
		t.Fatalf("IdentityFromContext: %v", err)
	}
	if id.UserID == "" || resp.PrincipalID != id.UserID || id.Email != "grace@example.com" {
		t.Fatalf("principal %q, identity %+v", resp.PrincipalID, id)
	}

	// The same token one character off is refused.
	tampered := idToken[:len(idToken)-2] + flip(idToken[len(idToken)-2])
	req.QueryStringParameters = map[string]string{"token": tampered}
	req.MultiValueQueryStringParameters = map[string][]string{"token": {tampered}}
	if _, err := h.Handle(context.Background(), req); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("tampered token: err = %v, want Unauthorized", err)
	}
}

func flip(c byte) string {
	if strings.IndexByte("Aa", c) >= 0 {
		return "B"
	}
	return "A"
}
