// Package protocol defines every frame on the WebSocket: the actions clients
// send and the events the server pushes. It is the one source of the wire
// types; web/src/api/protocol.gen.ts is generated from it (scripts/gen-protocol)
// and docs/PROTOCOL.md documents it with examples.
package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Limits of the wire, enforced by the handlers.
const (
	MaxTextBytes     = 8 * 1024 // a message's text, after trimming
	MaxNameRunes     = 80       // channel names and display names
	MaxTopicRunes    = 250
	MaxDirectMembers = 8 // a group DM, the sender included
	HistoryPageSize  = 50
	ResumePageSize   = 100
)

// Envelope is what every client frame has: the route key and an optional
// client-chosen request id echoed on the reply or error.
type Envelope struct {
	Action    string `json:"action"`
	RequestID string `json:"requestId,omitempty"`
}

// Action names: API Gateway route keys (route selection on $request.body.action).
// ActionTable (actions.go) says what each one takes, answers and costs.
const (
	ActionPing            = "ping"
	ActionGetState        = "getState"
	ActionListUsers       = "listUsers"
	ActionUpdateProfile   = "updateProfile"
	ActionCreateChannel   = "createChannel"
	ActionListChannels    = "listChannels"
	ActionJoinChannel     = "joinChannel"
	ActionLeaveChannel    = "leaveChannel"
	ActionInviteToChannel = "inviteToChannel"
	ActionUpdateChannel   = "updateChannel"
	ActionListMembers     = "listMembers"
	ActionOpenDirect      = "openDirect"
	ActionSendMessage     = "sendMessage"
	ActionEditMessage     = "editMessage"
	ActionDeleteMessage   = "deleteMessage"
	ActionHistory         = "history"
	ActionResume          = "resume"
	ActionSearch          = "search"
	ActionTyping          = "typing"
	ActionMarkRead        = "markRead"
)

// ---- Client actions ----

// ListUsersRequest pages through the directory, or with Query searches it:
// people one of whose display-name or handle words begins with each word
// of Query, case- and accent-insensitively ("zoë ång", "@bo.b"), at most
// 50, by name, in one reply (no cursor).
type ListUsersRequest struct {
	Cursor string `json:"cursor,omitempty"`
	Query  string `json:"query,omitempty"`
}

type UpdateProfileRequest struct {
	DisplayName *string `json:"displayName,omitempty"`
	AvatarColor *string `json:"avatarColor,omitempty"`
	AvatarKey   *string `json:"avatarKey,omitempty"`
	// Handle claims a new unique handle ("bo.berg", a leading "@" is
	// dropped) and frees the old one; "conflict" when someone holds it.
	Handle *string `json:"handle,omitempty"`
}

type CreateChannelRequest struct {
	Name    string `json:"name"`
	Topic   string `json:"topic,omitempty"`
	Private bool   `json:"private,omitempty"`
	// Encrypted makes the (private) channel end-to-end encrypted, for
	// good (at most MaxEncryptedMembers members).
	Encrypted bool `json:"encrypted,omitempty"`
}

// ListChannelsRequest pages through the public channels, or with Query
// searches them: channels one of whose name or topic words begins with
// each word of Query, case- and accent-insensitively, at most 50, by name,
// in one reply (no cursor).
type ListChannelsRequest struct {
	Cursor string `json:"cursor,omitempty"`
	Query  string `json:"query,omitempty"`
}

type RoomRequest struct {
	RoomID string `json:"roomId"`
}

// TypingRequest says the user is typing in the room, or with Stopped that
// they stopped (cleared or sent the draft): others clear the line at once.
type TypingRequest struct {
	RoomID  string `json:"roomId"`
	Stopped bool   `json:"stopped,omitempty"`
}

type InviteRequest struct {
	RoomID  string   `json:"roomId"`
	UserIDs []string `json:"userIds"`
}

type UpdateChannelRequest struct {
	RoomID string  `json:"roomId"`
	Name   *string `json:"name,omitempty"`
	Topic  *string `json:"topic,omitempty"`
	// Private makes the channel private (true) or public (false).
	Private *bool `json:"private,omitempty"`
	// MembersCanPin lets every member pin messages (true) or only the
	// owners, moderators and workspace admins (false).
	MembersCanPin *bool `json:"membersCanPin,omitempty"`
}

type OpenDirectRequest struct {
	// UserIDs are the other participants; the caller is added.
	UserIDs []string `json:"userIds"`
	// Encrypted opens the end-to-end encrypted conversation of these
	// people, a different room from the plain one.
	Encrypted bool `json:"encrypted,omitempty"`
}

type SendMessageRequest struct {
	RoomID      string            `json:"roomId"`
	ClientID    string            `json:"clientId"`
	Text        string            `json:"text"`
	Attachments []chat.Attachment `json:"attachments,omitempty"`
	// ParentSeq sends the message as a reply in that message's thread;
	// ToRoom also shows it in the room's timeline.
	ParentSeq int64 `json:"parentSeq,omitempty"`
	ToRoom    bool  `json:"toRoom,omitempty"`
	// Gif is a GIF chosen from searchGifs' results; its URLs must be the
	// provider's media hosts'.
	Gif *chat.Gif `json:"gif,omitempty"`
	// Encrypted is the ciphertext of a message in an encrypted room (Text
	// empty); Mentions then name the people mentioned (user ids), since
	// the server cannot read @handles.
	Encrypted *chat.EncryptedContent `json:"encrypted,omitempty"`
	Mentions  []string               `json:"mentions,omitempty"`
}

type EditMessageRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Text   string `json:"text"`
	// Encrypted is the new ciphertext in an encrypted room (Text empty).
	Encrypted *chat.EncryptedContent `json:"encrypted,omitempty"`
}

type MessageRef struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
}

// MarkReadRequest moves the read position to Seq. Open also records the
// room as the one the person has open (the client sends it once a room has
// stayed open a few seconds), which getState answers as lastRoomId on any
// device.
type MarkReadRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Open   bool   `json:"open,omitempty"`
}

type HistoryRequest struct {
	RoomID string `json:"roomId"`
	// Before pages back: messages with seq < Before; 0 means the newest.
	Before int64 `json:"before,omitempty"`
	// Around opens the room at a message: up to Limit/2 messages before
	// seq Around and the rest from Around on (HasMore and HasMoreAfter say
	// whether more lie each way).
	Around int64 `json:"around,omitempty"`
	// After pages forward: messages with seq > After (the reply's After).
	After int64 `json:"after,omitempty"`
	Limit int   `json:"limit,omitempty"`
}

// SearchRequest searches the messages of the caller's rooms (all of them,
// or those of Rooms it is a member of now). Query is the search language
// of docs/PROTOCOL.md (words, "phrases", the last word as a prefix,
// from:@handle, in:#channel or in:@handle, before:/after:/on:YYYY-MM-DD,
// has:file|image|link, is:mention). Before is the previous page's Next.
type SearchRequest struct {
	Query string   `json:"query"`
	Rooms []string `json:"rooms,omitempty"`
	// Before continues a search: the Next of the page before ("" starts).
	Before string `json:"before,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	// Order is "newest" (the default) or "relevance".
	Order string `json:"order,omitempty"`
}

type ResumeRequest struct {
	// Rooms maps a room id to the last seq the client saw there.
	Rooms map[string]int64 `json:"rooms"`
	// Changes maps a room id to the last change (Room.LastChg, the
	// missed reply's LastChg) the client has applied there: the reply's
	// Changed then holds every message edited, deleted, reacted to,
	// pinned or given or stripped of link previews since. Rooms left out
	// replay no changes.
	Changes map[string]int64 `json:"changes,omitempty"`
}

// ---- Server events ----

// Event types.
const (
	EventPong           = "pong"
	EventError          = "error"
	EventState          = "state"
	EventUsers          = "users"
	EventProfile        = "profile"
	EventUserUpdated    = "userUpdated"
	EventRoom           = "room"
	EventChannels       = "channels"
	EventRoomAdded      = "roomAdded"
	EventRoomUpdated    = "roomUpdated"
	EventRoomRemoved    = "roomRemoved"
	EventMemberJoined   = "memberJoined"
	EventMemberLeft     = "memberLeft"
	EventMembers        = "members"
	EventAck            = "ack"
	EventMessage        = "message"
	EventMessageUpdated = "messageUpdated"
	EventHistory        = "history"
	EventMissed         = "missed"
	EventSearchResults  = "searchResults"
	EventTyping         = "typing"
	EventRead           = "read"
	EventPresence       = "presence"
)

// Head starts every server event. RequestID echoes the client's on replies.
type Head struct {
	Type      string `json:"type"`
	RequestID string `json:"requestId,omitempty"`
}

// ErrorEvent answers a frame that failed. The connection stays open.
type ErrorEvent struct {
	Head
	Code    chat.Code `json:"code"`
	Message string    `json:"message"`
	Action  string    `json:"action,omitempty"`
	// TraceID is API Gateway's request id, for matching server logs.
	TraceID string `json:"traceId,omitempty"`
	// Until is when the refusal ends, for refusals that end at a known
	// time (forbidden while muted: the mute's end); clients show it in
	// local time instead of the message's UTC timestamp.
	Until *time.Time `json:"until,omitempty"`
}

type PongEvent struct {
	Head
	Time int64 `json:"time"` // server time, Unix milliseconds
}

// RoomState is a room as its member sees it on connect.
type RoomState struct {
	chat.Room
	ReadSeq int64 `json:"readSeq"`
	// Unread counts messages after ReadSeq by others, capped at 100.
	Unread int `json:"unread"`
	// Mentions counts unread messages that mention the member.
	Mentions int `json:"mentions"`
	// Role is the member's role in the room (on state, joins and
	// roomAdded; clients keep theirs on roomUpdated).
	Role chat.Role `json:"role,omitempty"`
	// MutedUntil is set while the member is muted here.
	MutedUntil time.Time `json:"mutedUntil,omitzero"`
}

type StateEvent struct {
	Head
	ConnectionID string         `json:"connectionId"`
	Me           chat.Profile   `json:"me"`
	Rooms        []RoomState    `json:"rooms"`
	Users        []chat.Profile `json:"users"` // people who share a room with me
	Limits       Limits         `json:"limits"`
	// Groups are my workspace groups (admins, moderators), from my token:
	// clients show the moderation queue and the audit log by them.
	Groups []string `json:"groups,omitempty"`
	// Invites are my pending invitations to private channels.
	Invites []InviteInfo `json:"invites"`
	// LastRoomID is the room this person last had open, on any device
	// (markRead {open: true}); absent if none or no longer theirs.
	LastRoomID string `json:"lastRoomId,omitempty"`
	// LastRoomAt is when it was recorded (Unix milliseconds), so a client
	// can tell whether what it remembers itself is newer.
	LastRoomAt int64 `json:"lastRoomAt,omitempty"`
	// Preferences are this person's settings (issue #13), the same on
	// every device.
	Preferences chat.Preferences `json:"preferences"`
	// Gifs is true when the deployment has a GIF provider (searchGifs
	// works and messages may carry a gif); clients hide the GIF button
	// otherwise.
	Gifs bool `json:"gifs,omitempty"`
	// GifProvider names it (tenor, giphy), for the picker's attribution.
	GifProvider string `json:"gifProvider,omitempty"`
	// Terms is the current terms version and this person's acceptance;
	// absent when the deployment publishes no versioned terms.
	Terms *TermsState `json:"terms,omitempty"`
	// Support: a visitor's conversations (issue 17; Rooms holds their
	// rooms). A visitor's state holds only the connection, its own
	// profile, its support rooms, these and the limits.
	Support []chat.SupportConversation `json:"support,omitempty"`
}

// Limits are this deployment's limits, so a client can check before it
// asks (the server checks again).
type Limits struct {
	MaxTextBytes int `json:"maxTextBytes"`
	// Files is false when the deployment has no files bucket.
	Files              bool     `json:"files"`
	MaxUploadBytes     int64    `json:"maxUploadBytes,omitempty"`
	AllowedUploadTypes []string `json:"allowedUploadTypes,omitempty"`
	// E2EEMaxMembers is the most members of an end-to-end encrypted
	// private channel (E2EE_MAX_MEMBERS).
	E2EEMaxMembers int `json:"e2eeMaxMembers,omitempty"`
}

type UsersEvent struct {
	Head
	Users  []chat.Profile `json:"users"`
	Cursor string         `json:"cursor,omitempty"`
}

type ProfileEvent struct {
	Head
	Profile chat.Profile `json:"profile"`
}

type RoomEvent struct {
	Head
	Room RoomState `json:"room"`
}

type ChannelsEvent struct {
	Head
	Rooms  []chat.Room `json:"rooms"`
	Cursor string      `json:"cursor,omitempty"`
}

type RoomRemovedEvent struct {
	Head
	RoomID string `json:"roomId"`
	// Deleted: the channel itself was deleted (deleteChannel), for
	// everyone; otherwise only the recipient left or was removed.
	Deleted bool `json:"deleted,omitempty"`
}

type MemberEvent struct {
	Head
	RoomID string       `json:"roomId"`
	User   chat.Profile `json:"user"`
}

type MemberInfo struct {
	chat.Profile
	Role    chat.Role `json:"role"`
	ReadSeq int64     `json:"readSeq"`
	// MutedUntil is set while the member is muted in the room.
	MutedUntil time.Time `json:"mutedUntil,omitzero"`
}

type MembersEvent struct {
	Head
	RoomID  string       `json:"roomId"`
	Members []MemberInfo `json:"members"`
}

// AckEvent confirms a send to its sender: the stored message, and to how
// many connections it was delivered.
type AckEvent struct {
	Head
	ClientID  string       `json:"clientId"`
	Message   chat.Message `json:"message"`
	Delivered int          `json:"delivered"`
	Duplicate bool         `json:"duplicate,omitempty"`
	// Parent: a thread reply's parent with its new summary, and that
	// change's number (the room gets it as messageUpdated).
	Parent    *chat.Message `json:"parent,omitempty"`
	ParentChg int64         `json:"parentChg,omitempty"`
}

type MessageEvent struct {
	Head
	Message chat.Message `json:"message"`
	// Chg is the room's change number of this update (messageUpdated
	// only; absent on a new message): a client that has applied every
	// change before it may take it as its position.
	Chg int64 `json:"chg,omitempty"`
}

type HistoryEvent struct {
	Head
	RoomID   string         `json:"roomId"`
	Messages []chat.Message `json:"messages"` // newest first
	HasMore  bool           `json:"hasMore"`
	// Before is the value to send as "before" for the next older page.
	Before int64 `json:"before,omitempty"`
	// HasMoreAfter is present in the around and after modes only (and
	// only then): newer messages follow; send After as "after" for the
	// next newer page.
	HasMoreAfter *bool `json:"hasMoreAfter,omitempty"`
	After        int64 `json:"after,omitempty"`
}

// SearchResultsEvent answers search: newest first (or by relevance), and
// Next, the "before" of the next page ("" when there is none).
type SearchResultsEvent struct {
	Head
	Results []SearchResult `json:"results"`
	Next    string         `json:"next,omitempty"`
}

// SearchResult is one matching message: Text is a snippet of it (cut
// with … around the first match when long), Highlights the matched words
// in Text as [start, end) offsets in UTF-16 code units (JavaScript string
// indexes).
type SearchResult struct {
	RoomID     string    `json:"roomId"`
	Seq        int64     `json:"seq"`
	SenderID   string    `json:"senderId"`
	SenderName string    `json:"senderName,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	EditedAt   time.Time `json:"editedAt,omitzero"`
	Text       string    `json:"text"`
	Highlights [][2]int  `json:"highlights"`
	// ParentSeq: the hit is a reply in that message's thread (ToRoom: also
	// in the room's timeline); clients open the thread.
	ParentSeq int64 `json:"parentSeq,omitempty"`
	ToRoom    bool  `json:"toRoom,omitempty"`
}

// MissedEvent answers resume with one entry per room asked about.
type MissedEvent struct {
	Head
	Rooms []MissedRoom `json:"rooms"`
}

type MissedRoom struct {
	RoomID   string         `json:"roomId"`
	Messages []chat.Message `json:"messages"` // oldest first
	// HasMore says more messages follow: resume again from the last seq.
	HasMore bool `json:"hasMore"`
	// Changed (when the request gave the room's position in Changes)
	// holds, as they are now, the messages up to the client's seq that
	// changed after that position, by seq; LastChg is the position to
	// resume from next time, ChangesMore says more changes follow.
	// Reset: the changes asked for are no longer kept (the client was
	// away longer than the log's retention): reload the room's history.
	Changed     []chat.Message `json:"changed,omitempty"`
	LastChg     int64          `json:"lastChg,omitempty"`
	ChangesMore bool           `json:"changesMore,omitempty"`
	Reset       bool           `json:"reset,omitempty"`
}

type TypingEvent struct {
	Head
	RoomID      string `json:"roomId"`
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
	// Stopped: the user stopped typing (clear the line now).
	Stopped bool `json:"stopped,omitempty"`
}

type ReadEvent struct {
	Head
	RoomID string `json:"roomId"`
	UserID string `json:"userId"`
	Seq    int64  `json:"seq"`
}

type PresenceEvent struct {
	Head
	UserID   string `json:"userId"`
	Online   bool   `json:"online"`
	LastSeen int64  `json:"lastSeen,omitempty"` // Unix milliseconds
}

// ---- Roles and moderation ----

// Moderation action names.
const (
	ActionArchiveChannel   = "archiveChannel"
	ActionUnarchiveChannel = "unarchiveChannel"
	ActionDeleteChannel    = "deleteChannel"
	ActionSetMemberRole    = "setMemberRole"
	ActionMuteMember       = "muteMember"
	ActionUnmuteMember     = "unmuteMember"
	ActionRemoveMember     = "removeMember"
	ActionBanMember        = "banMember"
	ActionUnbanMember      = "unbanMember"
	ActionListBans         = "listBans"
	ActionReportMessage    = "reportMessage"
	ActionListReports      = "listReports"
	ActionResolveReport    = "resolveReport"
	ActionListAudit        = "listAudit"
	ActionAcceptInvite     = "acceptInvite"
	ActionDeclineInvite    = "declineInvite"
)

// Moderation limits.
const (
	MaxReasonRunes   = 500
	MaxMuteMinutes   = 30 * 24 * 60 // 30 days
	ReportsPageSize  = 50
	AuditPageSize    = 100
	ReportContextLen = 2 // messages before and after a reported one
)

// Moderation event types.
const (
	EventMemberUpdated = "memberUpdated"
	EventBans          = "bans"
	EventReport        = "report"
	EventReports       = "reports"
	EventAudit         = "audit"
	EventInvited       = "invited"
	EventInvites       = "invites"
)

// InviteInfo is a pending invitation to a private channel as its invitee
// sees it.
type InviteInfo struct {
	chat.Invite
	RoomName string `json:"roomName"`
}

// InvitedEvent tells the invitee about a new invitation.
type InvitedEvent struct {
	Head
	Invite InviteInfo `json:"invite"`
}

// InvitesEvent lists my pending invitations (the reply to declineInvite).
type InvitesEvent struct {
	Head
	Invites []InviteInfo `json:"invites"`
}

type SetMemberRoleRequest struct {
	RoomID string    `json:"roomId"`
	UserID string    `json:"userId"`
	Role   chat.Role `json:"role"`
}

type MuteMemberRequest struct {
	RoomID string `json:"roomId"`
	UserID string `json:"userId"`
	// Minutes is how long the mute lasts, 1 to MaxMuteMinutes.
	Minutes int    `json:"minutes"`
	Reason  string `json:"reason,omitempty"`
}

// MemberActionRequest names a member of a room to unmute, remove, ban or
// unban.
type MemberActionRequest struct {
	RoomID string `json:"roomId"`
	UserID string `json:"userId"`
	Reason string `json:"reason,omitempty"`
}

type ReportMessageRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason,omitempty"`
	// Plaintext is the message as the reporter's client decrypted it, for
	// a message of an encrypted room (required there).
	Plaintext string `json:"plaintext,omitempty"`
}

type ListReportsRequest struct {
	Cursor string `json:"cursor,omitempty"`
}

// Resolutions of a report.
const (
	ResolveDismiss = "dismiss"
	ResolveDelete  = "delete"
	ResolveMute    = "mute"
	ResolveBan     = "ban"
	// ResolutionChannelDeleted is set by the server, not asked for: the
	// open reports of a channel an admin deletes leave the queue with it.
	ResolutionChannelDeleted = "channelDeleted"
)

type ResolveReportRequest struct {
	ReportID string `json:"reportId"`
	// Resolution is dismiss, delete (the message), mute (its sender, for
	// Minutes, default 60) or ban (its sender from the room).
	Resolution string `json:"resolution"`
	Minutes    int    `json:"minutes,omitempty"`
}

type ListAuditRequest struct {
	Cursor string `json:"cursor,omitempty"`
}

// MemberUpdatedEvent tells a room that a member's role or mute changed.
type MemberUpdatedEvent struct {
	Head
	RoomID string     `json:"roomId"`
	Member MemberInfo `json:"member"`
}

// BanInfo is a ban with the banned person's profile.
type BanInfo struct {
	chat.Ban
	User chat.Profile `json:"user"`
}

type BansEvent struct {
	Head
	RoomID string    `json:"roomId"`
	Bans   []BanInfo `json:"bans"`
}

// ReportInfo is a report as moderators see it: the message as reported,
// the room's name, and the messages around it now.
type ReportInfo struct {
	chat.Report
	RoomName string         `json:"roomName,omitempty"`
	Context  []chat.Message `json:"context"` // oldest first, the reported one included when it still exists
}

type ReportEvent struct {
	Head
	Report ReportInfo `json:"report"`
}

type ReportsEvent struct {
	Head
	Reports []ReportInfo `json:"reports"`
	Cursor  string       `json:"cursor,omitempty"`
}

type AuditEvent struct {
	Head
	Entries []chat.AuditEntry `json:"entries"`
	Cursor  string            `json:"cursor,omitempty"`
}
