package dynamo_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

// TestKeyStoreContract: the key directory (issue #19) on DynamoDB Local
// keeps the in-memory fake's rules.
func TestKeyStoreContract(t *testing.T) {
	chattest.RunKeyStoreContract(t, func(t *testing.T) chat.Store {
		s, _ := newStore(t)
		return s
	})
}
