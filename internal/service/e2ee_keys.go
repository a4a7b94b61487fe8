package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The key directory of end-to-end encryption (issue #19, docs/E2EE.md).
// SKELETON: the "e2ee-keys" helper replaces every method below.

var errKeysNotYet = chat.Errorf(chat.Internal, "end-to-end encryption is not available yet")

func (s *Chat) RegisterDevice(ctx context.Context, c chat.Connection, r protocol.RegisterDeviceRequest) (protocol.DeviceEvent, error) {
	return protocol.DeviceEvent{}, errKeysNotYet
}

func (s *Chat) SetIdentityKey(ctx context.Context, c chat.Connection, r protocol.SetIdentityKeyRequest) (protocol.UserKeysEvent, error) {
	return protocol.UserKeysEvent{}, errKeysNotYet
}

func (s *Chat) SignDevice(ctx context.Context, c chat.Connection, r protocol.SignDeviceRequest) (protocol.DeviceEvent, error) {
	return protocol.DeviceEvent{}, errKeysNotYet
}

func (s *Chat) ListDevices(ctx context.Context, c chat.Connection) (protocol.DevicesEvent, error) {
	return protocol.DevicesEvent{}, errKeysNotYet
}

func (s *Chat) RemoveDevice(ctx context.Context, c chat.Connection, r protocol.DeviceRequest) (protocol.DevicesEvent, error) {
	return protocol.DevicesEvent{}, errKeysNotYet
}

func (s *Chat) GetUserKeys(ctx context.Context, c chat.Connection, r protocol.GetUserKeysRequest) (protocol.UserKeysEvent, error) {
	return protocol.UserKeysEvent{}, errKeysNotYet
}

func (s *Chat) SetKeyBackup(ctx context.Context, c chat.Connection, r protocol.SetKeyBackupRequest) (protocol.KeyBackupEvent, error) {
	return protocol.KeyBackupEvent{}, errKeysNotYet
}

func (s *Chat) GetKeyBackup(ctx context.Context, c chat.Connection, r protocol.GetKeyBackupRequest) (protocol.KeyBackupEvent, error) {
	return protocol.KeyBackupEvent{}, errKeysNotYet
}

func (s *Chat) PutBackupKeys(ctx context.Context, c chat.Connection, r protocol.PutBackupKeysRequest) (protocol.BackupKeysEvent, error) {
	return protocol.BackupKeysEvent{}, errKeysNotYet
}

func (s *Chat) GetBackupKeys(ctx context.Context, c chat.Connection, r protocol.GetBackupKeysRequest) (protocol.BackupKeysEvent, error) {
	return protocol.BackupKeysEvent{}, errKeysNotYet
}

func (s *Chat) DeviceMessage(ctx context.Context, c chat.Connection, r protocol.DeviceMessageRequest) error {
	return errKeysNotYet
}
