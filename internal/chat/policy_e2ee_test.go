package chat_test

import "github.com/backchannel-chat/backchannel/internal/chat"

// The end-to-end encryption rows of the policy matrix (issue #19): each
// person's key directory is theirs (workspace actions; the service checks
// device ownership), room keys are the members'.
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
func init() {
	members := [10]string{F, y, y, y, y, y, F, F, y, F}
	matrix = append(matrix,
		matrixRow{action: chat.ActShareRoomKeys, want: members},
		matrixRow{action: chat.ActGetRoomKeys, want: members},
	)
	for _, a := range []chat.Action{
		chat.ActRegisterDevice, chat.ActSetIdentityKey, chat.ActSignDevice, chat.ActListDevices,
		chat.ActRemoveDevice, chat.ActGetUserKeys, chat.ActSetKeyBackup, chat.ActGetKeyBackup,
		chat.ActPutBackupKeys, chat.ActGetBackupKeys, chat.ActDeviceMessage,
	} {
		workspaceMatrix[a] = [3]string{y, y, y}
	}
}
