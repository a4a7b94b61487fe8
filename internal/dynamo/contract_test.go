package dynamo_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

// The in-memory fake and this adapter are held to the same contract, so unit
// tests of the service over the fake mean something for DynamoDB too.
func TestStoreContract(t *testing.T) {
	chattest.RunStoreContract(t, func(t *testing.T) chat.Store {
		s, _ := newStore(t)
		return s
	})
}
