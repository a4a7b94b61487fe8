package dynamo

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// The stored shape of every entity. Times are RFC 3339 strings with
// nanoseconds in UTC (they sort as text); ttl is epoch seconds, as DynamoDB
// TTL requires. Optional attributes are omitted rather than stored empty.

// connItem is a connection: pk CONN#<connId>, sk META.
type connItem struct {
	PK           string `dynamo:"pk"`
	SK           string `dynamo:"sk"`
	ConnectionID string `dynamo:"connectionId"`
	UserID       string `dynamo:"userId"`
	Username     string `dynamo:"username,omitempty"`
	DisplayName  string `dynamo:"displayName,omitempty"`
	// No email (issue #15, data minimisation): nothing authorizes from
	// it; NameFromEmail is the one fact a later action needs from it.
	NameFromEmail bool      `dynamo:"nameFromEmail,omitempty"`
	Groups        []string  `dynamo:"groups,omitempty"`
	ConnectedAt   time.Time `dynamo:"connectedAt"`
	// ConnectedMs is connectedAt in Unix milliseconds, a number the
	// gone-cleanup's condition compares (DeleteConnectionIfConnectedBefore).
	ConnectedMs int64 `dynamo:"connectedMs,omitempty"`
	// TokenExp is the exp (Unix seconds) of the token that opened the
	// connection; 0 when unknown.
	TokenExp int64 `dynamo:"tokenExp,omitempty"`
	TTL      int64 `dynamo:"ttl"`
	// WidgetID: a visitor's support widget (issue 17).
	WidgetID string `dynamo:"widgetId,omitempty"`
	// CallID: the call the connection last started or joined (issue 18;
	// SetConnectionCall), read by $disconnect to leave it.
	CallID string `dynamo:"callId,omitempty"`
	// DeviceID: the encryption device the connection registered (issue
	// 19; SetConnectionDevice), also on its user link.
	DeviceID string `dynamo:"deviceId,omitempty"`
}

// attrConnectedMs is connItem.ConnectedMs's attribute.
const attrConnectedMs = "connectedMs"

func (it connItem) connection() chat.Connection {
	c := chat.Connection{
		ID: it.ConnectionID,
		Identity: chat.Identity{
			UserID:        it.UserID,
			Username:      it.Username,
			DisplayName:   it.DisplayName,
			Groups:        it.Groups,
			NameFromEmail: it.NameFromEmail,
			WidgetID:      it.WidgetID,
		},
		ConnectedAt: it.ConnectedAt,
		ExpiresAt:   time.Unix(it.TTL, 0).UTC(),
		CallID:      it.CallID,
		DeviceID:    it.DeviceID,
	}
	if it.TokenExp > 0 {
		c.TokenExpiresAt = time.Unix(it.TokenExp, 0).UTC()
	}
	return c
}

// userConnItem links a user to a connection: pk USER#<userId>, sk CONN#<connId>.
type userConnItem struct {
	PK           string `dynamo:"pk"`
	SK           string `dynamo:"sk"`
	ConnectionID string `dynamo:"connectionId"`
	TTL          int64  `dynamo:"ttl"`
}

// roomConnItem is one connection of one member of a room, the item the
// fan-out queries: pk ROOMCONN#<roomId>[#<shard>] (see RoomConnShards),
// sk <connId>.
type roomConnItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"` // the connection id
	UserID string `dynamo:"userId"`
	TTL    int64  `dynamo:"ttl"`
}

// profileItem is a user's profile: pk USER#<userId>, sk PROFILE, listed by
// gsi1 (USERS, <userId>). Online is derived by the domain, never stored.
type profileItem struct {
	PK          string `dynamo:"pk"`
	SK          string `dynamo:"sk"`
	GSI1PK      string `dynamo:"gsi1pk"`
	GSI1SK      string `dynamo:"gsi1sk"`
	UserID      string `dynamo:"userId"`
	Username    string `dynamo:"username,omitempty"`
	DisplayName string `dynamo:"displayName,omitempty"`
	Handle      string `dynamo:"handle,omitempty"`
	AvatarColor string `dynamo:"avatarColor,omitempty"`
	AvatarKey   string `dynamo:"avatarKey,omitempty"`
	// AvatarVer and AvatarVerKey: the version of the picture checked when
	// it was set, and which key it is of (SetAvatarVersion).
	AvatarVer    string    `dynamo:"avatarVer,omitempty"`
	AvatarVerKey string    `dynamo:"avatarVerKey,omitempty"`
	LastSeen     time.Time `dynamo:"lastSeen,omitempty"`
	CreatedAt    time.Time `dynamo:"createdAt"`
	// DeactivatedAt is set while an admin has deactivated the person.
	DeactivatedAt time.Time `dynamo:"deactivatedAt,omitempty"`
	// HidePresence and HideReceipts mirror the person's privacy settings
	// (SetProfilePrivacy) for the listings that show them to others.
	HidePresence bool `dynamo:"hidePresence,omitempty"`
	HideReceipts bool `dynamo:"hideReceipts,omitempty"`
	// Deleted marks the tombstone an erasure leaves (see erasure.go).
	Deleted bool `dynamo:"deleted,omitempty"`
	// Bot marks a bot account's profile (bots.go).
	Bot bool `dynamo:"bot,omitempty"`
	// ErasedAt: on a tombstone, when its erasure finished (MarkErased);
	// absent while the erasure runs (erasuremark.go).
	ErasedAt time.Time `dynamo:"erasedAt,omitempty"`
}

func newProfileItem(p chat.Profile) profileItem {
	return profileItem{
		PK: userPK(p.UserID), SK: skProfile,
		GSI1PK: gsiUsers, GSI1SK: p.UserID,
		UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Handle: p.Handle,
		AvatarColor: p.AvatarColor, AvatarKey: p.AvatarKey,
		LastSeen: utc(p.LastSeen), CreatedAt: utc(p.CreatedAt),
		HidePresence: p.HidePresence, HideReceipts: p.HideReceipts,
		Bot: p.Bot,
	}
}

func (it profileItem) profile() chat.Profile {
	return chat.Profile{
		UserID: it.UserID, Username: it.Username, DisplayName: it.DisplayName, Handle: it.Handle,
		AvatarColor: it.AvatarColor, AvatarKey: it.AvatarKey,
		AvatarVersion: it.AvatarVer, AvatarVersionKey: it.AvatarVerKey,
		LastSeen: it.LastSeen, CreatedAt: it.CreatedAt,
		Deactivated:  !it.DeactivatedAt.IsZero() || it.Deleted,
		Deleted:      it.Deleted,
		HidePresence: it.HidePresence, HideReceipts: it.HideReceipts,
		Bot: it.Bot,
	}
}

// roomItem is a room: pk ROOM#<roomId>, sk META. Public rooms also carry
// gsi1 (PUBLIC, <lower name>#<roomId>); other rooms have no gsi1pk, so the
// index stays sparse. The message counter lives in roomSeqItem.
type roomItem struct {
	PK          string    `dynamo:"pk"`
	SK          string    `dynamo:"sk"`
	GSI1PK      string    `dynamo:"gsi1pk,omitempty"`
	GSI1SK      string    `dynamo:"gsi1sk,omitempty"`
	RoomID      string    `dynamo:"roomId"`
	Kind        string    `dynamo:"kind"`
	Name        string    `dynamo:"name,omitempty"`
	Topic       string    `dynamo:"topic,omitempty"`
	CreatedBy   string    `dynamo:"createdBy,omitempty"`
	CreatedAt   time.Time `dynamo:"createdAt"`
	MemberCount int       `dynamo:"memberCount"`
	MemberIDs   []string  `dynamo:"memberIds,omitempty"`
	// Archived rooms leave the PUBLIC index (hidden from browse).
	Archived bool `dynamo:"archived,omitempty"`
	// Deleted: the channel was deleted (DeleteRoom) and its items are being
	// purged (PurgeRoom); the store treats it as missing. PurgePass counts
	// the purge's continuations: each increment is a stream record that
	// invokes the purger again.
	Deleted   bool      `dynamo:"deleted,omitempty"`
	DeletedBy string    `dynamo:"deletedBy,omitempty"`
	DeletedAt time.Time `dynamo:"deletedAt,omitempty"`
	PurgePass int       `dynamo:"purgePass,omitempty"`
	// MembersPin: every member may pin (chat.Room.MembersCanPin).
	MembersPin bool `dynamo:"membersPin,omitempty"`
	// Ret: the room's retention in days (chat.Room.RetentionDays; absent:
	// the workspace's default).
	Ret *int `dynamo:"ret,omitempty"`
	// RestampPass counts the re-stamp's continuations and RestampFrom is
	// where the next starts (ContinueRestamp): each increment is a stream
	// record that invokes the re-stamp again.
	RestampPass int   `dynamo:"rsp,omitempty"`
	RestampFrom int64 `dynamo:"rsf,omitempty"`
	// WorkspaceRestampPass and WorkspaceRestampCursor: on #general's META
	// only, the workspace default's re-stamp job (ContinueWorkspaceRestamp):
	// each increment is a stream record that runs its next page of rooms.
	WorkspaceRestampPass   int    `dynamo:"wrp,omitempty"`
	WorkspaceRestampCursor string `dynamo:"wrc,omitempty"`
	// TranscriptN counts a support room's transcript requests
	// (RequestTranscript, supporthours.go): each increment is a stream
	// record that mails one. TranscriptTo and TranscriptLang say where and
	// how; the mailer removes the address once sent.
	TranscriptN    int    `dynamo:"trn,omitempty"`
	TranscriptTo   string `dynamo:"trto,omitempty"`
	TranscriptLang string `dynamo:"trl,omitempty"`
	// End-to-end encryption (issue #19): an encrypted room (set at
	// creation, never changed), the newest epoch whose key was shared,
	// and whether the next sender must make a new one (e2ee_roomkeys.go).
	Encrypted bool `dynamo:"e2ee,omitempty"`
	KeyEpoch  int  `dynamo:"keyEpoch,omitempty"`
	RotateKey bool `dynamo:"rotateKey,omitempty"`
}

func newRoomItem(r chat.Room) roomItem {
	it := roomItem{
		PK: roomPK(r.ID), SK: skMeta,
		RoomID: r.ID, Kind: string(r.Kind), Name: r.Name, Topic: r.Topic,
		CreatedBy: r.CreatedBy, CreatedAt: utc(r.CreatedAt),
		MemberCount: r.MemberCount, MemberIDs: r.MemberIDs, Archived: r.Archived,
		MembersPin: r.MembersCanPin,
		Encrypted:  r.Encrypted, KeyEpoch: r.KeyEpoch, RotateKey: r.RotateKey,
	}
	if r.Kind == chat.KindPublic && !r.Archived {
		it.GSI1PK, it.GSI1SK = gsiPublic, publicRoomGSISK(r.Name, r.ID)
	}
	return it
}

func (it roomItem) room() chat.Room {
	return chat.Room{
		ID: it.RoomID, Kind: chat.RoomKind(it.Kind), Name: it.Name, Topic: it.Topic,
		CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt,
		MemberCount: it.MemberCount, MemberIDs: it.MemberIDs, Archived: it.Archived,
		MembersCanPin: it.MembersPin, RetentionDays: it.Ret,
		Encrypted: it.Encrypted, KeyEpoch: it.KeyEpoch, RotateKey: it.RotateKey,
	}
}

// roomSeqItem is a room's message counter: pk ROOM#<roomId>, sk META#SEQ,
// the last seq handed out; and its change counter (the last change
// numbered, see RecordChange) and pinned messages (a number set).
type roomSeqItem struct {
	PK      string  `dynamo:"pk"`
	SK      string  `dynamo:"sk"`
	LastSeq int64   `dynamo:"lastSeq"`
	LastChg int64   `dynamo:"lastChg,omitempty"`
	Pins    []int64 `dynamo:"pins,set,omitempty"`
}

// memberItem is a membership: pk ROOM#<roomId>, sk MEMBER#<userId>, and
// gsi1 (MEMBER#<userId>, ROOM#<roomId>) for a user's rooms.
type memberItem struct {
	PK       string    `dynamo:"pk"`
	SK       string    `dynamo:"sk"`
	GSI1PK   string    `dynamo:"gsi1pk"`
	GSI1SK   string    `dynamo:"gsi1sk"`
	RoomID   string    `dynamo:"roomId"`
	UserID   string    `dynamo:"userId"`
	Role     string    `dynamo:"role"`
	JoinedAt time.Time `dynamo:"joinedAt"`
	ReadSeq  int64     `dynamo:"readSeq"`
	// MutedUntil is omitted when the member was never muted or the mute
	// was lifted.
	MutedUntil time.Time `dynamo:"mutedUntil,omitempty"`
	// KeyEpochFrom: the first key epoch of an encrypted room the member
	// may hold (absent: every one).
	KeyEpochFrom int `dynamo:"keyEpochFrom,omitempty"`
}

func newMemberItem(m chat.Member) memberItem {
	return memberItem{
		PK: roomPK(m.RoomID), SK: memberSK(m.UserID),
		GSI1PK: memberGSIPK(m.UserID), GSI1SK: roomPK(m.RoomID),
		RoomID: m.RoomID, UserID: m.UserID, Role: string(m.Role),
		JoinedAt: utc(m.JoinedAt), ReadSeq: m.ReadSeq, MutedUntil: utc(m.MutedUntil),
		KeyEpochFrom: m.KeyEpochFrom,
	}
}

func (it memberItem) member() chat.Member {
	return chat.Member{
		RoomID: it.RoomID, UserID: it.UserID, Role: chat.Role(it.Role),
		JoinedAt: it.JoinedAt, ReadSeq: it.ReadSeq, MutedUntil: it.MutedUntil,
		KeyEpochFrom: it.KeyEpochFrom,
	}
}

// messageItem is a message: pk MSG#<roomId>, sk <seq, 20 digits>.
type messageItem struct {
	PK          string           `dynamo:"pk"`
	SK          string           `dynamo:"sk"`
	RoomID      string           `dynamo:"roomId"`
	Seq         int64            `dynamo:"seq"`
	ClientID    string           `dynamo:"clientId,omitempty"`
	SenderID    string           `dynamo:"senderId"`
	SenderName  string           `dynamo:"senderName,omitempty"`
	Text        string           `dynamo:"text,omitempty"`
	Mentions    []string         `dynamo:"mentions,omitempty"`
	Attachments []attachmentItem `dynamo:"attachments,omitempty"`
	Gif         *gifItem         `dynamo:"gif,omitempty"`
	// Integration marks an integration's message (webhooks.go).
	Integration *messageIntegrationItem `dynamo:"intg,omitempty"`
	CreatedAt   time.Time               `dynamo:"createdAt"`
	EditedAt    time.Time               `dynamo:"editedAt,omitempty"`
	Deleted     bool                    `dynamo:"deleted,omitempty"`
	DeletedBy   string                  `dynamo:"deletedBy,omitempty"`
	System      *systemItem             `dynamo:"system,omitempty"`
	// Reactions in first-used order, replaced whole under the version RV
	// (React): an optimistic lock, so concurrent reactions never lose one.
	Reactions []reactionItem `dynamo:"rx,omitempty"`
	RV        int64          `dynamo:"rv,omitempty"`
	PinnedBy  string         `dynamo:"pinnedBy,omitempty"`
	PinnedAt  time.Time      `dynamo:"pinnedAt,omitempty"`
	// Poll of a poll message; its votes are one map entry per voter,
	// written by Vote alone (polls.go).
	Poll *pollItem `dynamo:"poll,omitempty"`
	// A thread reply: its parent, whether it was also sent to the room,
	// and its entry in the sparse thread index (gsi1 THR#<roomId>#<parent20>,
	// <seq20>; threads.go).
	ParentSeq int64  `dynamo:"parentSeq,omitempty"`
	ToRoom    bool   `dynamo:"toRoom,omitempty"`
	GSI1PK    string `dynamo:"gsi1pk,omitempty"`
	GSI1SK    string `dynamo:"gsi1sk,omitempty"`
	// Thread is a parent's summary of its replies (AddThreadReply).
	Thread *threadItem `dynamo:"thr,omitempty"`
	// Link previews (lp), the links the sender removed (lpx) and their
	// version (lpv), written by UpdateLinkPreviews only.
	Previews        []previewItem `dynamo:"lp,omitempty"`
	PreviewsRemoved []string      `dynamo:"lpx,omitempty"`
	PreviewsVersion int64         `dynamo:"lpv,omitempty"`
	// TTL: the message's expiry under its room's retention (epoch
	// seconds; absent: kept forever). See retention.go.
	TTL int64 `dynamo:"ttl,omitempty"`
	// Internal: a support agent's internal note (issue 17).
	Internal bool `dynamo:"internal,omitempty"`
	// Enc: the ciphertext of a message in an end-to-end encrypted room.
	Enc *encryptedItem `dynamo:"enc,omitempty"`
}

// encryptedItem is a chat.EncryptedContent.
type encryptedItem struct {
	V      int    `dynamo:"v"`
	Epoch  int    `dynamo:"epoch"`
	Device string `dynamo:"device"`
	IV     string `dynamo:"iv"`
	CT     string `dynamo:"ct"`
}

func newEncryptedItem(e *chat.EncryptedContent) *encryptedItem {
	if e == nil {
		return nil
	}
	it := encryptedItem(*e)
	return &it
}

func (it *encryptedItem) content() *chat.EncryptedContent {
	if it == nil {
		return nil
	}
	e := chat.EncryptedContent(*it)
	return &e
}

// reactionItem is one emoji (e) of a message's reactions and who (u).
type reactionItem struct {
	Emoji   string   `dynamo:"e"`
	UserIDs []string `dynamo:"u"`
}

func reactionItems(rs []chat.Reaction) []reactionItem {
	out := make([]reactionItem, 0, len(rs))
	for _, r := range rs {
		out = append(out, reactionItem{Emoji: r.Emoji, UserIDs: r.UserIDs})
	}
	return out
}

type systemItem struct {
	Kind     string   `dynamo:"kind"`
	UserIDs  []string `dynamo:"userIds,omitempty"`
	Name     string   `dynamo:"name,omitempty"`
	Topic    string   `dynamo:"topic,omitempty"`
	RoomKind string   `dynamo:"roomKind,omitempty"`
	Role     string   `dynamo:"role,omitempty"`
}

type attachmentItem struct {
	Key      string `dynamo:"key"`
	Name     string `dynamo:"name,omitempty"`
	Size     int64  `dynamo:"size"`
	Type     string `dynamo:"type,omitempty"`
	Width    int    `dynamo:"width,omitempty"`
	Height   int    `dynamo:"height,omitempty"`
	ThumbKey string `dynamo:"thumbKey,omitempty"`
	// SHA256 and VersionID pin the attachment to the bytes checked at send.
	SHA256    string `dynamo:"sha256,omitempty"`
	VersionID string `dynamo:"versionId,omitempty"`
}

func newMessageItem(m chat.Message) messageItem {
	it := messageItem{
		PK: msgPK(m.RoomID), SK: seqSK(m.Seq),
		RoomID: m.RoomID, Seq: m.Seq, ClientID: m.ClientID,
		SenderID: m.SenderID, SenderName: m.SenderName, Text: m.Text,
		Mentions: m.Mentions, CreatedAt: utc(m.CreatedAt), EditedAt: utc(m.EditedAt),
		Deleted: m.Deleted, DeletedBy: m.DeletedBy,
		PinnedBy: m.PinnedBy, PinnedAt: utc(m.PinnedAt),
		Gif: newGifItem(m.Gif), Integration: newMessageIntegrationItem(m.Integration),
		Internal: m.Internal, Enc: newEncryptedItem(m.Encrypted),
	}
	if !m.ExpiresAt.IsZero() {
		it.TTL = m.ExpiresAt.Unix()
	}
	if len(m.Reactions) > 0 {
		it.Reactions = reactionItems(m.Reactions)
	}
	if m.Poll != nil {
		it.Poll = newPollItem(*m.Poll)
	}
	for _, a := range m.Attachments {
		it.Attachments = append(it.Attachments, attachmentItem(a))
	}
	if m.ParentSeq > 0 {
		it.ParentSeq, it.ToRoom = m.ParentSeq, m.ToRoom
		it.GSI1PK, it.GSI1SK = threadGSIPK(m.RoomID, m.ParentSeq), seqSK(m.Seq)
	}
	if m.Thread != nil {
		it.Thread = newThreadItem(*m.Thread)
	}
	if l := m.System; l != nil {
		it.System = &systemItem{Kind: string(l.Kind), UserIDs: l.UserIDs, Name: l.Name, Topic: l.Topic, RoomKind: string(l.RoomKind), Role: string(l.Role)}
	}
	return it
}

func (it messageItem) message() chat.Message {
	m := chat.Message{
		RoomID: it.RoomID, Seq: it.Seq, ClientID: it.ClientID,
		SenderID: it.SenderID, SenderName: it.SenderName, Text: it.Text,
		Mentions: it.Mentions, CreatedAt: it.CreatedAt, EditedAt: it.EditedAt,
		Deleted: it.Deleted, DeletedBy: it.DeletedBy,
		PinnedBy: it.PinnedBy, PinnedAt: it.PinnedAt,
		Gif: it.Gif.gif(), Integration: it.Integration.messageIntegration(),
		Internal: it.Internal, Encrypted: it.Enc.content(),
	}
	if it.TTL > 0 {
		m.ExpiresAt = time.Unix(it.TTL, 0).UTC()
	}
	for _, r := range it.Reactions {
		m.Reactions = append(m.Reactions, chat.Reaction{Emoji: r.Emoji, UserIDs: r.UserIDs})
	}
	if it.Poll != nil {
		p := it.Poll.poll()
		m.Poll = &p
	}
	for _, p := range it.Previews {
		m.Previews = append(m.Previews, chat.LinkPreview(p))
	}
	m.PreviewsRemoved, m.PreviewsVersion = it.PreviewsRemoved, it.PreviewsVersion
	for _, a := range it.Attachments {
		m.Attachments = append(m.Attachments, chat.Attachment(a))
	}
	m.ParentSeq, m.ToRoom = it.ParentSeq, it.ToRoom
	if it.Thread != nil {
		t := it.Thread.summary()
		m.Thread = &t
	}
	if l := it.System; l != nil {
		m.System = &chat.SystemLine{Kind: chat.SystemKind(l.Kind), UserIDs: l.UserIDs, Name: l.Name, Topic: l.Topic, RoomKind: chat.RoomKind(l.RoomKind), Role: chat.Role(l.Role)}
	}
	return m
}

// clientItem makes an append idempotent: pk MSG#<roomId>,
// sk CLIENT#<senderId>#<clientId>, pointing at the message's seq.
type clientItem struct {
	PK  string `dynamo:"pk"`
	SK  string `dynamo:"sk"`
	Seq int64  `dynamo:"seq"`
	TTL int64  `dynamo:"ttl,omitempty"` // the message's (retention.go)
}

// nameIndexItem indexes a user under one key of their names for mentions:
// pk UNAME#<chat.NameKey(name)>, sk <userId>, with the names (username,
// display name and handle).
type nameIndexItem struct {
	PK          string `dynamo:"pk"`
	SK          string `dynamo:"sk"`
	UserID      string `dynamo:"userId"`
	Username    string `dynamo:"username,omitempty"`
	DisplayName string `dynamo:"displayName,omitempty"`
	Handle      string `dynamo:"handle,omitempty"`
}

// nameIndexItems are the index items of a profile: one per distinct
// mention key (UNAME#…), then one per folded word of the display name and
// the handle for people search (UWORD#…, wordIndexPK; not the username,
// which may be an email address).
func nameIndexItems(p chat.Profile) []nameIndexItem {
	var out []nameIndexItem
	for _, k := range chat.NameKeys(p.Username, p.DisplayName, p.Handle) {
		out = append(out, nameIndexItem{PK: unamePK(k), SK: p.UserID, UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Handle: p.Handle})
	}
	for _, w := range search.NameWords(p.DisplayName, p.Handle) {
		out = append(out, nameIndexItem{PK: wordIndexPK(w), SK: wordIndexSK(w, p.UserID), UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Handle: p.Handle})
	}
	return out
}

// itemKey is an item's primary key as one string (pk, NUL, sk).
func (it nameIndexItem) key() string { return it.PK + "\x00" + it.SK }

// rateItem counts events of one key in one window: pk RATE#<key>,
// sk <window start, unix millis>.
type rateItem struct {
	N int `dynamo:"n"`
}

// utc normalises a time for storage; the zero time stays zero so omitempty
// drops it.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
