package service

import (
	"errors"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// errGeneralTaken answers a channel create or rename to "general", which is
// reserved for #general even before anyone has signed in.
func errGeneralTaken() error {
	return chat.Errorf(chat.Conflict, "#general already exists: pick another name")
}

// channelNameErr words the store's Conflict for a taken channel name (see
// chat.NameTakenError) and passes other errors on. A public holder is
// named; a private one is not: the reply reveals only that the name is
// taken, as in Slack, not that a private channel exists under it.
// name is the normalized name asked for (nil when none was).
func channelNameErr(err error, name *string, what string) error {
	var taken *chat.NameTakenError
	if !errors.As(err, &taken) {
		return storeErr(err, what)
	}
	if taken.HolderKind == chat.KindPublic && name != nil {
		return chat.Errorf(chat.Conflict, "a channel named %q already exists", *name)
	}
	return chat.Errorf(chat.Conflict, "that channel name is taken")
}
