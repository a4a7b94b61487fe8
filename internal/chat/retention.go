package chat

import (
	"context"
	"time"
)

// Retention (issue 15): how long a room's messages are kept. The workspace
// has a default (WorkspaceSettings.RetentionDays: set by its admins, or at
// deploy time), a room may override it (Room.RetentionDays: set by its
// managers). A message's expiry is stamped when it is stored, from the
// room's effective retention (MessageExpiry); DynamoDB TTL removes the item
// (and what hangs off it) some time after, and every read leaves out what
// is past its expiry before that (Expired). 0 days keeps messages forever.

// MaxRetentionDays caps a retention (about ten years).
const MaxRetentionDays = 3650

// PendingUploadTTL is how long an upload that was never sent, and a
// replaced profile picture, is kept (an S3 lifecycle rule on the pending
// tag; locally the lifecycle sweep of internal/local/s3notify).
const PendingUploadTTL = 24 * time.Hour

// Object tags the lifecycle rules match.
const (
	// TagState is the tag key of an object's life state.
	TagState = "state"
	// TagPending marks an upload not yet sent, or a replaced profile
	// picture: expired by the bucket's lifecycle after PendingUploadTTL.
	TagPending = "pending"
)

// WorkspaceSettings are the workspace-wide settings its admins change
// in-app (getWorkspaceSettings, setWorkspaceSettings).
type WorkspaceSettings struct {
	// RetentionDays: messages are removed this many days after they were
	// sent, unless their room says otherwise; 0 keeps them forever.
	RetentionDays int       `json:"retentionDays"`
	UpdatedBy     string    `json:"updatedBy,omitempty"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
}

// CheckRetentionDays validates a retention in days.
func CheckRetentionDays(days int) error {
	if days < 0 || days > MaxRetentionDays {
		return Errorf(Invalid, "retentionDays must be between 0 (forever) and %d", MaxRetentionDays)
	}
	return nil
}

// EffectiveRetention is the room's retention: its own, or the workspace's.
func EffectiveRetention(room *int, workspace int) int {
	if room != nil {
		return *room
	}
	return workspace
}

// MessageExpiry is when a message stored at createdAt under a retention of
// days expires: zero for 0 days (kept forever).
func MessageExpiry(createdAt time.Time, days int) time.Time {
	if days <= 0 {
		return time.Time{}
	}
	return createdAt.Add(time.Duration(days) * 24 * time.Hour).UTC().Truncate(time.Second)
}

// Expired says whether something expiring at expiresAt (zero: never) is
// gone at now. Reads use it: TTL deletes items up to days after their
// expiry, and nothing past it may be shown meanwhile.
func Expired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}

// RetentionStore keeps the workspace settings and the rooms' retention.
type RetentionStore interface {
	// GetWorkspaceSettings returns the stored settings, and false when
	// none were ever stored (then the deploy-time default applies).
	GetWorkspaceSettings(ctx context.Context) (WorkspaceSettings, bool, error)
	// PutWorkspaceSettings stores the settings.
	PutWorkspaceSettings(ctx context.Context, ws WorkspaceSettings) error
	// SetRoomRetention sets (days non-nil) or clears (nil: the workspace's
	// default) a room's retention and returns the room. NotFound for an
	// unknown room.
	SetRoomRetention(ctx context.Context, roomID string, days *int) (Room, error)
	// RestampMessages sets the expiry of a room's messages (and their
	// idempotency items and edit versions) with seq in (afterSeq, ...]
	// to each message's createdAt + days (0: removes it), at most limit
	// messages; it returns the last seq it stamped and whether more are
	// left. The re-stamp job after a retention change.
	RestampMessages(ctx context.Context, roomID string, days int, afterSeq int64, limit int) (last int64, more bool, err error)
	// ContinueRestamp records where the re-stamp stopped (after seq from),
	// a change of the room's item whose stream record is the next pass's
	// cue (RoomRestamp).
	ContinueRestamp(ctx context.Context, roomID string, from int64) error
}

// EventRoomRestamp is not a domain event (not in EventTypes, never on the
// bus): the stream's cue to re-stamp a room's messages after its retention
// changed (internal/retention), and to go on where the last pass stopped.
const EventRoomRestamp EventType = "room.restamp"

// RoomRestamp: the room's retention changed (From 0), or the re-stamp's
// last pass stopped at From with messages left (Pass counts the passes).
type RoomRestamp struct {
	RoomID string
	From   int64
	Pass   int
}

func (RoomRestamp) Type() EventType { return EventRoomRestamp }

// EventWorkspaceRestamp is, like EventRoomRestamp, not a domain event: the
// stream's cue to go on with the workspace default's re-stamp (a page of
// rooms after Cursor; internal/retention).
const EventWorkspaceRestamp EventType = "workspace.restamp"

// WorkspaceRestamp: the workspace's default retention changed (Cursor ""),
// or the last page of rooms stopped at Cursor (Pass counts the pages).
type WorkspaceRestamp struct {
	Cursor string
	Pass   int
}

func (WorkspaceRestamp) Type() EventType { return EventWorkspaceRestamp }

// WorkspaceRestampStore is what the workspace default's re-stamp needs: a
// page of every room, and where the job stands (whose change is the next
// page's cue).
type WorkspaceRestampStore interface {
	// ContinueWorkspaceRestamp records that the job goes on from cursor
	// ("" starts it): a change whose stream record is the cue
	// (WorkspaceRestamp).
	ContinueWorkspaceRestamp(ctx context.Context, cursor string) error
	// RoomsPage returns the rooms of one page (up to limit items read)
	// after cursor ("" the first), not deleted, and the next page's cursor
	// ("" after the last).
	RoomsPage(ctx context.Context, cursor string, limit int) ([]Room, string, error)
}

// BlobLifecycle is what a BlobStore may offer for the pending-upload rule
// (internal/s3blob does): an upload is tagged TagState=TagPending when it
// is signed (PresignUpload), and the bucket's lifecycle deletes it after
// PendingUploadTTL unless it is kept: attached to a sent message, or made
// a profile picture. A replaced picture is discarded: tagged pending again.
type BlobLifecycle interface {
	// Keep removes the pending tag of keys (missing keys are skipped).
	Keep(ctx context.Context, keys []string) error
	// Discard tags keys pending: the lifecycle removes them within
	// PendingUploadTTL (missing keys are skipped).
	Discard(ctx context.Context, keys []string) error
	// Pending says whether key is tagged pending (NotFound when missing).
	Pending(ctx context.Context, key string) (bool, error)
}

// PendingTagging is the x-amz-tagging value of a pending upload.
const PendingTagging = TagState + "=" + TagPending
