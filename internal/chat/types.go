package chat

import (
	"strings"
	"time"
)

// Identity is who a connection belongs to. It comes only from the verified
// token (via the $connect authorizer) and is stored with the connection;
// nothing in a client payload can change it.
type Identity struct {
	UserID      string   `json:"userId"`
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	Email       string   `json:"email,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	// TokenExpiresAt is the exp of the token that proved this identity
	// (zero: unknown). A connection lives no longer than it: past it every
	// action is refused with SessionExpired and the client reconnects with
	// a fresh token.
	TokenExpiresAt time.Time `json:"-"`
	// NameFromEmail: the display name is the email's local part (the
	// token carried no name claim), a placeholder the first rename
	// replaces (service.placeholderHandle). Stored with the connection
	// instead of the email (issue #15, data minimisation).
	NameFromEmail bool `json:"-"`
	// WidgetID is the support widget a visitor came through (visitors
	// only; issue #17).
	WidgetID string `json:"widgetId,omitempty"`
}

// PlaceholderName says whether the display name is only the email's local
// part: NameFromEmail, or computed from Email where the identity still
// carries it (at $connect, from the token).
func (id Identity) PlaceholderName() bool {
	if id.NameFromEmail {
		return true
	}
	local, _, ok := strings.Cut(id.Email, "@")
	return ok && strings.TrimSpace(local) == id.DisplayName
}

// Connection is one live WebSocket connection.
type Connection struct {
	ID          string    `json:"connectionId"`
	Identity              // embedded: the verified identity
	ConnectedAt time.Time `json:"connectedAt"`
	// ExpiresAt is when the store may forget the item (TTL), past API
	// Gateway's 2-hour maximum so a missed $disconnect cleans itself up.
	ExpiresAt time.Time `json:"-"`
	// CallID is the call the connection last started or joined (calls.go,
	// CallStore.SetConnectionCall), so that $disconnect takes it out of
	// that call at once; it may name a call the connection has left.
	CallID string `json:"-"`
	// DeviceID is the encryption device this connection registered
	// (registerDevice), which deviceMessage and roomKeys reach.
	DeviceID string `json:"-"`
}

// Profile is a user as others see them.
type Profile struct {
	UserID      string `json:"userId"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	// Handle is the person's unique handle without the "@" (chat.ValidHandle);
	// empty only until the server derives one on their next connect.
	Handle      string `json:"handle,omitempty"`
	AvatarColor string `json:"avatarColor"`
	AvatarKey   string `json:"avatarKey,omitempty"`
	// AvatarVersion is the object version of AvatarKey checked when it was
	// made the picture (served by requestAvatarUrl), while
	// AvatarVersionKey is AvatarKey; server-side only.
	AvatarVersion    string    `json:"-"`
	AvatarVersionKey string    `json:"-"`
	Online           bool      `json:"online"`
	LastSeen         time.Time `json:"lastSeen,omitzero"`
	CreatedAt        time.Time `json:"createdAt"`
	// Deactivated: an admin deactivated the person; their messages stay
	// and clients mark their name. $connect refuses them.
	Deactivated bool `json:"deactivated,omitempty"`
	// HidePresence and HideReceipts mirror the person's privacy settings
	// (Preferences.Privacy) for the views of others (chat.PresenceSeenBy,
	// chat.ReceiptVisible); never sent.
	HidePresence bool `json:"-"`
	HideReceipts bool `json:"-"`
	// Deleted: the account was deleted (erasure); the profile is a
	// tombstone named DeletedUserName, with no email, handle or picture.
	Deleted bool `json:"deleted,omitempty"`
	// Bot: a bot account (chat.Bot); clients mark its name and messages.
	Bot bool `json:"bot,omitempty"`
}

// RoomKind says what sort of conversation a room is.
type RoomKind string

const (
	KindPublic  RoomKind = "public"  // a channel anyone can browse and join
	KindPrivate RoomKind = "private" // a channel joined by invitation only
	KindDirect  RoomKind = "direct"  // a one-to-one or small group DM
)

// GeneralRoomID is the channel every user joins on first sign-in.
const GeneralRoomID = "general"

// Room is a channel or a direct conversation.
type Room struct {
	ID          string    `json:"roomId"`
	Kind        RoomKind  `json:"kind"`
	Name        string    `json:"name"`
	Topic       string    `json:"topic,omitempty"`
	CreatedBy   string    `json:"createdBy"`
	CreatedAt   time.Time `json:"createdAt"`
	LastSeq     int64     `json:"lastSeq"`
	MemberCount int       `json:"memberCount"`
	// MemberIDs is filled for direct rooms only, which are small.
	MemberIDs []string `json:"memberIds,omitempty"`
	// Archived: read-only and hidden from browse (channels only).
	Archived bool `json:"archived,omitempty"`
	// MembersCanPin: every member may pin (otherwise owners, moderators
	// and workspace admins; in direct rooms everyone).
	MembersCanPin bool `json:"membersCanPin,omitempty"`
	// LastChg is the room's change sequence: the last change (edit,
	// delete, reaction, pin) numbered. Resume replays changes after it.
	LastChg int64 `json:"lastChg,omitempty"`
	// RetentionDays: the room keeps its messages this many days (0:
	// forever); absent: the workspace's default (retention.go).
	RetentionDays *int `json:"retentionDays,omitempty"`
	// Support is the visitor conversation of a support room (KindSupport),
	// read with the room; never sent as part of the room (clients get it
	// as a supportConversation, for visitors without the agents' side).
	Support *SupportConversation `json:"-"`
	// Encrypted: the room is end-to-end encrypted (e2ee.go); set when it
	// is created and never changed. KeyEpoch is the newest epoch whose
	// room key was shared; RotateKey says someone left (a member, a
	// device) or joined since, so the next sender makes a new epoch.
	Encrypted bool `json:"encrypted,omitempty"`
	KeyEpoch  int  `json:"keyEpoch,omitempty"`
	RotateKey bool `json:"rotateKey,omitempty"`
}

// Role is a member's role in a room.
type Role string

const (
	RoleOwner     Role = "owner"
	RoleModerator Role = "moderator"
	RoleMember    Role = "member"
)

// Member is a user's membership of a room, with their read position.
type Member struct {
	RoomID   string    `json:"roomId"`
	UserID   string    `json:"userId"`
	Role     Role      `json:"role"`
	JoinedAt time.Time `json:"joinedAt"`
	ReadSeq  int64     `json:"readSeq"`
	// MutedUntil: the member may not send in the room before this time
	// (zero: not muted; a past time means the mute has ended).
	MutedUntil time.Time `json:"mutedUntil,omitzero"`
	// KeyEpochFrom is, in an end-to-end encrypted room, the first key epoch
	// the member may hold: the one their join made (a join rotates the
	// key), so that no device hands them an older epoch's key (e2ee.go).
	// 0: every epoch (the room's first members).
	KeyEpochFrom int `json:"keyEpochFrom,omitempty"`
}

// MutedAt says whether the member is muted at now.
func (m Member) MutedAt(now time.Time) bool { return now.Before(m.MutedUntil) }

// Attachment is a file stored in S3 and referenced by a message.
type Attachment struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// ThumbKey is set once a thumbnail exists beside the original.
	ThumbKey string `json:"thumbKey,omitempty"`
	// SHA256 is the base64 SHA-256 of the bytes the server checked at send
	// (the checksum the storage verified on upload); VersionID is the
	// object version those bytes are, served by requestDownload with
	// versionId ("" when the bucket is not versioned). Set by the server.
	SHA256    string `json:"sha256,omitempty"`
	VersionID string `json:"versionId,omitempty"`
}

// Message is one message in a room. Seq is the server-stamped id: a per-room
// sequence, so messages sort by time without collisions and "everything
// after N" is exact.
type Message struct {
	RoomID      string       `json:"roomId"`
	Seq         int64        `json:"seq"`
	ClientID    string       `json:"clientId"`
	SenderID    string       `json:"senderId"`
	SenderName  string       `json:"senderName"`
	Text        string       `json:"text"`
	Mentions    []string     `json:"mentions,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Gif is a GIF from the provider, sent by URL (chat.Gif).
	Gif *Gif `json:"gif,omitempty"`
	// Integration marks a message an integration posted (a webhook,
	// webhooks.go): set by the server only.
	Integration *MessageIntegration `json:"integration,omitempty"`
	CreatedAt   time.Time           `json:"createdAt"`
	EditedAt    time.Time           `json:"editedAt,omitzero"`
	Deleted     bool                `json:"deleted,omitempty"`
	// DeletedBy is who turned the message into a tombstone: the sender, or
	// a moderator (clients show "removed by a moderator").
	DeletedBy string `json:"deletedBy,omitempty"`
	// System marks a line the server wrote about the room (someone joined,
	// left, was invited, removed or banned; a rename, a topic, a kind, a
	// role; archiving): its sender is who did it, Text a plain-English
	// fallback for clients that do not know the kind.
	System *SystemLine `json:"system,omitempty"`
	// Encrypted is the ciphertext of a message in an end-to-end encrypted
	// room (Text is then empty).
	Encrypted *EncryptedContent `json:"encrypted,omitempty"`
	// Reactions: each emoji and who reacted with it, in the order the
	// emoji were first used.
	Reactions []Reaction `json:"reactions,omitempty"`
	// PinnedBy and PinnedAt are set while the message is pinned.
	PinnedBy string    `json:"pinnedBy,omitempty"`
	PinnedAt time.Time `json:"pinnedAt,omitzero"`
	// Poll is set on a poll message (createPoll): its question, options
	// and tally (polls.go); Text is the question, for search and
	// notifications.
	Poll *Poll `json:"poll,omitempty"`
	// ParentSeq makes the message a reply in the thread of that message
	// (chat/threads.go); ToRoom: the reply was also sent to the room.
	ParentSeq int64 `json:"parentSeq,omitempty"`
	ToRoom    bool  `json:"toRoom,omitempty"`
	// Thread is the summary of the replies to this message, if any.
	Thread *ThreadSummary `json:"thread,omitempty"`
	// Previews of the message's first links (the unfurl worker's, see
	// linkpreview.go); PreviewsRemoved the links the sender removed
	// ("*": all), which the worker leaves out, and not sent to clients.
	Previews        []LinkPreview `json:"previews,omitempty"`
	PreviewsRemoved []string      `json:"-"`
	// PreviewsVersion is the stores' optimistic lock of the previews.
	PreviewsVersion int64 `json:"-"`
	// ExpiresAt: the message is removed at this time, under its room's
	// retention when it was stored (retention.go); zero: kept forever.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Internal marks an agent's internal note in a support room
	// (addSupportNote): never delivered to the visitor.
	Internal bool `json:"internal,omitempty"`
}

// Ban keeps a user out of a channel until it is lifted.
type Ban struct {
	RoomID   string    `json:"roomId"`
	UserID   string    `json:"userId"`
	By       string    `json:"by"`
	Reason   string    `json:"reason,omitempty"`
	BannedAt time.Time `json:"bannedAt"`
}

// Invite is a pending invitation to a private channel: the invitee
// accepts (and becomes a member) or declines.
type Invite struct {
	RoomID    string    `json:"roomId"`
	UserID    string    `json:"userId"`
	InvitedBy string    `json:"invitedBy"`
	InvitedAt time.Time `json:"invitedAt"`
}

// Report is a member's report of a message, queued for moderators.
type Report struct {
	ID         string    `json:"reportId"`
	RoomID     string    `json:"roomId"`
	Seq        int64     `json:"seq"`
	ReporterID string    `json:"reporterId"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	// Message is the reported message as it was when reported.
	Message Message `json:"message"`
	// DecryptedText is, for a message of an end-to-end encrypted room,
	// the text as the reporter's client decrypted it (the server cannot
	// check it): moderators see it marked "as decrypted by the reporter".
	DecryptedText string `json:"decryptedText,omitempty"`
	// Resolution is "" while open; dismiss, delete, mute or ban once
	// resolved, by ResolvedBy at ResolvedAt.
	Resolution string    `json:"resolution,omitempty"`
	ResolvedBy string    `json:"resolvedBy,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
}

// AuditEntry records one moderation or administration action.
type AuditEntry struct {
	ID       string    `json:"auditId"`
	At       time.Time `json:"at"`
	ActorID  string    `json:"actorId"`
	Action   string    `json:"action"`
	RoomID   string    `json:"roomId,omitempty"`
	TargetID string    `json:"targetId,omitempty"`
	Seq      int64     `json:"seq,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	// ExpiresAt is when the store forgets the entry (the retention).
	ExpiresAt time.Time `json:"-"`
}

// SystemLine is what a system message records.
type SystemLine struct {
	Kind SystemKind `json:"kind"`
	// UserIDs: who joined, left, was invited (invites name several),
	// removed, banned, or whose role changed.
	UserIDs []string `json:"userIds,omitempty"`
	// Name and Topic: the new name or topic.
	Name  string `json:"name,omitempty"`
	Topic string `json:"topic,omitempty"`
	// RoomKind: the channel's new kind (public or private), for "kind".
	RoomKind RoomKind `json:"roomKind,omitempty"`
	// Role: the new room role of UserIDs, for "role".
	Role Role `json:"role,omitempty"`
	// Video: the missed call was a video call, for "missedCall" (calls.go).
	Video bool `json:"video,omitempty"`
}

// SystemKind says what a system line records.
type SystemKind string

const (
	SystemJoined     SystemKind = "joined"
	SystemLeft       SystemKind = "left"
	SystemInvited    SystemKind = "invited"
	SystemRenamed    SystemKind = "renamed"
	SystemTopic      SystemKind = "topic"
	SystemRemoved    SystemKind = "removed"
	SystemBanned     SystemKind = "banned"
	SystemKindChange SystemKind = "kind"
	SystemArchived   SystemKind = "archived"
	SystemUnarchived SystemKind = "unarchived"
	SystemRole       SystemKind = "role"
)

// RoomConnection is one live connection of one member of a room: the item
// the fan-out queries.
type RoomConnection struct {
	RoomID       string `json:"roomId"`
	ConnectionID string `json:"connectionId"`
	UserID       string `json:"userId"`
}
