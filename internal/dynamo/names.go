package dynamo

import (
	"context"
	"strings"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// nameClaimItem makes a channel name unique: pk CHANNAME#<lower name>, sk
// CLAIM, holding the id and kind of the room that owns the name. It is put
// with attribute_not_exists in the same transaction that creates or renames
// the room, so two rooms can never hold one name. Direct rooms have none.
type nameClaimItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	RoomID string `dynamo:"roomId"`
	Kind   string `dynamo:"kind"`
}

func newNameClaimItem(name, roomID string, kind chat.RoomKind) nameClaimItem {
	return nameClaimItem{PK: chanNamePK(name), SK: skClaim, RoomID: roomID, Kind: string(kind)}
}

// claimsName says whether a room holds its name: channels do; direct
// rooms, whose names nobody picks, do not.
func claimsName(kind chat.RoomKind, name string) bool {
	return kind != chat.KindDirect && name != ""
}

// putClaim is the transaction step that claims name for roomID.
func (s *Store) putClaim(name, roomID string, kind chat.RoomKind) *gdynamo.Put {
	return s.table.Put(newNameClaimItem(name, roomID, kind)).If("attribute_not_exists($)", AttrPK)
}

// nameTaken builds the Conflict for a claim that failed its condition. The
// holder's kind is read back so the service can word the reply; if the
// read fails or the claim is gone already, the kind stays unknown ("").
func (s *Store) nameTaken(ctx context.Context, name string) error {
	var it nameClaimItem
	err := s.table.Get(AttrPK, chanNamePK(name)).Range(AttrSK, gdynamo.Equal, skClaim).Consistent(true).One(ctx, &it)
	if err != nil && !isNotFound(err) {
		return internal(err, "read channel name claim")
	}
	return chat.NameTaken(strings.ToLower(name), chat.RoomKind(it.Kind))
}

// renameAttempts bounds how often a rename is retried after the room
// changed between its read and its transaction (a concurrent rename).
const renameAttempts = 3

// renameRoom renames a channel and moves its name claim in one
// transaction: delete the old claim (if this room holds it), put the new
// one (attribute_not_exists → name taken), and update the room on
// condition that its name is still the one read, so a concurrent rename
// cannot leave a claim behind.
func (s *Store) renameRoom(ctx context.Context, roomID, name string, topic *string) error {
	for attempt := 1; ; attempt++ {
		cur, err := s.GetRoom(ctx, roomID)
		if err != nil {
			return err
		}
		if !claimsName(cur.Kind, name) || strings.EqualFold(cur.Name, name) {
			return s.updateRoomItem(ctx, roomID, &name, topic)
		}
		// The old claim may be missing (rooms created before claims) or,
		// after such legacy duplicates, held by another room: only a claim
		// of this room is deleted, and a failure there retries without it.
		dropOld := claimsName(cur.Kind, cur.Name)
		for {
			tx := s.db.WriteTx()
			if dropOld {
				tx.Delete(s.table.Delete(AttrPK, chanNamePK(cur.Name)).Range(AttrSK, skClaim).
					If("attribute_not_exists($) OR $ = ?", AttrPK, "roomId", roomID))
			}
			newClaim := 0
			if dropOld {
				newClaim = 1
			}
			u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).
				If("attribute_exists($) AND $ = ?", AttrPK, "name", cur.Name)
			setRoomFields(u, &name, topic, roomID)
			tx.Put(s.putClaim(name, roomID, cur.Kind)).Update(u)
			err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
			switch {
			case err == nil:
				return nil
			case dropOld && txCondFailedAt(err, 0):
				dropOld = false
				continue
			case txCondFailedAt(err, newClaim):
				return s.nameTaken(ctx, name)
			case txCondFailedAt(err, newClaim+1) && attempt < renameAttempts:
				// Renamed (or deleted) since the read: read again.
			case isCondFailed(err):
				return chat.Errorf(chat.Conflict, "the channel changed meanwhile: try again")
			default:
				return internal(err, "rename room")
			}
			break
		}
	}
}
