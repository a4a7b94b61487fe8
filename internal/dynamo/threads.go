package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Threads (issue 14; docs/ARCHITECTURE.md "Threads").
//
//	reply    MSG#<roomId> / <seq20>: a message like any other, with
//	         parentSeq (toRoom when also sent to the room) and a sparse
//	         gsi1 entry THR#<roomId>#<parent20> / <seq20>: the thread's
//	         own paging (ThreadReplies)
//	parent   the same item with thr {n, last, at, u}: the summary
//	follow   MSG#<roomId> / THRF#<parent20>#<userId>, gsi1
//	         THRF#<userId> / <roomId>#<parent20>: who follows (the
//	         thread's partition range, consistent) and what I follow
//	         (gsi1); readSeq. In the room's message partition, so a
//	         channel's purge removes them with it.
//
// The room's timeline (MessagesBefore, MessagesAfter) leaves out replies
// not sent to the room with a filter (timelineFilter).

const (
	prefixThread       = "THR#"
	prefixThreadFollow = "THRF#"
)

func threadGSIPK(roomID string, parentSeq int64) string {
	return prefixThread + roomID + "#" + seqSK(parentSeq)
}

func followSK(parentSeq int64, userID string) string {
	return prefixThreadFollow + seqSK(parentSeq) + "#" + userID
}
func followGSIPK(userID string) string { return prefixThreadFollow + userID }
func followGSISK(roomID string, parentSeq int64) string {
	return roomID + "#" + seqSK(parentSeq)
}

// threadItem is a parent's summary (the message's thr attribute).
type threadItem struct {
	N    int       `dynamo:"n"`
	Last int64     `dynamo:"last"`
	At   time.Time `dynamo:"at"`
	U    []string  `dynamo:"u"`
}

func newThreadItem(t chat.ThreadSummary) *threadItem {
	return &threadItem{N: t.Replies, Last: t.LastSeq, At: utc(t.LastAt), U: t.Repliers}
}

func (it threadItem) summary() chat.ThreadSummary {
	return chat.ThreadSummary{Replies: it.N, LastSeq: it.Last, LastAt: it.At, Repliers: it.U}
}

type followItem struct {
	PK        string    `dynamo:"pk"`
	SK        string    `dynamo:"sk"`
	GSI1PK    string    `dynamo:"gsi1pk"`
	GSI1SK    string    `dynamo:"gsi1sk"`
	RoomID    string    `dynamo:"roomId"`
	ParentSeq int64     `dynamo:"parentSeq"`
	UserID    string    `dynamo:"userId"`
	ReadSeq   int64     `dynamo:"readSeq"`
	Since     time.Time `dynamo:"since"`
}

func (it followItem) follow() chat.ThreadFollow {
	return chat.ThreadFollow{RoomID: it.RoomID, ParentSeq: it.ParentSeq, UserID: it.UserID, ReadSeq: it.ReadSeq, Since: it.Since}
}

// AddThreadReply writes the parent's new summary under an optimistic lock
// on its count (thr.n as read; the first reply: no thr yet), after the
// caller's read of the parent; a race re-reads (consistently) and tries
// again, 6 times, then Conflict. One UpdateItem: the parent's size in WCU
// (about 1 for a chat line).
func (s *Store) AddThreadReply(ctx context.Context, parent chat.Message, reply chat.Message) (chat.Message, error) {
	ctx = withOp(ctx, "AddThreadReply")
	cur := parent
	for attempt := 0; ; attempt++ {
		if cur.Deleted {
			return chat.Message{}, errMessageDeleted(cur)
		}
		t := cur.Thread.WithReply(reply)
		u := s.table.Update(AttrPK, msgPK(parent.RoomID)).Range(AttrSK, seqSK(parent.Seq)).
			Set("thr", newThreadItem(t))
		if cur.Thread == nil {
			u.If("attribute_exists($) AND attribute_not_exists($) AND attribute_not_exists($)", AttrPK, "deleted", "thr")
		} else {
			u.If("attribute_exists($) AND attribute_not_exists($) AND $.$ = ?", AttrPK, "deleted", "thr", "n", cur.Thread.Replies)
		}
		var stored messageItem
		err := u.Value(ctx, &stored)
		if err == nil {
			return stored.message(), nil
		}
		if !isCondFailed(err) {
			return chat.Message{}, internal(err, "update thread")
		}
		if attempt == 5 || ctx.Err() != nil {
			return chat.Message{}, chat.Errorf(chat.Conflict, "the thread is changing too fast: try again")
		}
		if cur, err = s.getMessage(ctx, parent.RoomID, parent.Seq); err != nil {
			return chat.Message{}, err
		}
	}
}

// RemoveThreadReply takes a deleted reply out of its parent's count: a
// consistent GetItem of the parent, then an UpdateItem of thr under an
// optimistic lock on thr.n as read (a race with a reply or another
// deletion re-reads and tries again, 6 times, then Conflict). A deleted
// parent is changed too (it keeps its thread). About 0.5 RCU + 1 WCU for
// a chat line.
func (s *Store) RemoveThreadReply(ctx context.Context, roomID string, parentSeq int64) (chat.Message, bool, error) {
	ctx = withOp(ctx, "RemoveThreadReply")
	for attempt := 0; ; attempt++ {
		cur, err := s.getMessage(ctx, roomID, parentSeq)
		if err != nil {
			return chat.Message{}, false, err
		}
		if cur.Thread == nil || cur.Thread.Replies <= 0 {
			return cur, false, nil
		}
		t := cur.Thread.WithoutReply()
		var stored messageItem
		err = s.table.Update(AttrPK, msgPK(roomID)).Range(AttrSK, seqSK(parentSeq)).
			Set("thr", newThreadItem(t)).
			If("$.$ = ?", "thr", "n", cur.Thread.Replies).
			Value(ctx, &stored)
		if err == nil {
			return stored.message(), true, nil
		}
		if !isCondFailed(err) {
			return chat.Message{}, false, internal(err, "update thread")
		}
		if attempt == 5 || ctx.Err() != nil {
			return chat.Message{}, false, chat.Errorf(chat.Conflict, "the thread is changing too fast: try again")
		}
	}
}

// ThreadReplies Queries the sparse thread index (gsi1), newest first,
// for limit+1 replies. Eventually consistent, like scrollback: a reply
// stored a moment ago may be missing from the page, and reaches an open
// thread live.
func (s *Store) ThreadReplies(ctx context.Context, roomID string, parentSeq, before int64, limit int) ([]chat.Message, bool, error) {
	ctx = withOp(ctx, "ThreadReplies")
	upper := seqSKMax
	if before > 0 {
		if before == 1 {
			return []chat.Message{}, false, nil
		}
		upper = seqSK(before - 1)
	}
	q := s.table.Get(AttrGSI1PK, threadGSIPK(roomID, parentSeq)).Index(IndexGSI1).
		Range(AttrGSI1SK, gdynamo.Between, seqSKMin, upper).
		Order(gdynamo.Descending)
	return s.messagePage(ctx, q, limit)
}

// ThreadFollowers Queries the thread's follow items (consistent).
func (s *Store) ThreadFollowers(ctx context.Context, roomID string, parentSeq int64) ([]chat.ThreadFollow, error) {
	ctx = withOp(ctx, "ThreadFollowers")
	var items []followItem
	err := s.table.Get(AttrPK, msgPK(roomID)).
		Range(AttrSK, gdynamo.BeginsWith, prefixThreadFollow+seqSK(parentSeq)+"#").
		Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "read thread followers")
	}
	out := make([]chat.ThreadFollow, len(items))
	for i, it := range items {
		out[i] = it.follow()
	}
	return out, nil
}

// FollowThread puts the follow item if absent (1 WCU and its gsi1 entry,
// 1 more); a follow that exists costs a failed conditional write (1 WCU),
// which callers avoid by reading the followers first.
func (s *Store) FollowThread(ctx context.Context, f chat.ThreadFollow) (bool, error) {
	ctx = withOp(ctx, "FollowThread")
	if f.RoomID == "" || f.UserID == "" || f.ParentSeq <= 0 {
		return false, chat.Errorf(chat.Invalid, "a follow needs a room, a thread and a user")
	}
	it := followItem{
		PK: msgPK(f.RoomID), SK: followSK(f.ParentSeq, f.UserID),
		GSI1PK: followGSIPK(f.UserID), GSI1SK: followGSISK(f.RoomID, f.ParentSeq),
		RoomID: f.RoomID, ParentSeq: f.ParentSeq, UserID: f.UserID, ReadSeq: f.ReadSeq, Since: utc(f.Since),
	}
	err := s.table.Put(it).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "follow thread")
	}
	return true, nil
}

// UnfollowThread deletes the follow item.
func (s *Store) UnfollowThread(ctx context.Context, roomID string, parentSeq int64, userID string) error {
	ctx = withOp(ctx, "UnfollowThread")
	if err := s.table.Delete(AttrPK, msgPK(roomID)).Range(AttrSK, followSK(parentSeq, userID)).Run(ctx); err != nil {
		return internal(err, "unfollow thread")
	}
	return nil
}

// MarkThreadRead: UpdateItem SET readSeq, `attribute_exists(pk) AND
// readSeq < :s`, the old item returned on failure (no item: NotFound).
func (s *Store) MarkThreadRead(ctx context.Context, roomID string, parentSeq int64, userID string, seq int64) (bool, error) {
	ctx = withOp(ctx, "MarkThreadRead")
	err := s.table.Update(AttrPK, msgPK(roomID)).Range(AttrSK, followSK(parentSeq, userID)).
		Set("readSeq", seq).
		If("attribute_exists($) AND readSeq < ?", AttrPK, seq).
		IncludeItemInCondCheckFail(true).Run(ctx)
	if err == nil {
		return true, nil
	}
	if !isCondFailed(err) {
		return false, internal(err, "mark thread read")
	}
	var cfe *types.ConditionalCheckFailedException
	if errors.As(err, &cfe) && cfe.Item != nil {
		return false, nil
	}
	var it followItem
	err = s.table.Get(AttrPK, msgPK(roomID)).Range(AttrSK, gdynamo.Equal, followSK(parentSeq, userID)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return false, chat.Errorf(chat.NotFound, "not following the thread")
	}
	if err != nil {
		return false, internal(err, "read thread follow")
	}
	return false, nil
}

// FollowedThreads Queries gsi1 THRF#<userId> (eventually consistent), up
// to chat.MaxFollowedThreads items.
func (s *Store) FollowedThreads(ctx context.Context, userID string) ([]chat.ThreadFollow, error) {
	ctx = withOp(ctx, "FollowedThreads")
	var items []followItem
	err := s.table.Get(AttrGSI1PK, followGSIPK(userID)).Index(IndexGSI1).
		Limit(chat.MaxFollowedThreads).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list followed threads")
	}
	out := make([]chat.ThreadFollow, len(items))
	for i, it := range items {
		out[i] = it.follow()
	}
	return out, nil
}

// ThreadUnread counts, in the thread index, replies after seq that are
// not userID's and not deleted: a Query with Select COUNT and a filter
// (the read units are those of the replies after seq).
func (s *Store) ThreadUnread(ctx context.Context, roomID string, parentSeq, after int64, userID string, limit int) (int, error) {
	ctx = withOp(ctx, "ThreadUnread")
	n, err := s.table.Get(AttrGSI1PK, threadGSIPK(roomID, parentSeq)).Index(IndexGSI1).
		Range(AttrGSI1SK, gdynamo.Between, seqSK(max(after, 0)+1), seqSKMax).
		Filter("senderId <> ? AND attribute_not_exists($)", userID, "deleted").
		SearchLimit(limit * 2).Count(ctx)
	if err != nil {
		return 0, internal(err, "count unread replies")
	}
	return min(n, limit), nil
}
