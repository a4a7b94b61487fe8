package media

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Every allowed picture type names its key by an extension, and no other
// type has one: the two lists cannot drift apart.
func TestEveryAvatarTypeHasAnExtension(t *testing.T) {
	for _, typ := range protocol.AvatarTypes {
		if avatarExtensions[typ] == "" {
			t.Errorf("%s has no key extension", typ)
		}
	}
	if len(avatarExtensions) != len(protocol.AvatarTypes) {
		t.Errorf("avatarExtensions has %d types, protocol.AvatarTypes %d", len(avatarExtensions), len(protocol.AvatarTypes))
	}
}
