package protocol

// Account deletion (issue #15): a person deletes their own account, or an
// admin deletes someone's. The request refuses the account at once
// (disabled, signed out, connections closed) and queues the erasure,
// which runs in the background (functions/erasure).
const (
	ActionDeleteAccount = "deleteAccount"
	ActionDeleteUser    = "deleteUser"

	// EventAccountDeletion answers both: the erasure is queued.
	EventAccountDeletion = "accountDeletion"

	// DeleteAccountConfirmation is what the person types to confirm.
	DeleteAccountConfirmation = "DELETE"

	// SignedOutDeleted is the signedOut reason of a deleted account.
	SignedOutDeleted = "deleted"
)

// DeleteAccountRequest deletes the caller's own account; Confirm must be
// DeleteAccountConfirmation exactly.
type DeleteAccountRequest struct {
	Confirm string `json:"confirm"`
}

// AccountDeletionEvent says the account is refused from now on and its
// erasure queued. Policy is the workspace's erasure policy: "erase" (the
// messages become tombstones) or "anonymise" (kept, from "Deleted user").
type AccountDeletionEvent struct {
	Head
	UserID string `json:"userId"`
	Policy string `json:"policy"`
}
