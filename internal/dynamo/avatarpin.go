package dynamo

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.AvatarVersionStore = (*Store)(nil)

// SetAvatarVersion is one UpdateItem of the profile: SET avatarVer,
// avatarVerKey on condition `avatarKey = :key` (a picture replaced
// meanwhile keeps its own).
func (s *Store) SetAvatarVersion(ctx context.Context, userID, key, version string) error {
	ctx = withOp(ctx, "SetAvatarVersion")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).
		Set("avatarVer", version).Set("avatarVerKey", key).
		If("avatarKey = ?", key).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "record the picture's version")
	}
	return nil
}
