package dynamo

import (
	"context"

	gdynamo "github.com/guregu/dynamo/v2"

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
	// The receipt hiders' set (ADD / DELETE are idempotent: a retry after
	// a failure here converges).
	set := s.table.Update(AttrPK, pkPrivacy).Range(AttrSK, skReceiptHiders)
	if hideReceipts {
		set.AddStringsToSet(attrUsers, userID)
	} else {
		set.DeleteStringsFromSet(attrUsers, userID)
	}
	if err := set.Run(ctx); err != nil {
		return internal(err, "set receipt hiders")
	}
	return nil
}

// The workspace's set of people who hide their read receipts: pk PRIVACY,
// sk RCPTHIDE, users (a string set of user ids). A receipt's fan-out reads
// this one item (1 RCU up to 4 KB, about 100 ids; 400 KB bounds it at about
// 10,000) instead of the profiles of everyone online in the room. Not a
// stream event source.
const (
	pkPrivacy       = "PRIVACY"
	skReceiptHiders = "RCPTHIDE"
	attrUsers       = "users"
)

// ReceiptHiders answers the ids of the people who hide their read
// receipts (GetItem, strongly consistent).
func (s *Store) ReceiptHiders(ctx context.Context) (map[string]bool, error) {
	ctx = withOp(ctx, "ReceiptHiders")
	var it struct {
		Users []string `dynamo:"users,set"`
	}
	err := s.table.Get(AttrPK, pkPrivacy).Range(AttrSK, gdynamo.Equal, skReceiptHiders).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, internal(err, "receipt hiders")
	}
	out := make(map[string]bool, len(it.Users))
	for _, id := range it.Users {
		out[id] = true
	}
	return out, nil
}
