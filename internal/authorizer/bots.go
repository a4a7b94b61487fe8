package authorizer

import (
	"encoding/hex"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Bot tokens (issue #16). The authorizer links no DynamoDB (its cold start
// stays small), so it does not look bot tokens up: for a token that looks
// like one (chat.BotTokenPrefix) it passes on only the token's SHA-256 as
// botTokenHash, never the token, and the $connect integration (the
// connection function, which reads the table anyway) verifies that hash
// against the stored one (chat.VerifyBotTokenHash, constant time) before
// registering the connection, refusing it otherwise. The identity is then
// the bot's, from the store, never from the request.

const ctxBotTokenHash = "botTokenHash"

// botContext is the context for a bot token.
func botContext(token string) map[string]any {
	return map[string]any{ctxBotTokenHash: hex.EncodeToString(chat.BotTokenHash(token))}
}

// BotTokenHashFromContext returns the bot token hash the authorizer put in
// its context, if it did: the $connect integration must verify it.
func BotTokenHashFromContext(m map[string]any) ([]byte, bool) {
	s, err := contextString(m[ctxBotTokenHash])
	if err != nil || strings.TrimSpace(s) == "" {
		return nil, false
	}
	h, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, false
	}
	return h, true
}
