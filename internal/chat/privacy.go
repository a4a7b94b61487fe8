package chat

import (
	"slices"
	"strings"
	"time"
)

// Privacy controls and blocking (issue #15). A person's privacy settings
// and the people they blocked are part of their Preferences (one item,
// synced to their devices like the rest); the two settings other people's
// views must honour in listings (appear offline, hide read receipts) are
// mirrored onto the profile (Profile.HidePresence, Profile.HideReceipts),
// which every listing reads anyway.

// DMFrom says who may start a direct conversation with a person.
type DMFrom string

const (
	DMEveryone DMFrom = "everyone" // the default ("" reads as it)
	DMRooms    DMFrom = "rooms"    // people who share a room with me
	DMNobody   DMFrom = "nobody"
)

// Privacy is a person's privacy settings (the `privacy` object of the
// preferences).
type Privacy struct {
	// AppearOffline: others see the person offline with no last seen; no
	// presence events are sent for them. They use the chat as usual.
	AppearOffline bool `json:"appearOffline"`
	// HideReceipts: the person's read position is not shown to others,
	// and (so it is mutual) they do not see others' either.
	HideReceipts bool `json:"hideReceipts"`
	// DMFrom: who may start a new direct conversation with the person.
	// Existing ones keep working.
	DMFrom DMFrom `json:"dmFrom"`
}

// MaxBlocked bounds a person's block list (it lives in the preferences
// item: 1000 ids of ~40 bytes stay far under DynamoDB's 400 KB).
const MaxBlocked = 1000

// Validate checks the privacy object.
func (p Privacy) Validate() error {
	switch p.DMFrom {
	case "", DMEveryone, DMRooms, DMNobody:
		return nil
	}
	return Errorf(Invalid, `privacy.dmFrom must be one of "everyone", "rooms", "nobody"`)
}

// Blocks says whether the person whose preferences these are blocked
// userID.
func (p Preferences) Blocks(userID string) bool {
	return userID != "" && slices.Contains(p.Blocked, userID)
}

// Block adds userID to the block list (idempotent). Invalid when it would
// pass MaxBlocked or names the person themselves.
func (p *Preferences) Block(self, userID string) error {
	if userID == "" || userID == self {
		return Errorf(Invalid, "userId must name someone other than you")
	}
	if p.Blocks(userID) {
		return nil
	}
	if len(p.Blocked) >= MaxBlocked {
		return Errorf(Invalid, "you can block at most %d people: unblock someone first", MaxBlocked)
	}
	p.Blocked = append(p.Blocked, userID)
	slices.Sort(p.Blocked)
	return nil
}

// Unblock removes userID from the block list (idempotent).
func (p *Preferences) Unblock(userID string) {
	p.Blocked = slices.DeleteFunc(p.Blocked, func(id string) bool { return id == userID })
}

// refusedDM is the one refusal a caller sees for a direct conversation the
// other person does not accept: the same words whether they chose
// "nobody" or blocked the caller, so a block is never revealed.
func refusedDM(name string) *Error {
	return Errorf(Forbidden, "%s does not accept new direct messages", displayOr(name))
}

func displayOr(name string) string {
	if strings.TrimSpace(name) == "" {
		return "this person"
	}
	return name
}

// CanOpenDirect is the rule for creating a NEW direct conversation of
// callerID with target (whose preferences are targetPrefs and display name
// targetName); sharesRoom says whether the two are members of a common
// room. Existing direct conversations are not asked (they keep working).
//
//	target blocked the caller      -> forbidden, "… does not accept new direct messages" (as "nobody": the block is not revealed)
//	dmFrom "nobody"                -> forbidden, "… does not accept new direct messages"
//	dmFrom "rooms", no shared room -> forbidden, "… accepts direct messages only from people in their rooms"
//	otherwise                      -> allowed
func CanOpenDirect(targetPrefs Preferences, targetName, callerID string, sharesRoom bool) error {
	if targetPrefs.Blocks(callerID) {
		return refusedDM(targetName)
	}
	switch targetPrefs.Privacy.DMFrom {
	case DMNobody:
		return refusedDM(targetName)
	case DMRooms:
		if !sharesRoom {
			return Errorf(Forbidden, "%s accepts direct messages only from people in their rooms", displayOr(targetName))
		}
	}
	return nil
}

// NeedsSharedRoom says whether CanOpenDirect needs to know whether the
// two share a room (the caller may skip the lookup otherwise).
func NeedsSharedRoom(targetPrefs Preferences, callerID string) bool {
	return !targetPrefs.Blocks(callerID) && targetPrefs.Privacy.DMFrom == DMRooms
}

// DeliverInvite says whether an invitation (or an add to a public channel)
// from inviterID reaches the invitee: not when the invitee blocked the
// inviter. The inviter is not told: the invitee is skipped silently.
func DeliverInvite(inviteePrefs Preferences, inviterID string) bool {
	return !inviteePrefs.Blocks(inviterID)
}

// PresenceSeenBy is p as viewerID sees it: a person who appears offline is
// offline with no last seen to everyone but themselves.
func PresenceSeenBy(p Profile, viewerID string) Profile {
	if p.HidePresence && p.UserID != viewerID {
		p.Online = false
		p.LastSeen = time.Time{}
	}
	return p
}

// ReceiptVisible says whether viewer sees reader's read position: never
// when the reader hides receipts, nor (mutual) when the viewer does;
// always their own.
func ReceiptVisible(readerID string, readerHides bool, viewerID string, viewerHides bool) bool {
	if readerID == viewerID {
		return true
	}
	return !readerHides && !viewerHides
}

// DirectOthers lists the members of a direct conversation other than
// callerID: the people whose profiles DirectReadOnly reads (none for
// another kind of room).
func DirectOthers(room Room, callerID string) []string {
	if room.Kind != KindDirect {
		return nil
	}
	var ids []string
	for _, id := range room.MemberIDs {
		if id != callerID {
			ids = append(ids, id)
		}
	}
	return ids
}

// ReadOnlyDirect is the message a write into a direct conversation whose
// every other member deleted their account is refused with.
const ReadOnlyDirect = "deleted their account: this conversation is read-only"

// DirectGone is, for callerID in room, given the profiles of the room's
// other members (others; a missing profile counts as a live person), the
// number of other members when every one of them deleted their account
// (their profile is a tombstone, Deleted), and 0 otherwise. Such a direct
// conversation keeps its history for the caller but takes nothing new:
// nobody is left to read it (the policy refuses its writes, ReadOnly).
//
//	not a direct conversation              -> 0
//	no other member (a note to oneself)    -> 0
//	some other member has not been deleted -> 0
//	every other member deleted             -> their number (1 in a 1:1 DM)
func DirectGone(room Room, callerID string, others []Profile) int {
	ids := DirectOthers(room, callerID)
	if len(ids) == 0 {
		return 0
	}
	deleted := make(map[string]bool, len(others))
	for _, p := range others {
		if p.Deleted {
			deleted[p.UserID] = true
		}
	}
	for _, id := range ids {
		if !deleted[id] {
			return 0
		}
	}
	return len(ids)
}

// DirectReadOnly is DirectGone as the policy's refusal: nil when the
// conversation takes writes, else ReadOnly "the other person deleted
// their account: …" ("everyone else …" in a group).
func DirectReadOnly(room Room, callerID string, others []Profile) error {
	if n := DirectGone(room, callerID, others); n > 0 {
		return directReadOnly(n)
	}
	return nil
}

func directReadOnly(n int) error {
	if n == 1 {
		return Errorf(ReadOnly, "the other person %s", ReadOnlyDirect)
	}
	return Errorf(ReadOnly, "everyone else %s", ReadOnlyDirect)
}
