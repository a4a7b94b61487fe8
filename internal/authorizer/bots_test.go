package authorizer_test

import (
	"context"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestBotTokenPassedOnAsItsHash: a bot token is not verified here (no
// table) nor given to the Cognito verifier: the context carries only its
// SHA-256 for the $connect integration to verify, never the token, and no
// identity. A sign-in token that names a bot is refused.
func TestBotTokenPassedOnAsItsHash(t *testing.T) {
	ctx := context.Background()
	token, hash := chat.NewBotToken()
	next := &fakeVerifier{answers: map[string]fakeAnswer{
		adaToken: {id: ada},
		bobToken: {id: chat.Identity{UserID: "bot_fake", Username: "x"}},
	}}
	h := authorizer.New(next, slog.New(slog.DiscardHandler))
	req := loadEvent(t, "connect_token_in_query.json")
	req.QueryStringParameters = map[string]string{"token": token}
	req.MultiValueQueryStringParameters = map[string][]string{"token": {token}}
	resp, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatalf("bot token: %v", err)
	}
	got, ok := authorizer.BotTokenHashFromContext(resp.Context)
	if !ok || hex.EncodeToString(got) != hex.EncodeToString(hash) {
		t.Errorf("context %v does not carry the token's hash", resp.Context)
	}
	for k, v := range resp.Context {
		if s, _ := v.(string); strings.Contains(s, token[4:]) {
			t.Errorf("context %s carries the token", k)
		}
	}
	if _, err := authorizer.IdentityFromContext(resp.Context); err == nil {
		t.Errorf("a bot token's context has an identity before it is verified")
	}
	if len(next.calls) != 0 {
		t.Errorf("the Cognito verifier was asked about a bot token")
	}
	req.QueryStringParameters = map[string]string{"token": bobToken}
	req.MultiValueQueryStringParameters = map[string][]string{"token": {bobToken}}
	if _, err := h.Handle(ctx, req); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("a sign-in token naming a bot: %v, want Unauthorized", err)
	}
	if _, ok := authorizer.BotTokenHashFromContext(map[string]any{"userId": "u"}); ok {
		t.Errorf("a person's context has a bot token hash")
	}
}
