package chat

import (
	"context"
	"slices"
	"time"
)

// Threads (issue 14): a reply is a message of the room's partition with
// ParentSeq set; it has a seq from the room's counter like any message,
// but shows in the room's timeline (history, resume, unread counts) only
// when it was also sent to the room (ToRoom). The parent carries a
// summary (Thread), changed through the room's change log like every
// other change to a stored message.

// MaxRepliers is how many of the last repliers a thread summary keeps
// (the avatars beside the reply count).
const MaxRepliers = 3

// ThreadSummary is what a thread's parent message shows.
type ThreadSummary struct {
	// Replies counts the replies that are not deleted (a deleted reply
	// keeps its tombstone in the thread's paging, but not its count:
	// WithoutReply).
	Replies int `json:"replies"`
	// LastSeq and LastAt are the newest reply's seq and time, and Repliers
	// the last MaxRepliers distinct repliers, newest first: the thread's
	// activity, which a deletion does not undo (WithoutReply).
	LastSeq  int64     `json:"lastSeq"`
	LastAt   time.Time `json:"lastAt"`
	Repliers []string  `json:"repliers"`
}

// WithReply returns the summary with reply added (t itself is not
// changed): the count, the newest reply and its sender first among the
// repliers. A reply older than the newest one (two replies racing) still
// counts but does not move LastSeq back.
func (t *ThreadSummary) WithReply(reply Message) ThreadSummary {
	var out ThreadSummary
	if t != nil {
		out = *t
		out.Repliers = slices.Clone(t.Repliers)
	}
	out.Replies++
	if reply.Seq > out.LastSeq {
		out.LastSeq, out.LastAt = reply.Seq, reply.CreatedAt
		out.Repliers = slices.DeleteFunc(out.Repliers, func(u string) bool { return u == reply.SenderID })
		out.Repliers = append([]string{reply.SenderID}, out.Repliers...)
	} else if !slices.Contains(out.Repliers, reply.SenderID) {
		out.Repliers = append(out.Repliers, reply.SenderID)
	}
	if len(out.Repliers) > MaxRepliers {
		out.Repliers = out.Repliers[:MaxRepliers]
	}
	return out
}

// WithoutReply returns the summary with one reply fewer: a reply was
// deleted (never below zero). LastSeq, LastAt and Repliers stay: they are
// the thread's activity, the deleted reply's tombstone stays in the
// thread's paging where they lead, and finding the newest live reply
// would be a Query of the eventually consistent thread index, which may
// miss a reply stored a moment before (docs/ARCHITECTURE.md "Threads").
func (t *ThreadSummary) WithoutReply() ThreadSummary {
	var out ThreadSummary
	if t != nil {
		out = *t
		out.Repliers = slices.Clone(t.Repliers)
	}
	out.Replies = max(out.Replies-1, 0)
	return out
}

// InTimeline says whether m shows in its room's main timeline: every
// message but a reply not also sent to the room.
func (m Message) InTimeline() bool { return m.ParentSeq == 0 || m.ToRoom }

// ThreadFollow is one person following one thread: the parent's author,
// everyone who replied and everyone mentioned in a reply. ReadSeq is the
// newest reply they have read.
type ThreadFollow struct {
	RoomID    string    `json:"roomId"`
	ParentSeq int64     `json:"parentSeq"`
	UserID    string    `json:"userId"`
	ReadSeq   int64     `json:"readSeq"`
	Since     time.Time `json:"since"`
}

// MaxFollowedThreads bounds listThreads: the followed threads it reads.
const MaxFollowedThreads = 200

// ThreadStore keeps threads: the parent's summary, the replies' own
// paging and who follows what.
type ThreadStore interface {
	// AddThreadReply stores reply (already appended, with its seq) in the
	// summary of its parent, whose stored state the caller read as parent:
	// an optimistic lock on the summary, re-read and retried on a race.
	// Returns the parent as stored. NotFound without the parent, Conflict
	// if it was deleted meanwhile.
	AddThreadReply(ctx context.Context, parent Message, reply Message) (Message, error)
	// RemoveThreadReply takes a deleted reply out of its parent's count
	// (ThreadSummary.WithoutReply): a consistent read of the parent, then
	// a write under an optimistic lock on the count, re-read and retried on
	// a race. A deleted parent keeps its thread, so it is changed too.
	// Returns the parent as stored and whether it changed (not when it has
	// no summary or a count of 0). NotFound without the parent.
	RemoveThreadReply(ctx context.Context, roomID string, parentSeq int64) (Message, bool, error)
	// ThreadReplies pages back through a thread: up to limit replies with
	// seq < before (0: the newest), newest first, and whether older ones
	// exist.
	ThreadReplies(ctx context.Context, roomID string, parentSeq, before int64, limit int) ([]Message, bool, error)
	// ThreadFollowers lists who follows a thread. Strongly consistent.
	ThreadFollowers(ctx context.Context, roomID string, parentSeq int64) ([]ThreadFollow, error)
	// FollowThread starts f (kept as it is if it exists: no change to its
	// ReadSeq) and reports whether it was new.
	FollowThread(ctx context.Context, f ThreadFollow) (bool, error)
	// UnfollowThread stops following; not following is not an error.
	UnfollowThread(ctx context.Context, roomID string, parentSeq int64, userID string) error
	// MarkThreadRead moves a follow's ReadSeq forward to seq (never back)
	// and reports whether it moved. NotFound when userID does not follow.
	MarkThreadRead(ctx context.Context, roomID string, parentSeq int64, userID string, seq int64) (bool, error)
	// FollowedThreads lists up to MaxFollowedThreads threads userID
	// follows, in no particular order.
	FollowedThreads(ctx context.Context, userID string) ([]ThreadFollow, error)
	// ThreadUnread counts a thread's replies after seq by others than
	// userID, up to limit.
	ThreadUnread(ctx context.Context, roomID string, parentSeq, after int64, userID string, limit int) (int, error)
}

// EventThreadUpdated is an in-process event only (like
// EventMessageReacted): a thread's parent changed its summary.
const EventThreadUpdated EventType = "thread.updated"

// ThreadUpdated: a reply changed the summary of its parent (Parent, as
// stored), numbered Chg in the room's change log.
type ThreadUpdated struct {
	Actor  Actor
	Parent Message
	Chg    int64
}

func (ThreadUpdated) Type() EventType { return EventThreadUpdated }
