package dynamo

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SetProfilePrivacy mirrors a person's "appear offline" and "hide read
// receipts" settings onto their profile (one conditional UpdateItem,
// 1 WCU): the listings others see read the profile anyway, so honouring
// the settings there costs no extra read. false removes the attribute.
// NotFound if the user has no profile.
func (s *Store) SetProfilePrivacy(ctx context.Context, userID string, hidePresence, hideReceipts bool) error {
	ctx = withOp(ctx, "SetProfilePrivacy")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).If("attribute_exists($)", AttrPK)
	for name, on := range map[string]bool{"hidePresence": hidePresence, "hideReceipts": hideReceipts} {
		if on {
			u.Set(name, true)
		} else {
			u.Remove(name)
		}
	}
	err := u.Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "user %s not found", userID)
	}
	if err != nil {
		return internal(err, "set profile privacy")
	}
	return nil
}
