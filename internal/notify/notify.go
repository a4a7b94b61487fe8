// Package notify is the stream consumer that decides, for each new
// message, who is notified (chat.DecideNotify over each candidate's
// preferences) and hands the work on: a push job on the push queue (SQS)
// for each notified person with no visible connection, and a
// MissedNotifier call (the email digest) for each notified person with no
// connection at all. It runs in the stream function, after the message
// is stored: a send never waits for it, and a slow push service never
// slows a send (the push sender Lambda drains the queue).
//
// Candidates: a direct room's members; in a channel the mentioned and the
// members who set the channel to "all" (the store's NOTIFYALL# index), so
// a message to a big channel reads the few it may notify, not every
// member's preferences.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// MaxPreviewRunes bounds a push's text preview.
const MaxPreviewRunes = 120

// Store is what the consumer reads (internal/dynamo.Store).
type Store interface {
	GetRoom(ctx context.Context, roomID string) (chat.Room, error)
	GetMember(ctx context.Context, roomID, userID string) (chat.Member, error)
	GetProfiles(ctx context.Context, userIDs []string) ([]chat.Profile, error)
	GetPreferences(ctx context.Context, userID string) (chat.Preferences, error)
	UserPresence(ctx context.Context, userID string) (connections, visible int, err error)
	RoomNotifyAll(ctx context.Context, roomID string) ([]string, error)
}

// ThreadStore is what the consumer reads about threads: who follows one.
// internal/dynamo.Store implements it; a Store without it notifies a
// reply's mentioned people only.
type ThreadStore interface {
	ThreadFollowers(ctx context.Context, roomID string, parentSeq int64) ([]chat.ThreadFollow, error)
}

// Job is one push to one person (all their subscribed devices): the push
// queue's message body, as JSON.
type Job struct {
	UserID string `json:"userId"`
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	// ParentSeq is the thread's first message when the message is a
	// thread reply (the push opens the thread), else 0.
	ParentSeq int64  `json:"parentSeq,omitempty"`
	Room      string `json:"room"`
	Sender    string `json:"sender"`
	// Preview is the text's start, "" when the recipient or the deployment
	// turned previews off (then the payload has none).
	Preview string `json:"preview,omitempty"`
	Reason  string `json:"reason"`
	// SentAt is when the message was stored (Unix milliseconds): the
	// sender logs the send-to-push delay.
	SentAt int64 `json:"sentAt"`
}

// Queue takes push jobs (SQSQueue; a fake in tests).
type Queue interface {
	Enqueue(ctx context.Context, jobs []Job) error
}

// MissedNotifier is told about a notified person with no connection at
// all: the email digest (issue #13's digest part) implements it and
// decides when to mail (after the person's delay, not during their
// do-not-disturb, at most hourly). reason is a chat.NotifyReason.
type MissedNotifier interface {
	Missed(ctx context.Context, userID, roomID string, seq int64, reason string) error
}

// NopMissed is the default MissedNotifier: it does nothing.
type NopMissed struct{}

func (NopMissed) Missed(context.Context, string, string, int64, string) error { return nil }

// Config wires a Notifier.
type Config struct {
	Store Store
	Queue Queue
	// Missed is told about notified people with no connection (nil:
	// NopMissed).
	Missed MissedNotifier
	// Previews: the deployment allows text previews in pushes.
	Previews bool
	Logger   *slog.Logger
	Now      func() time.Time
}

// Notifier is a chat.EventConsumer.
type Notifier struct {
	cfg Config
}

// New checks cfg.
func New(cfg Config) (*Notifier, error) {
	if cfg.Store == nil || cfg.Queue == nil {
		return nil, errors.New("notify: Store and Queue are required")
	}
	if cfg.Missed == nil {
		cfg.Missed = NopMissed{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{cfg: cfg}, nil
}

// Consume handles message.created events; the rest pass. A failure is a
// *chat.PartialFailure at that event, so the stream retries its record;
// a retried record may enqueue a push twice, which the notification tag
// (the room) folds into one on the device.
func (n *Notifier) Consume(ctx context.Context, evs []chat.Event) error {
	for i, ev := range evs {
		e, ok := ev.(chat.MessageCreated)
		if !ok {
			continue
		}
		if err := n.message(ctx, e.Message); err != nil {
			return &chat.PartialFailure{Index: i, Err: err}
		}
	}
	return nil
}

// Outcome is what Decide found for one message.
type Outcome struct {
	Push   []Job
	Missed []Job // the notified with no connection (Job.Reason says why)
}

func (n *Notifier) message(ctx context.Context, m chat.Message) error {
	if m.System != nil || m.Deleted {
		return nil
	}
	out, err := n.Decide(ctx, m)
	if err != nil {
		return err
	}
	if len(out.Push) > 0 {
		if err := n.cfg.Queue.Enqueue(ctx, out.Push); err != nil {
			return fmt.Errorf("notify: enqueue pushes: %w", err)
		}
	}
	for _, j := range out.Missed {
		if err := n.cfg.Missed.Missed(ctx, j.UserID, j.RoomID, j.Seq, j.Reason); err != nil {
			return fmt.Errorf("notify: missed: %w", err)
		}
	}
	if len(out.Push)+len(out.Missed) > 0 {
		n.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "notified",
			slog.String("roomId", m.RoomID), slog.Int64("seq", m.Seq),
			slog.Int("pushes", len(out.Push)), slog.Int("missed", len(out.Missed)))
	}
	return nil
}

// Decide computes who is pushed to and who missed message m. Cost: one
// GetItem of the room; a channel's NOTIFYALL# Query and one GetMember per
// candidate from it; one BatchGetItem of the candidates' profiles; per
// candidate one GetItem of the preferences and, when notified, one Query
// of their connection links.
func (n *Notifier) Decide(ctx context.Context, m chat.Message) (Outcome, error) {
	room, err := n.cfg.Store.GetRoom(ctx, m.RoomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return Outcome{}, nil // deleted meanwhile
	}
	if err != nil {
		return Outcome{}, err
	}
	cands, err := n.candidates(ctx, room, m)
	if err != nil {
		return Outcome{}, err
	}
	followers, err := n.threadFollowers(ctx, m)
	if err != nil {
		return Outcome{}, err
	}
	for uid := range followers {
		if uid != m.SenderID && !slices.Contains(cands, uid) {
			cands = append(cands, uid)
		}
	}
	if len(cands) == 0 {
		return Outcome{}, nil
	}
	slices.Sort(cands)
	profiles, err := n.cfg.Store.GetProfiles(ctx, cands)
	if err != nil {
		return Outcome{}, err
	}
	deactivated := map[string]bool{}
	known := map[string]bool{}
	for _, p := range profiles {
		known[p.UserID] = true
		deactivated[p.UserID] = p.Deactivated
	}
	now := n.cfg.Now()
	roomName := room.Name
	if room.Kind == chat.KindDirect || roomName == "" {
		roomName = m.SenderName
	}
	if room.Kind == chat.KindSupport && room.Support != nil && room.Support.Visitor.Name != "" {
		roomName = room.Support.Visitor.Name // the conversation is named by its visitor
	}
	var (
		mu  sync.Mutex
		out Outcome
	)
	err = forEach(len(cands), func(i int) error {
		uid := cands[i]
		if !known[uid] {
			return nil
		}
		prefs, err := n.cfg.Store.GetPreferences(ctx, uid)
		if err != nil {
			return err
		}
		d := chat.DecideNotify(m, room, chat.Recipient{UserID: uid, Prefs: prefs, Deactivated: deactivated[uid], FollowsThread: followers[uid]}, now)
		if !d.Notify {
			return nil
		}
		conns, visible, err := n.cfg.Store.UserPresence(ctx, uid)
		if err != nil {
			return err
		}
		job := Job{
			UserID: uid, RoomID: m.RoomID, Seq: m.Seq, ParentSeq: m.ParentSeq, Room: roomName, Sender: m.SenderName,
			Reason: string(d.Reason), SentAt: m.CreatedAt.UnixMilli(),
		}
		if n.cfg.Previews && prefs.Notify.Previews {
			job.Preview = Preview(m)
		}
		mu.Lock()
		defer mu.Unlock()
		if d.Interrupt && visible == 0 {
			out.Push = append(out.Push, job)
		}
		if conns == 0 {
			out.Missed = append(out.Missed, job)
		}
		return nil
	})
	if err != nil {
		return Outcome{}, err
	}
	sortJobs(out.Push)
	sortJobs(out.Missed)
	return out, nil
}

// candidates are who may be notified: a direct room's members; a
// channel's mentioned members and the members who set it to "all". The
// sender is never one.
func (n *Notifier) candidates(ctx context.Context, room chat.Room, m chat.Message) ([]string, error) {
	var ids []string
	switch {
	case m.ParentSeq > 0 && !m.ToRoom:
		// A reply kept in its thread: the mentioned (and the thread's
		// followers, threadFollowers), not the room.
		ids = slices.Clone(m.Mentions)
	case room.Kind == chat.KindDirect:
		ids = slices.Clone(room.MemberIDs)
	case room.Kind == chat.KindSupport:
		// A support conversation (issue 17): its assignee, as in a direct
		// room, and whom a note mentions (an escalation's leads). Never
		// the visitor: visitors get no pushes or mail.
		ids = slices.Clone(m.Mentions)
		if room.Support != nil && room.Support.AssigneeID != "" {
			ids = append(ids, room.Support.AssigneeID)
		}
		ids = slices.DeleteFunc(ids, chat.IsVisitorID)
	default:
		ids = slices.Clone(m.Mentions) // resolved against the members at send time
		all, err := n.cfg.Store.RoomNotifyAll(ctx, room.ID)
		if err != nil {
			return nil, err
		}
		var mu sync.Mutex
		err = forEach(len(all), func(i int) error {
			if slices.Contains(ids, all[i]) || all[i] == m.SenderID {
				return nil
			}
			_, err := n.cfg.Store.GetMember(ctx, room.ID, all[i])
			if chat.ErrorCode(err) == chat.NotFound {
				return nil // left the room; the index item stays until they set the level again
			}
			if err != nil {
				return err
			}
			mu.Lock()
			ids = append(ids, all[i])
			mu.Unlock()
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == m.SenderID || id == "" })
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// threadFollowers are the followers of the thread m replies in (none for
// a message that is no reply).
func (n *Notifier) threadFollowers(ctx context.Context, m chat.Message) (map[string]bool, error) {
	ts, ok := n.cfg.Store.(ThreadStore)
	if m.ParentSeq <= 0 || !ok {
		return nil, nil
	}
	fs, err := ts.ThreadFollowers(ctx, m.RoomID, m.ParentSeq)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(fs))
	for _, f := range fs {
		out[f.UserID] = true
	}
	return out, nil
}

// Preview is the start of a message's text, at most MaxPreviewRunes
// runes (cut at a rune, "…" marking a cut), or a word for a message of
// files (or a GIF) only.
//
// A message of an end-to-end encrypted room has no preview: the server
// cannot read it, and says EncryptedPreview.
func Preview(m chat.Message) string {
	if m.Encrypted != nil {
		return EncryptedPreview
	}
	t := m.Text
	if t == "" && len(m.Attachments) > 0 {
		if len(m.Attachments) == 1 {
			return "sent a file: " + truncate(m.Attachments[0].Name, MaxPreviewRunes-13)
		}
		return fmt.Sprintf("sent %d files", len(m.Attachments))
	}
	if t == "" && m.Gif != nil {
		return "sent a GIF"
	}
	return truncate(t, MaxPreviewRunes)
}

// EncryptedPreview is what a notification of an end-to-end encrypted
// message says (issue #19).
const EncryptedPreview = "New encrypted message"

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func sortJobs(js []Job) {
	slices.SortFunc(js, func(a, b Job) int {
		if a.UserID < b.UserID {
			return -1
		}
		if a.UserID > b.UserID {
			return 1
		}
		return 0
	})
}

// concurrency bounds the store calls in flight for one message.
const concurrency = 8

// forEach runs f(0..n-1), concurrency at a time, and returns the first
// error.
func forEach(n int, f func(i int) error) error {
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, concurrency)
		mu    sync.Mutex
		first error
	)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}
