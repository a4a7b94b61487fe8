package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Threads (issue 14). A reply is sent with sendMessage and ParentSeq
// (ToRoom: also into the room's timeline).
const (
	ActionThreadHistory  = "threadHistory"
	ActionFollowThread   = "followThread"
	ActionMarkThreadRead = "markThreadRead"
	ActionListThreads    = "listThreads"
)

const (
	EventThreadHistory = "threadHistory"
	EventThreadFollow  = "threadFollow"
	EventThreads       = "threads"
)

// ThreadPageSize is a thread page's default size.
const ThreadPageSize = 50

// ThreadHistoryRequest pages back through the replies to ParentSeq:
// Before 0 starts at the newest.
type ThreadHistoryRequest struct {
	RoomID    string `json:"roomId"`
	ParentSeq int64  `json:"parentSeq"`
	Before    int64  `json:"before,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// ThreadHistoryEvent answers threadHistory: the parent as it is now and a
// page of replies, newest first; HasMore: ask again with Before.
type ThreadHistoryEvent struct {
	Head
	RoomID    string         `json:"roomId"`
	ParentSeq int64          `json:"parentSeq"`
	Parent    chat.Message   `json:"parent"`
	Messages  []chat.Message `json:"messages"`
	HasMore   bool           `json:"hasMore"`
	Before    int64          `json:"before,omitempty"`
	// Following and ReadSeq: the caller's follow of the thread.
	Following bool  `json:"following"`
	ReadSeq   int64 `json:"readSeq,omitempty"`
}

// FollowThreadRequest follows (Follow) or unfollows a thread.
type FollowThreadRequest struct {
	RoomID    string `json:"roomId"`
	ParentSeq int64  `json:"parentSeq"`
	Follow    bool   `json:"follow"`
}

// MarkThreadReadRequest moves the caller's read position in a thread they
// follow to Seq (never back).
type MarkThreadReadRequest struct {
	RoomID    string `json:"roomId"`
	ParentSeq int64  `json:"parentSeq"`
	Seq       int64  `json:"seq"`
}

// ThreadFollowEvent answers followThread and markThreadRead.
type ThreadFollowEvent struct {
	Head
	RoomID    string `json:"roomId"`
	ParentSeq int64  `json:"parentSeq"`
	Following bool   `json:"following"`
	ReadSeq   int64  `json:"readSeq,omitempty"`
}

// ThreadItem is one followed thread: its parent as it is now, the
// caller's read position and how many replies by others are unread (up to
// ThreadUnreadCap).
type ThreadItem struct {
	RoomID    string       `json:"roomId"`
	ParentSeq int64        `json:"parentSeq"`
	Parent    chat.Message `json:"parent"`
	ReadSeq   int64        `json:"readSeq"`
	Unread    int          `json:"unread"`
}

// ThreadUnreadCap is where a thread's unread count stops.
const ThreadUnreadCap = 100

// ThreadsEvent answers listThreads: followed threads, latest reply first.
type ThreadsEvent struct {
	Head
	Threads []ThreadItem `json:"threads"`
}
