package chattest_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

func TestBlobsKeepTheContract(t *testing.T) {
	chattest.RunBlobContract(t, func(*testing.T) chat.BlobStore { return chattest.NewBlobs() })
}
