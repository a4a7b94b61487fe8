package chattest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SignDevice signs a device with an identity key as the web client's
// WebCrypto does (ECDSA P-256 over chat.DeviceSignaturePayload, r||s, 32
// bytes each, base64url): the signature signDevice takes. It panics if
// signing fails (crypto/rand does not).
func SignDevice(id *ecdsa.PrivateKey, userID, deviceID, publicKey string) string {
	h := sha256.Sum256(chat.DeviceSignaturePayload(userID, deviceID, publicKey))
	r, s, err := ecdsa.Sign(rand.Reader, id, h[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return base64.RawURLEncoding.EncodeToString(sig)
}
