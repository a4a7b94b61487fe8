package chattest_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

func TestKeyStoreContract(t *testing.T) {
	chattest.RunKeyStoreContract(t, func(*testing.T) chat.Store { return chattest.NewStore() })
}
