package protocol

// Privacy controls and blocking (issue #15). The privacy settings travel
// in setPreferences (its `privacy` patch) and the preferences event;
// blocking has actions of its own so a block list is never overwritten by
// a device holding an older copy.
const (
	// ActionBlockUser blocks a person: their new direct conversations and
	// invitations do not reach the caller, their messages do not notify
	// the caller and are collapsed in the caller's clients. They are not
	// told. Answers preferences (with `blocked`), pushed to the caller's
	// other connections too.
	ActionBlockUser = "blockUser"
	// ActionUnblockUser undoes blockUser; answers preferences.
	ActionUnblockUser = "unblockUser"
	// ActionListBlocked answers users: the profiles of the people the
	// caller blocked.
	ActionListBlocked = "listBlocked"
)

// BlockUserRequest names the person to block or unblock.
type BlockUserRequest struct {
	UserID string `json:"userId"`
}

// PrivacyPatch is the part of the privacy object to change.
type PrivacyPatch struct {
	AppearOffline *bool   `json:"appearOffline,omitempty"`
	HideReceipts  *bool   `json:"hideReceipts,omitempty"`
	DMFrom        *string `json:"dmFrom,omitempty"` // everyone, rooms, nobody
}
