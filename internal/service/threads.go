package service

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Threads (issue 14; docs/ARCHITECTURE.md "Threads"). A reply is sent
// with sendMessage and parentSeq: the send's path (idempotency, rate
// budget, mentions, files, the policy's ActSendMessage) with three
// additions, here: the parent is read and checked beside the membership
// (threadParent), the thread's followers are written beside the append
// (followOnReply), and the parent's summary goes through the change log
// once the reply is stored (threadReplied).

// maxThreadPage bounds a page of threadHistory.
const maxThreadPage = 100

// listThreadsMax is how many followed threads listThreads answers.
const listThreadsMax = 50

// checkReplyTo checks a send's thread fields.
func checkReplyTo(r protocol.SendMessageRequest) error {
	if r.ParentSeq < 0 {
		return chat.Errorf(chat.Invalid, "parentSeq must not be negative")
	}
	if r.ToRoom && r.ParentSeq == 0 {
		return chat.Errorf(chat.Invalid, "toRoom is for thread replies: send parentSeq too")
	}
	return nil
}

// threadParent reads the message a reply answers: it must be a message
// of the room that is not itself a reply (threads are one level deep),
// not a system line and not deleted.
func (s *Chat) threadParent(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	m, err := s.store.GetMessage(ctx, roomID, seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Message{}, chat.Errorf(chat.NotFound, "the message replied to was not found")
	}
	if err != nil {
		return chat.Message{}, storeErr(err, "get message")
	}
	switch {
	case m.ParentSeq > 0:
		return chat.Message{}, chat.Errorf(chat.Invalid, "reply in the thread of message %d: threads are one level deep", m.ParentSeq)
	case m.System != nil:
		return chat.Message{}, chat.Errorf(chat.Invalid, "a system line has no thread")
	case m.Deleted:
		return chat.Message{}, errMessageDeleted()
	}
	return m, nil
}

// followOnReply starts, beside the append, the follows a reply makes: the
// parent's author, the sender and the mentioned follow the thread (those
// who do not yet: one consistent Query of the followers first, so a reply
// in a busy thread writes nothing more). It returns the wait: the follows
// are stored before the send answers, and before the stream's notifier can
// read them for this reply. A failure is logged: the reply stands.
func (s *Chat) followOnReply(ctx context.Context, c chat.Connection, parent chat.Message, mentions []string) (wait func()) {
	if parent.Seq == 0 {
		return func() {}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		want := append([]string{parent.SenderID, c.UserID}, mentions...)
		slices.Sort(want)
		want = slices.Compact(want)
		have, err := s.store.ThreadFollowers(ctx, parent.RoomID, parent.Seq)
		if err != nil {
			s.log.WarnContext(ctx, "read thread followers", slog.String("roomId", parent.RoomID), slog.Int64("parentSeq", parent.Seq), slog.Any("error", err))
			return
		}
		want = slices.DeleteFunc(want, func(u string) bool {
			return u == "" || slices.ContainsFunc(have, func(f chat.ThreadFollow) bool { return f.UserID == u })
		})
		_ = forEach(len(want), func(i int) error {
			_, err := s.store.FollowThread(ctx, chat.ThreadFollow{RoomID: parent.RoomID, ParentSeq: parent.Seq, UserID: want[i], Since: s.clock()})
			if err != nil {
				s.log.WarnContext(ctx, "follow thread", slog.String("roomId", parent.RoomID), slog.Int64("parentSeq", parent.Seq), slog.Any("error", err))
			}
			return nil
		})
	})
	return wg.Wait
}

// threadReplied numbers the parent's change (RecordChange) and stores the
// reply in its summary. It returns the event that tells the room (the
// parent's messageUpdated with the change's number), for the caller to
// publish after the reply's own, and a context in which both pushes share
// one read of the room's connections (withRoomConnsMemo): both changes are
// stored before that read, so a connection registered after it finds both
// by resume. The reply is stored already: a failure here is logged and
// leaves the summary one reply short (the thread's paging has the reply).
func (s *Chat) threadReplied(ctx context.Context, c chat.Connection, parent, reply chat.Message) (context.Context, *chat.ThreadUpdated) {
	log := func(what string, err error) {
		s.log.WarnContext(ctx, what, slog.String("roomId", reply.RoomID), slog.Int64("parentSeq", reply.ParentSeq), slog.Int64("seq", reply.Seq), slog.Any("error", err))
	}
	chg, err := s.store.RecordChange(ctx, parent.RoomID, parent.Seq)
	if err != nil {
		log("record thread change", err)
		return ctx, nil
	}
	stored, err := s.store.AddThreadReply(ctx, parent, reply)
	if err != nil {
		log("update thread summary", err)
		return ctx, nil
	}
	ev := chat.ThreadUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Parent: stored, Chg: chg}
	return withRoomConnsMemo(ctx), &ev
}

// threadReplyDeleted takes a deleted reply out of its parent's count, as
// a change of the parent in the room's change log (so resume replays it),
// and tells the room with the parent's messageUpdated, the deleter's own
// connection included (its answer is the reply's tombstone, not the
// parent). The reply's tombstone is stored: a failure here is logged and
// leaves the count one high. Only the deletion that stored the tombstone
// gets here (a repeated or racing delete answers the tombstone before).
func (s *Chat) threadReplyDeleted(ctx context.Context, c chat.Connection, reply chat.Message) {
	log := func(what string, err error) {
		s.log.WarnContext(ctx, what, slog.String("roomId", reply.RoomID), slog.Int64("parentSeq", reply.ParentSeq), slog.Int64("seq", reply.Seq), slog.Any("error", err))
	}
	chg, err := s.store.RecordChange(ctx, reply.RoomID, reply.ParentSeq)
	if err != nil {
		log("record thread change", err)
		return
	}
	parent, changed, err := s.store.RemoveThreadReply(ctx, reply.RoomID, reply.ParentSeq)
	if err != nil {
		log("update thread summary", err)
		return
	}
	if changed {
		s.publish(ctx, chat.ThreadUpdated{Actor: chat.Actor{UserID: c.UserID}, Parent: parent, Chg: chg})
	}
}

// roomConnsMemo keeps the room connections read by the first push of a
// request for the next ones of the same request (a reply and its parent's
// update): one read of the sharded index instead of two.
type roomConnsMemo struct {
	mu sync.Mutex
	m  map[string][]chat.RoomConnection
}

type roomConnsMemoKey struct{}

func withRoomConnsMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, roomConnsMemoKey{}, &roomConnsMemo{m: map[string][]chat.RoomConnection{}})
}

// roomConnections reads the room's connections, once per memo.
func (p *Push) roomConnections(ctx context.Context, roomID string) ([]chat.RoomConnection, error) {
	memo, ok := ctx.Value(roomConnsMemoKey{}).(*roomConnsMemo)
	if !ok {
		return p.store.RoomConnections(ctx, roomID)
	}
	memo.mu.Lock()
	defer memo.mu.Unlock()
	if rcs, ok := memo.m[roomID]; ok {
		return rcs, nil
	}
	rcs, err := p.store.RoomConnections(ctx, roomID)
	if err == nil {
		memo.m[roomID] = rcs
	}
	return rcs, err
}

// ThreadHistory pages back through a thread's replies, newest first, with
// the parent as it is now and the caller's follow of the thread.
func (s *Chat) ThreadHistory(ctx context.Context, c chat.Connection, r protocol.ThreadHistoryRequest) (protocol.ThreadHistoryEvent, error) {
	if r.Before < 0 {
		return protocol.ThreadHistoryEvent{}, chat.Errorf(chat.Invalid, "before must not be negative")
	}
	limit := r.Limit
	switch {
	case limit <= 0:
		limit = protocol.ThreadPageSize
	case limit > maxThreadPage:
		limit = maxThreadPage
	}
	parent, _, err := s.message(ctx, c, chat.ActThreadHistory, r.RoomID, r.ParentSeq)
	if err != nil {
		return protocol.ThreadHistoryEvent{}, err
	}
	if parent.ParentSeq > 0 {
		return protocol.ThreadHistoryEvent{}, chat.Errorf(chat.Invalid, "message %d is a reply in the thread of %d", parent.Seq, parent.ParentSeq)
	}
	var (
		wg        sync.WaitGroup
		followers []chat.ThreadFollow
		folErr    error
	)
	wg.Go(func() { followers, folErr = s.store.ThreadFollowers(ctx, r.RoomID, r.ParentSeq) })
	msgs, more, err := s.store.ThreadReplies(ctx, r.RoomID, r.ParentSeq, r.Before, limit)
	wg.Wait()
	if err != nil {
		return protocol.ThreadHistoryEvent{}, storeErr(err, "read thread")
	}
	if folErr != nil {
		return protocol.ThreadHistoryEvent{}, storeErr(folErr, "read thread followers")
	}
	budget := replyBudget
	_, _ = fitBudget([]chat.Message{parent}, &budget)
	msgs, cut := fitBudget(msgs, &budget)
	more = more || cut
	ev := protocol.ThreadHistoryEvent{
		Head: protocol.Head{Type: protocol.EventThreadHistory}, RoomID: r.RoomID, ParentSeq: r.ParentSeq,
		Parent: parent, Messages: nonNil(msgs), HasMore: more,
	}
	if more && len(msgs) > 0 {
		ev.Before = msgs[len(msgs)-1].Seq
	}
	if i := slices.IndexFunc(followers, func(f chat.ThreadFollow) bool { return f.UserID == c.UserID }); i >= 0 {
		ev.Following, ev.ReadSeq = true, followers[i].ReadSeq
	}
	return ev, nil
}

// FollowThread follows a thread (read up to its newest reply) or stops.
func (s *Chat) FollowThread(ctx context.Context, c chat.Connection, r protocol.FollowThreadRequest) (protocol.ThreadFollowEvent, error) {
	ev := protocol.ThreadFollowEvent{Head: protocol.Head{Type: protocol.EventThreadFollow}, RoomID: r.RoomID, ParentSeq: r.ParentSeq, Following: r.Follow}
	parent, _, err := s.message(ctx, c, chat.ActFollowThread, r.RoomID, r.ParentSeq)
	if err != nil {
		return protocol.ThreadFollowEvent{}, err
	}
	if parent.ParentSeq > 0 {
		return protocol.ThreadFollowEvent{}, chat.Errorf(chat.Invalid, "follow the thread's first message, %d", parent.ParentSeq)
	}
	if !r.Follow {
		if err := s.store.UnfollowThread(ctx, r.RoomID, r.ParentSeq, c.UserID); err != nil {
			return protocol.ThreadFollowEvent{}, storeErr(err, "unfollow thread")
		}
		s.threadFollowChanged(ctx, c, ev)
		return ev, nil
	}
	f := chat.ThreadFollow{RoomID: r.RoomID, ParentSeq: r.ParentSeq, UserID: c.UserID, Since: s.clock()}
	if parent.Thread != nil {
		f.ReadSeq = parent.Thread.LastSeq
	}
	created, err := s.store.FollowThread(ctx, f)
	if err != nil {
		return protocol.ThreadFollowEvent{}, storeErr(err, "follow thread")
	}
	ev.ReadSeq = f.ReadSeq
	if created {
		s.threadFollowChanged(ctx, c, ev)
	}
	return ev, nil
}

// MarkThreadRead moves the caller's read position in a thread forward.
// For a thread the caller does not follow it answers Following false and
// stores nothing.
func (s *Chat) MarkThreadRead(ctx context.Context, c chat.Connection, r protocol.MarkThreadReadRequest) (protocol.ThreadFollowEvent, error) {
	if _, err := s.authorize(ctx, c, chat.ActMarkThreadRead, r.RoomID, false); err != nil {
		return protocol.ThreadFollowEvent{}, err
	}
	if r.ParentSeq <= 0 || r.Seq <= 0 {
		return protocol.ThreadFollowEvent{}, chat.Errorf(chat.Invalid, "parentSeq and seq must be positive")
	}
	ev := protocol.ThreadFollowEvent{Head: protocol.Head{Type: protocol.EventThreadFollow}, RoomID: r.RoomID, ParentSeq: r.ParentSeq}
	moved, err := s.store.MarkThreadRead(ctx, r.RoomID, r.ParentSeq, c.UserID, r.Seq)
	switch chat.ErrorCode(err) {
	case "":
		ev.Following, ev.ReadSeq = true, r.Seq
		if moved {
			s.threadFollowChanged(ctx, c, ev)
		}
	case chat.NotFound:
	default:
		return protocol.ThreadFollowEvent{}, storeErr(err, "mark thread read")
	}
	return ev, nil
}

// threadFollowChanged pushes a change of the caller's follow of a thread
// (read further, followed, unfollowed) to the caller's other connections,
// so that each device's thread badge agrees: the person's own news, a
// direct push like preferencesChanged's, not a domain event. Cost: a
// Query of the caller's connections and a post per other connection. A
// failure is logged: the change is stored, and the other devices' next
// listThreads (on every connect) has it.
func (s *Chat) threadFollowChanged(ctx context.Context, c chat.Connection, ev protocol.ThreadFollowEvent) {
	own, err := s.store.UserConnections(ctx, c.UserID)
	if err != nil {
		s.log.WarnContext(ctx, "thread follow not pushed to other devices", slog.String("roomId", ev.RoomID), slog.Int64("parentSeq", ev.ParentSeq), slog.Any("error", err))
		return
	}
	ev.RequestID = ""
	s.push.send(ctx, without(own, c.ID), ev)
}

// ListThreads lists the threads the caller follows in rooms that are
// still theirs, latest reply first (at most listThreadsMax), with the
// replies by others they have not read. Cost: the follows (one gsi1
// Query), the caller's rooms (one), one BatchGetItem of parents per room,
// and one counting Query per thread with unread replies (with a block
// list: the preferences' GetItem, and a page of replies instead).
func (s *Chat) ListThreads(ctx context.Context, c chat.Connection) (protocol.ThreadsEvent, error) {
	if err := chat.Authorize(chat.ActListThreads, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ThreadsEvent{}, err
	}
	var (
		wg      sync.WaitGroup
		follows []chat.ThreadFollow
		folErr  error
		blocked []string // their replies are not unread (unread.go)
	)
	wg.Go(func() { follows, folErr = s.store.FollowedThreads(ctx, c.UserID) })
	wg.Go(func() { blocked = s.blockedBy(ctx, c.UserID) })
	mine, err := s.store.UserRooms(ctx, c.UserID)
	wg.Wait()
	if err := firstErr(folErr, err); err != nil {
		return protocol.ThreadsEvent{}, storeErr(err, "list threads")
	}
	member := make(map[string]bool, len(mine))
	for _, m := range mine {
		member[m.RoomID] = true
	}
	byRoom := map[string][]chat.ThreadFollow{}
	var rooms []string
	for _, f := range follows {
		if !member[f.RoomID] {
			continue
		}
		if byRoom[f.RoomID] == nil {
			rooms = append(rooms, f.RoomID)
		}
		byRoom[f.RoomID] = append(byRoom[f.RoomID], f)
	}
	var (
		mu    sync.Mutex
		items []protocol.ThreadItem
	)
	err = forEach(len(rooms), func(i int) error {
		fs := byRoom[rooms[i]]
		seqs := make([]int64, len(fs))
		for j, f := range fs {
			seqs[j] = f.ParentSeq
		}
		parents, err := s.store.GetMessages(ctx, rooms[i], seqs)
		if err != nil {
			return storeErr(err, "read thread parents")
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range parents {
			j := slices.IndexFunc(fs, func(f chat.ThreadFollow) bool { return f.ParentSeq == p.Seq })
			items = append(items, protocol.ThreadItem{RoomID: p.RoomID, ParentSeq: p.Seq, Parent: p, ReadSeq: fs[j].ReadSeq})
		}
		return nil
	})
	if err != nil {
		return protocol.ThreadsEvent{}, err
	}
	slices.SortFunc(items, func(a, b protocol.ThreadItem) int { return lastReply(b).Compare(lastReply(a)) })
	if len(items) > listThreadsMax {
		items = items[:listThreadsMax]
	}
	err = forEach(len(items), func(i int) error {
		it := &items[i]
		if it.Parent.Thread == nil || it.Parent.Thread.LastSeq <= it.ReadSeq {
			return nil
		}
		n, err := s.threadUnread(ctx, *it, c.UserID, blocked) // unread.go
		if err != nil {
			return storeErr(err, "count unread replies")
		}
		it.Unread = n
		return nil
	})
	if err != nil {
		return protocol.ThreadsEvent{}, err
	}
	budget := replyBudget
	for i := range items {
		if _, cut := fitBudget([]chat.Message{items[i].Parent}, &budget); cut {
			items = items[:i]
			break
		}
	}
	if items == nil {
		items = []protocol.ThreadItem{}
	}
	return protocol.ThreadsEvent{Head: protocol.Head{Type: protocol.EventThreads}, Threads: items}, nil
}

// lastReply orders threads: the newest reply's time, or the parent's.
func lastReply(it protocol.ThreadItem) time.Time {
	if it.Parent.Thread != nil {
		return it.Parent.Thread.LastAt
	}
	return it.Parent.CreatedAt
}
