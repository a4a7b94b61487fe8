package dynamo

import (
	"context"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// handleClaimItem makes a person's handle unique: pk HANDLE#<handle>, sk
// CLAIM, holding the user id. SetHandle puts it with a condition in the
// same transaction that sets the profile's handle and deletes the old
// claim, as channel names are claimed (names.go).
type handleClaimItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	UserID string `dynamo:"userId"`
}

// handleAttempts bounds the re-reads of a handle change racing another
// change of the same profile.
const handleAttempts = 3

// SetHandle claims handle (normalised and valid: the service checks) for
// userID and releases the handle the user held, in one transaction:
//
//  0. update the profile's handle, on condition that it is still the one
//     read (a concurrent change re-reads and retries);
//  1. put HANDLE#<new> on condition that nobody holds it (or this user
//     does already);
//  2. delete HANDLE#<old>, on condition that this user holds it (or it is
//     gone);
//
// then the name-index items move as on a display-name change. Setting the
// handle the user holds writes nothing. Real cost: a transaction of 3 +
// name-index items, 2 WCU each.
func (s *Store) SetHandle(ctx context.Context, userID, handle string) (chat.Profile, error) {
	ctx = withOp(ctx, "SetHandle")
	for attempt := 1; ; attempt++ {
		var old profileItem
		err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skProfile).Consistent(true).One(ctx, &old)
		if isNotFound(err) {
			return chat.Profile{}, chat.Errorf(chat.NotFound, "user %s not found", userID)
		}
		if err != nil {
			return chat.Profile{}, internal(err, "set handle")
		}
		if old.Handle == handle {
			return old.profile(), nil
		}
		next := old
		next.Handle = handle
		u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).Set("handle", handle)
		if old.Handle == "" {
			u.If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "handle")
		} else {
			u.If("attribute_exists($) AND $ = ?", AttrPK, "handle", old.Handle)
		}
		tx := s.db.WriteTx().Update(u).
			Put(s.table.Put(handleClaimItem{PK: handlePK(handle), SK: skClaim, UserID: userID}).
				If("attribute_not_exists($) OR $ = ?", AttrPK, "userId", userID))
		if old.Handle != "" {
			tx.Delete(s.table.Delete(AttrPK, handlePK(old.Handle)).Range(AttrSK, skClaim).
				If("attribute_not_exists($) OR $ = ?", AttrPK, "userId", userID))
		}
		s.moveNameIndex(tx, old.profile(), next.profile())
		err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
		switch {
		case err == nil:
			return next.profile(), nil
		case txCondFailedAt(err, 0) && attempt < handleAttempts:
			continue // the profile changed since the read
		case txCondFailedAt(err, 1):
			return chat.Profile{}, chat.HandleTaken(handle)
		case isCondFailed(err) || txCondFailedAt(err, 0):
			return chat.Profile{}, chat.Errorf(chat.Conflict, "your profile changed meanwhile: try again")
		default:
			return chat.Profile{}, internal(err, "set handle")
		}
	}
}
