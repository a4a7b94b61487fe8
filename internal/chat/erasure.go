package chat

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DeletedUserName is the name a deleted account shows everywhere: the
// tombstone profile's display name and, under the anonymise policy, the
// sender name of the messages kept.
const DeletedUserName = "Deleted user"

// DeletedActor replaces a deleted person's id in the audit log.
const DeletedActor = "deleted"

// ErasurePolicy is the workspace's choice, made at deploy time (CDK
// context erasurePolicy, env ERASURE_POLICY), of what happens to a
// deleted person's messages.
type ErasurePolicy string

const (
	// ErasureErase (the default): each message becomes a tombstone like a
	// deleted message; its text, attachments, edit versions, search
	// postings and link previews go.
	ErasureErase ErasurePolicy = "erase"
	// ErasureAnonymise: the messages are kept with the sender "Deleted
	// user"; their attachments (the files are deleted) and edit versions go.
	ErasureAnonymise ErasurePolicy = "anonymise"
)

// ParseErasurePolicy reads a policy; "" is the default, erase.
func ParseErasurePolicy(s string) (ErasurePolicy, error) {
	switch p := ErasurePolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return ErasureErase, nil
	case ErasureErase, ErasureAnonymise:
		return p, nil
	case "anonymize":
		return ErasureAnonymise, nil
	}
	return "", fmt.Errorf("erasure policy %q: want erase or anonymise", s)
}

// ErasureJob is one account's erasure on the erasure queue. It carries
// only the user id (a random Cognito sub): never an email or a name, so
// the queue and its dead-letter queue hold no personal data. Cursor
// resumes a pass that ran out of time (the table's scan position).
type ErasureJob struct {
	UserID string `json:"userId"`
	Cursor string `json:"cursor,omitempty"`
	Pass   int    `json:"pass,omitempty"`
}

// ErasureQueue puts an erasure job on the queue (internal/erasure.Queue
// over SQS).
type ErasureQueue interface {
	EnqueueErasure(ctx context.Context, job ErasureJob) error
}

// ErasureResult counts what one pass over the table did.
type ErasureResult struct {
	Scanned  int
	Deleted  int
	Updated  int
	Messages []MessageRef // messages changed (their change is recorded)
	Cursor   string       // "" when the scan reached the end
}

// MessageRef names a stored message (and, from an erasure, the change
// number its change was recorded under).
type MessageRef struct {
	RoomID string
	Seq    int64
	Chg    int64
}

// ErasureStore is the table's part of an erasure (internal/dynamo): one
// pass of a consistent scan from cursor, handling every item that holds
// the user's id, until the end or until stop says so.
type ErasureStore interface {
	EraseUserItems(ctx context.Context, userID string, policy ErasurePolicy, cursor string, stop func() bool) (ErasureResult, error)
}

// ErasureMarker records that an erasure finished, and lists those that
// have not (a table restored to a point taken during one): the tombstone's
// erasedAt (internal/dynamo erasuremark.go; scripts/erasure-replay).
type ErasureMarker interface {
	// MarkErased records on userID's tombstone that its erasure finished.
	MarkErased(ctx context.Context, userID string, at time.Time) error
	// PartialErasures pages through the tombstones whose erasure has not
	// finished: their user ids, and the next page's cursor ("" at the end).
	PartialErasures(ctx context.Context, cursor string, limit int) ([]string, string, error)
}

// BlobLister lists a bucket's keys under a prefix, a page at a time
// (internal/s3blob).
type BlobLister interface {
	ListKeys(ctx context.Context, prefix string, page func(keys []string) error) error
}

// BlobVersionPurger deletes every stored version of the keys under prefix
// that match, delete markers included, and says how many it deleted. A
// versioned bucket keeps a deleted object's bytes as an old version (for
// 30 days: docs/OPERATIONS.md), so an erasure that only deleted the
// current objects would leave the person's files behind.
type BlobVersionPurger interface {
	PurgeVersions(ctx context.Context, prefix string, match func(key string) bool) (int, error)
}

// AccountDeleter deletes an account from the user pool
// (internal/cognitoadmin: AdminDeleteUser); a missing account is not an
// error.
type AccountDeleter interface {
	DeleteAccount(ctx context.Context, username string) error
}
