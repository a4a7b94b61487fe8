package chat

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The ports the domain needs. Each is small and named after what it stores;
// internal/dynamo implements all of them over the one table, and
// internal/chat/chattest holds the in-memory fakes for unit tests.
// Every method returns *Error values: NotFound when an item is missing,
// Conflict when a condition fails, Internal for everything else.

// ConnectionStore keeps live connections and the per-room index of them
// that the fan-out queries.
type ConnectionStore interface {
	// PutConnection stores c, links it to its user and adds one
	// RoomConnection item for each of roomIDs.
	PutConnection(ctx context.Context, c Connection, roomIDs []string) error
	GetConnection(ctx context.Context, id string) (Connection, error)
	// DeleteConnection removes c, its user link and its RoomConnection items
	// for roomIDs. Deleting a missing connection is not an error.
	DeleteConnection(ctx context.Context, c Connection, roomIDs []string) error
	// DeleteConnectionIfConnectedBefore deletes the connection item only if
	// it was connected before cutoff, atomically (a conditional delete):
	// it returns the deleted connection and true, or a connection connected
	// at or after cutoff, kept, and false; NotFound if there is none. The
	// user link and room-connection items stay: DeleteConnection removes
	// them. The gone-cleanup uses it so that a connection whose $connect
	// may still be running is never deleted.
	DeleteConnectionIfConnectedBefore(ctx context.Context, id string, cutoff time.Time) (Connection, bool, error)
	// UserConnections lists the live connection ids of a user.
	UserConnections(ctx context.Context, userID string) ([]string, error)
	// RoomConnections is the fan-out query: one Query, no scan.
	RoomConnections(ctx context.Context, roomID string) ([]RoomConnection, error)
	AddRoomConnections(ctx context.Context, roomID, userID string, connIDs []string) error
	RemoveRoomConnections(ctx context.Context, roomID string, connIDs []string) error
}

// ProfileStore keeps user profiles.
type ProfileStore interface {
	// EnsureProfile creates p unless the user has a profile already, and
	// returns the stored one and whether it was created. It stores no
	// handle (p.Handle is ignored): SetHandle claims one.
	EnsureProfile(ctx context.Context, p Profile) (Profile, bool, error)
	GetProfile(ctx context.Context, userID string) (Profile, error)
	GetProfiles(ctx context.Context, userIDs []string) ([]Profile, error)
	UpdateProfile(ctx context.Context, userID string, displayName, avatarColor, avatarKey *string) (Profile, error)
	SetLastSeen(ctx context.Context, userID string, at time.Time) error
	// SetProfilePrivacy mirrors the person's appear-offline and
	// hide-receipts settings onto the profile (Profile.HidePresence,
	// Profile.HideReceipts). NotFound without a profile.
	SetProfilePrivacy(ctx context.Context, userID string, hidePresence, hideReceipts bool) error
	// ReceiptHiders answers the ids of everyone whose hideReceipts is on
	// (kept by SetProfilePrivacy): one read per receipt's fan-out.
	ReceiptHiders(ctx context.Context) (map[string]bool, error)
	// SetHandle gives the user handle (normalised and valid, see
	// ValidHandle) and frees the handle they held, atomically: Conflict
	// wrapping ErrHandleTaken if another user holds it (nothing changes),
	// NotFound without a profile. Setting the handle the user holds is a
	// no-op. Mentions find the user by the new handle (MentionCandidates),
	// no longer by the old one.
	SetHandle(ctx context.Context, userID, handle string) (Profile, error)
	// MentionCandidates returns the members of roomID whose username,
	// display name or handle has one of keys as its NameKey, with their
	// user id, username, display name and handle (other profile fields may be empty), in no
	// particular order. Its cost depends on the keys and on how many users
	// share them, never on the room's size: the store keeps a name index,
	// written with the profile (EnsureProfile, UpdateProfile), and checks
	// the candidates' memberships.
	MentionCandidates(ctx context.Context, roomID string, keys []string) ([]Profile, error)
	// SetDeactivated marks (true) or unmarks the user's profile as
	// deactivated; NotFound if the user has no profile.
	SetDeactivated(ctx context.Context, userID string, deactivated bool, at time.Time) error
	// ListProfiles pages through all users ordered by id.
	ListProfiles(ctx context.Context, cursor string, limit int) ([]Profile, string, error)
	// SearchProfiles returns the people one of whose name words
	// (search.NameWords of the display name and handle) begins with
	// prefix (a folded word), each once, at most limit (fewer when
	// people have several such words).
	SearchProfiles(ctx context.Context, prefix string, limit int) ([]Profile, error)
}

// RoomStore keeps rooms and memberships.
type RoomStore interface {
	// CreateRoom writes the room and its first members atomically; Conflict
	// if a room with that id exists. A channel (any kind but direct) with a
	// name also claims that name, case-insensitively, across public and
	// private channels: Conflict with a *NameTakenError cause if another
	// room holds it, and nothing is written.
	CreateRoom(ctx context.Context, r Room, members []Member) error
	GetRoom(ctx context.Context, roomID string) (Room, error)
	// UpdateRoom sets the non-nil fields (an empty topic removes it);
	// NotFound if there is no such room. Renaming a channel moves its name
	// claim atomically: Conflict with a *NameTakenError cause if another
	// room holds the new name (nothing changes), and the old name is free
	// again afterwards. Renaming to the room's own name (any case) is fine.
	UpdateRoom(ctx context.Context, roomID string, name, topic *string) (Room, error)
	// ListPublicRooms pages through public channels ordered by name.
	ListPublicRooms(ctx context.Context, cursor string, limit int) ([]Room, string, error)
	GetMember(ctx context.Context, roomID, userID string) (Member, error)
	// AddMember adds m and bumps the room's member count; Conflict if m is a
	// member already.
	AddMember(ctx context.Context, m Member) error
	// RemoveMember removes a membership; NotFound if there was none.
	RemoveMember(ctx context.Context, roomID, userID string) error
	ListMembers(ctx context.Context, roomID string) ([]Member, error)
	// UserRooms lists a user's memberships (a GSI query).
	UserRooms(ctx context.Context, userID string) ([]Member, error)
	// AdvanceReadSeq moves a read position forward only; false if it was
	// already at or past seq.
	AdvanceReadSeq(ctx context.Context, roomID, userID string, seq int64) (bool, error)
	// UpdateMember sets the non-nil fields of a membership (a zero
	// mutedUntil lifts a mute) and returns it as stored; NotFound if
	// there is no such membership.
	UpdateMember(ctx context.Context, roomID, userID string, role *Role, mutedUntil *time.Time) (Member, error)
	// SetArchived archives or unarchives a room: an archived public channel
	// leaves ListPublicRooms. NotFound if there is no such room.
	SetArchived(ctx context.Context, roomID string, archived bool) (Room, error)
	// SetKind makes a channel public or private (not direct rooms): a
	// private channel leaves ListPublicRooms, a public one enters it.
	// NotFound if there is no such room.
	SetKind(ctx context.Context, roomID string, kind RoomKind) (Room, error)
	// DeleteRoom deletes a channel for everyone at once: from then on the
	// room is NotFound (GetRoom, AddMember, DeleteRoom), it leaves
	// ListPublicRooms, its name is free and its memberships are gone. by is
	// who deleted it. The rest (messages and so their files, bans,
	// invitations, fan-out index, reports' message copies) is removed by
	// PurgeRoom, which the store's change stream drives (the room.deleted
	// record). NotFound if there is no such room.
	DeleteRoom(ctx context.Context, roomID, by string) error
	// PurgeRoom removes up to maxItems of what is left of a deleted room
	// and reports whether items are left (then the store has arranged for
	// the next pass). A room that is not deleted is left alone; a purged
	// one is nothing to do: idempotent.
	PurgeRoom(ctx context.Context, roomID string, maxItems int) (more bool, err error)
}

// ModerationStore keeps bans, reports and the audit log.
type ModerationStore interface {
	// PutBan stores (or replaces) a ban.
	PutBan(ctx context.Context, b Ban) error
	// GetBan reads a ban: NotFound when the user is not banned.
	GetBan(ctx context.Context, roomID, userID string) (Ban, error)
	// DeleteBan lifts a ban: NotFound when there was none.
	DeleteBan(ctx context.Context, roomID, userID string) error
	// ListBans lists a room's bans.
	ListBans(ctx context.Context, roomID string) ([]Ban, error)
	// PutInvite stores (or renews) a pending invitation.
	PutInvite(ctx context.Context, inv Invite) error
	// GetInvite reads one: NotFound when there is none.
	GetInvite(ctx context.Context, roomID, userID string) (Invite, error)
	// DeleteInvite removes one: NotFound when there was none.
	DeleteInvite(ctx context.Context, roomID, userID string) error
	// UserInvites lists a user's pending invitations.
	UserInvites(ctx context.Context, userID string) ([]Invite, error)
	// PutReport stores a new report (open).
	PutReport(ctx context.Context, r Report) error
	GetReport(ctx context.Context, id string) (Report, error)
	// ListOpenReports pages through open reports, newest first.
	ListOpenReports(ctx context.Context, cursor string, limit int) ([]Report, string, error)
	// ResolveReport closes an open report: Conflict if it was resolved
	// already, NotFound if there is none.
	ResolveReport(ctx context.Context, id, resolution, by string, at time.Time) (Report, error)
	// PutAudit records an entry, forgotten after its ExpiresAt.
	PutAudit(ctx context.Context, e AuditEntry) error
	// ListAudit pages through the audit log, newest first.
	ListAudit(ctx context.Context, cursor string, limit int) ([]AuditEntry, string, error)
}

// MessageStore keeps messages.
type MessageStore interface {
	// AppendMessage stamps m.Seq from the room's counter and stores it. A
	// second append with the same (RoomID, SenderID, ClientID) stores
	// nothing and returns the first message with created=false.
	AppendMessage(ctx context.Context, m Message) (stored Message, created bool, err error)
	GetMessage(ctx context.Context, roomID string, seq int64) (Message, error)
	// ReplaceMessage overwrites an existing message (edit, tombstone):
	// NotFound if there is none at m.Seq, Conflict if the stored message is
	// deleted already (a tombstone is final, so an edit racing a delete
	// cannot bring the text back).
	ReplaceMessage(ctx context.Context, m Message) error
	// MessagesBefore returns up to limit messages with seq < before (0: the
	// newest), newest first, and whether older ones exist.
	MessagesBefore(ctx context.Context, roomID string, before int64, limit int) ([]Message, bool, error)
	// MessagesAfter returns up to limit messages with seq > after, oldest
	// first, and whether newer ones exist.
	MessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]Message, bool, error)
}

// ErrNameTaken matches (errors.Is) every *NameTakenError.
var ErrNameTaken = errors.New("channel name taken")

// NameTakenError is the cause (Error.Err) of the Conflict that CreateRoom
// and UpdateRoom return when another room holds a channel name. HolderKind
// is the kind of the room holding it, or "" if the store could not tell
// (the claim changed hands meanwhile): the service words its reply by it,
// so it never names a private channel.
type NameTakenError struct {
	Name       string
	HolderKind RoomKind
}

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("channel name %q is taken (by a %s room)", e.Name, e.HolderKind)
}

func (e *NameTakenError) Is(target error) bool { return target == ErrNameTaken }

// NameTaken builds the Conflict CreateRoom and UpdateRoom return for a
// taken channel name. Its message is generic; the service rewords it.
func NameTaken(name string, holder RoomKind) *Error {
	return &Error{Code: Conflict, Message: "that channel name is taken", Err: &NameTakenError{Name: name, HolderKind: holder}}
}

// RateLimiter counts events per key in fixed windows.
type RateLimiter interface {
	// Allow records one event for key and reports whether it is within
	// limit events per window.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
	// AllowN records n events at once (a weighted action) and reports
	// whether the window's count is still within limit.
	AllowN(ctx context.Context, key string, n, limit int, window time.Duration) (bool, error)
}

// LastRoomStore remembers the room a person last had open, per account
// (not per browser), so any device reopens it.
type LastRoomStore interface {
	// SetLastRoom records roomID as the user's last open room, opened at.
	SetLastRoom(ctx context.Context, userID, roomID string, at time.Time) error
	// LastRoom is the room last recorded and when, "" if none.
	LastRoom(ctx context.Context, userID string) (string, time.Time, error)
}

// PreferenceStore keeps a person's preferences, their Web Push
// subscriptions and whether their connections are visible (issue #13).
type PreferenceStore interface {
	// GetPreferences returns the stored preferences, normalized
	// (Preferences.Normalize); the defaults when there are none. PushKey is
	// never stored.
	GetPreferences(ctx context.Context, userID string) (Preferences, error)
	// UpdatePreferences applies edit to the stored preferences (the
	// defaults when none) and stores the result, atomically against
	// concurrent updates (edit may run more than once); an error from edit
	// is returned and nothing is stored.
	UpdatePreferences(ctx context.Context, userID string, edit func(*Preferences) error) (Preferences, error)
	// SetConnectionVisible records whether connection connID of userID is
	// visible (the tab is in front) or hidden. A new connection is visible.
	// NotFound when the connection is gone.
	SetConnectionVisible(ctx context.Context, userID, connID string, visible bool) error
	// UserPresence counts the user's live connections and how many of
	// them are visible: one Query.
	UserPresence(ctx context.Context, userID string) (connections, visible int, err error)
	// PutPushSubscription stores s (keyed by its endpoint: the same
	// endpoint again replaces it), drops the person's other subscription
	// of the same non-empty Device label, and past max subscriptions drops
	// the oldest.
	PutPushSubscription(ctx context.Context, s PushSubscription, max int) error
	// PushSubscriptions lists a person's subscriptions, oldest first.
	PushSubscriptions(ctx context.Context, userID string) ([]PushSubscription, error)
	// DeletePushSubscription removes one; false when there was none.
	DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)
}

// Store is everything the chat service persists.
type Store interface {
	ConnectionStore
	ProfileStore
	RoomStore
	MessageStore
	ModerationStore
	RateLimiter
	LastRoomStore
	PreferenceStore
	ConversationStore
	PollStore
	ThreadStore
	LinkPreviewStore
	RetentionStore
	TermsStore
}

// Poster delivers one payload to one connection. internal/apigw implements
// it with the API Gateway management API. It returns an error wrapping
// ErrGone when the connection no longer exists and ErrThrottled when the
// caller should back off and retry.
type Poster interface {
	Post(ctx context.Context, connectionID string, payload []byte) error
}

// Fanout delivers one payload to many connections: bounded concurrency,
// ErrGone drops exactly that connection, ErrThrottled is retried with
// backoff, and one failed recipient never fails the others.
// internal/fanout implements it over a Poster.
type Fanout interface {
	Send(ctx context.Context, connectionIDs []string, payload []byte) FanoutResult
}

// FanoutResult counts what happened to one Send.
type FanoutResult struct {
	Recipients int
	Delivered  int
	Gone       int
	Failed     int
	// Queued recipients are handed to fan-out workers over a queue (big
	// rooms, internal/fanoutqueue): delivered after the sender's answer.
	Queued int
}
