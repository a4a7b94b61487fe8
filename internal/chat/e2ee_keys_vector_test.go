package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestDeviceSignatureFromTheBrowser: a device signature made by the web
// client's WebCrypto (the fixed vector of web/test/features
// e2ee-crypto.test.ts) verifies with Go's crypto/ecdsa, and fails for
// another user, device or key: both sides sign and check the same bytes.
func TestDeviceSignatureFromTheBrowser(t *testing.T) {
	const (
		identity  = "BFUP8Slw43IINzcfAchLwwSL2kq7dTvh7JdwnuKhD5OAFaDBbc-2C6swyoBVsbfIN-OLnMB7_cPwHZCJo16DU3o"
		device    = "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa"
		publicKey = "BE6tYh0fPNBPzFu3d462vrV8EZ07UvvOLwrz8Ib7w3qYYMiNNh5B_AR61gmNt-ASR68ZaF-f6QnayOoJTn0Shgo"
		signature = "3_QTg4rIbVai1r6A8wQNMV5y8ROUYei9YnMgGUZVwZIKh0fS5MXwpDewDZQn3vta2NUrIwWHOx-X3i-Do-gR_A"
	)
	if err := chat.VerifyDeviceSignature(identity, "usr_alice", device, publicKey, signature); err != nil {
		t.Fatalf("the browser's signature: %v", err)
	}
	for name, args := range map[string][5]string{
		"another user":   {identity, "usr_bob", device, publicKey, signature},
		"another device": {identity, "usr_alice", "dev_bbbbbbbbbbbbbbbbbbbbbbbbbb", publicKey, signature},
		"another key":    {publicKey, "usr_alice", device, publicKey, signature},
	} {
		if err := chat.VerifyDeviceSignature(args[0], args[1], args[2], args[3], args[4]); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}
