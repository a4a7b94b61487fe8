package visitor

import "github.com/backchannel-chat/backchannel/internal/supportlink"

// ReopenKey is the key of the links that reopen a support conversation
// (internal/supportlink): HKDF of the same master with
// supportlink.ReopenLabel, the key the mailer derives from the digest
// secret.
func (k *Keys) ReopenKey() []byte {
	b, err := k.derive(supportlink.ReopenLabel)
	if err != nil {
		panic(err) // hkdf.Key fails only for a length over 255*32
	}
	return b
}
