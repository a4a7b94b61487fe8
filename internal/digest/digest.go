// Package digest sends "email for what was missed" (issue #13): when
// someone has unread DMs or mentions and has not been connected for a while
// (their preference, default 15 minutes), one email lists them, with a link
// to each, at most one an hour, none during their do-not-disturb, nothing if
// they came back or read them meanwhile, and a one-click unsubscribe.
//
// The flow (docs/ARCHITECTURE.md, "Email for what was missed"):
//
//  1. The stream's notification consumer calls Missed for each notified
//     person who has no connection at all. Missed stores the item
//     (USER#<id> / DIGEST#<room>#<seq>) and, when no digest is pending yet,
//     claims the person's head item (USER#<id> / DIGEST: dueAt) and creates
//     ONE one-time EventBridge Scheduler schedule at the due time.
//  2. At the due time the scheduler invokes the digest function, which calls
//     Fire: it checks at send time that the person is still away, still
//     wants email, is not in do-not-disturb (else it moves the schedule to
//     the end of it) and has not had a digest in the last hour (else it
//     moves it to the hour's end), drops what was read, and sends the rest
//     through SES v2 with List-Unsubscribe headers (RFC 8058).
//  3. The unsubscribe endpoint (Unsubscribe) verifies the signed link and
//     turns email off, dropping what is pending.
package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Reasons a person is notified (the consumer's words; shown in the mail).
const (
	ReasonDM      = "dm"
	ReasonMention = "mention"
	ReasonAll     = "all" // a room set to "all"
)

// Defaults.
const (
	DefaultDelay       = 15 * time.Minute
	DefaultMinInterval = time.Hour
	// DefaultMinLead: a schedule is never created less than this ahead:
	// EventBridge Scheduler invokes with 60-second precision.
	DefaultMinLead = time.Minute
	// DefaultMaxItems is how many missed messages one mail lists (the
	// newest); the count says how many there were.
	DefaultMaxItems = 20
	// ItemTTL: a missed item nobody mails (the person never comes back and
	// turned email off, say) leaves the table after this.
	ItemTTL = 14 * 24 * time.Hour
	// staleAfter: a pending digest whose due time passed this long ago
	// lost its schedule (an invocation failed for good): the next missed
	// item schedules a new one.
	staleAfter = 2 * time.Hour
	// lease: how long a Fire holds the digest while it sends.
	lease = 2 * time.Minute
)

// MissedNotifier is what the stream's notification consumer calls for each
// notified person with no connection at all (the push helper's interface).
type MissedNotifier interface {
	Missed(ctx context.Context, userID, roomID string, seq int64, reason string) error
}

// Prefs are a person's email preferences, as the preferences of #13 hold
// them (notify.email, notify.emailDelayMinutes, notify.dnd, appearance.lang).
type Prefs struct {
	Enabled bool
	Delay   time.Duration // 0: DefaultDelay
	// InDND reports whether t is inside the person's do-not-disturb
	// schedule; nil: never.
	InDND func(time.Time) bool
	Lang  string         // "de" or "en" ("" = en)
	Zone  *time.Location // for times in the mail; nil = UTC
}

// PrefsSource reads and changes the preferences. The lead adapts the
// preferences store of internal/chat/preferences.go to it at merge.
type PrefsSource interface {
	EmailPrefs(ctx context.Context, userID string) (Prefs, error)
	// DisableEmail turns notify.email off (the unsubscribe link).
	DisableEmail(ctx context.Context, userID string) error
}

// Chat is what the digest reads of the chat (internal/dynamo.Store has
// all of it).
type Chat interface {
	UserConnections(ctx context.Context, userID string) ([]string, error)
	GetProfile(ctx context.Context, userID string) (chat.Profile, error)
	GetMember(ctx context.Context, roomID, userID string) (chat.Member, error)
	GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error)
	GetRoom(ctx context.Context, roomID string) (chat.Room, error)
}

// Addresses finds a person's email address (the user pool's email).
type Addresses interface {
	EmailAddress(ctx context.Context, userID string) (string, error)
}

// Timer creates and deletes one-time schedules (EventBridge Scheduler).
type Timer interface {
	// At creates a schedule named name that invokes the digest function
	// with input at t. A schedule of that name existing already is
	// success (the names are unique per person and due time).
	At(ctx context.Context, name string, t time.Time, input []byte) error
	// Cancel deletes it; one that is gone already is success.
	Cancel(ctx context.Context, name string) error
}

// Mailer sends one email (SES v2 SendEmail).
type Mailer interface {
	Send(ctx context.Context, m Email) error
}

// Email is one message to one person.
type Email struct {
	To, Subject, Text, HTML string
	Headers                 map[string]string
}

// Config configures a Service.
type Config struct {
	Prefs     PrefsSource
	Chat      Chat
	Addresses Addresses
	Store     Store
	Timer     Timer
	Mailer    Mailer
	// SiteURL is the web client's origin, for links (https://chat.example.com).
	SiteURL string
	// UnsubscribeURL is the endpoint that handles the signed links.
	UnsubscribeURL string
	Signer         *Signer
	MinInterval    time.Duration // default DefaultMinInterval
	MinLead        time.Duration // default DefaultMinLead
	MaxItems       int           // default DefaultMaxItems
	Clock          func() time.Time
	Logger         *slog.Logger
}

// Service is the digest.
type Service struct{ c Config }

// New checks cfg and fills its defaults.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Prefs == nil || cfg.Chat == nil || cfg.Store == nil || cfg.Timer == nil:
		return nil, errors.New("digest: Prefs, Chat, Store and Timer are required")
	case cfg.Mailer != nil && (cfg.Signer == nil || cfg.Addresses == nil):
		// Scheduling alone (Missed, in the stream function) needs neither.
		return nil, errors.New("digest: sending needs a Signer (the unsubscribe links) and Addresses")
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = DefaultMinInterval
	}
	if cfg.MinLead <= 0 {
		cfg.MinLead = DefaultMinLead
	}
	if cfg.MaxItems <= 0 {
		cfg.MaxItems = DefaultMaxItems
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{c: cfg}, nil
}

// Missed records that userID missed message seq of roomID and makes sure a
// digest is scheduled. Idempotent: the stream may deliver a record twice.
func (s *Service) Missed(ctx context.Context, userID, roomID string, seq int64, reason string) error {
	if userID == "" || roomID == "" || seq <= 0 {
		return fmt.Errorf("digest: missed: user, room and seq are required")
	}
	p, err := s.c.Prefs.EmailPrefs(ctx, userID)
	if err != nil {
		return fmt.Errorf("digest: preferences of %s: %w", userID, err)
	}
	if !p.Enabled {
		return nil
	}
	now := s.c.Clock().UTC()
	if err := s.c.Store.AddItem(ctx, userID, Item{RoomID: roomID, Seq: seq, Reason: reason, At: now}, now.Add(ItemTTL)); err != nil {
		return fmt.Errorf("digest: store missed item: %w", err)
	}
	return s.ensureScheduled(ctx, userID, p, now, now)
}

// Event is the schedule's input: the digest function's event.
type Event struct {
	UserID string    `json:"userId"`
	Due    time.Time `json:"due"`
}

// ensureScheduled schedules a digest for items that arrived from since on,
// unless one is pending.
func (s *Service) ensureScheduled(ctx context.Context, userID string, p Prefs, now, since time.Time) error {
	head, err := s.c.Store.Head(ctx, userID)
	if err != nil {
		return fmt.Errorf("digest: read head: %w", err)
	}
	if !head.DueAt.IsZero() && now.Sub(head.DueAt) < staleAfter {
		return nil // one is pending; it will include this item
	}
	due := since.Add(orDefault(p.Delay, DefaultDelay))
	if next := head.LastSentAt.Add(s.c.MinInterval); next.After(due) {
		due = next
	}
	due = s.fit(due, now, p)
	name := ScheduleName(userID, due)
	ok, err := s.c.Store.ClaimDue(ctx, userID, head.DueAt, due, name)
	if err != nil {
		return fmt.Errorf("digest: claim: %w", err)
	}
	if !ok {
		return nil // someone else scheduled it meanwhile
	}
	if head.Schedule != "" {
		// The stale one: its invocation is over or failed for good.
		if err := s.c.Timer.Cancel(ctx, head.Schedule); err != nil {
			s.c.Logger.WarnContext(ctx, "digest: cancel stale schedule", "schedule", head.Schedule, "error", err)
		}
	}
	if err := s.schedule(ctx, userID, name, due); err != nil {
		// Undo the claim so that the retry of this record (the stream
		// retries the batch) schedules again.
		if _, uerr := s.c.Store.MoveDue(ctx, userID, due, time.Time{}, ""); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return err
	}
	s.c.Logger.InfoContext(ctx, "digest scheduled", "userId", userID, "due", due.Format(time.RFC3339), "schedule", name)
	return nil
}

func (s *Service) schedule(ctx context.Context, userID, name string, due time.Time) error {
	input, err := json.Marshal(Event{UserID: userID, Due: due})
	if err != nil {
		return err
	}
	if err := s.c.Timer.At(ctx, name, due, input); err != nil {
		return fmt.Errorf("digest: create schedule %s: %w", name, err)
	}
	return nil
}

// fit moves due out of do-not-disturb and at least MinLead past now, on a
// whole second (at() has no fractions).
func (s *Service) fit(due, now time.Time, p Prefs) time.Time {
	if min := now.Add(s.c.MinLead); due.Before(min) {
		due = min
	}
	due = dndEnd(due, p.InDND)
	if r := due.Truncate(time.Second); !r.Equal(due) {
		due = r.Add(time.Second)
	}
	return due.UTC()
}

// dndEnd is the first minute at or after t outside do-not-disturb (t
// itself when it is outside), looking at most 8 days ahead (a schedule that
// is always on is treated as off rather than deferring forever).
func dndEnd(t time.Time, inDND func(time.Time) bool) time.Time {
	if inDND == nil || !inDND(t) {
		return t
	}
	start := t
	t = t.Truncate(time.Minute)
	for range 8 * 24 * 60 {
		t = t.Add(time.Minute)
		if !inDND(t) {
			return t
		}
	}
	return start
}

var unsafeName = regexp.MustCompile(`[^0-9a-zA-Z\-_.]`)

// ScheduleName names the schedule of userID's digest due at due: unique
// per person and due time (a Fire that moves the digest creates the next
// schedule while its own still exists), at most 64 characters of
// [0-9a-zA-Z-_.].
func ScheduleName(userID string, due time.Time) string {
	id := userID
	if unsafeName.MatchString(id) || len(id) > 40 {
		sum := sha256.Sum256([]byte(userID))
		id = hex.EncodeToString(sum[:16])
	}
	return "digest-" + id + "-" + strconv.FormatInt(due.Unix(), 10)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Outcome says what Fire did (for logs and tests).
type Outcome string

const (
	OutcomeSent     Outcome = "sent"
	OutcomeStale    Outcome = "stale"    // not the pending digest's invocation, or another holds it
	OutcomeOff      Outcome = "off"      // email is off: pending items dropped
	OutcomeBack     Outcome = "back"     // connected again: pending items dropped
	OutcomeNothing  Outcome = "nothing"  // everything was read (or deleted) meanwhile
	OutcomeDeferred Outcome = "deferred" // do-not-disturb or the hourly limit: moved
)

// Fire handles the schedule's invocation: it sends the digest if it is
// still due. An error makes the scheduler retry (the digest stays pending).
func (s *Service) Fire(ctx context.Context, ev Event) (Outcome, error) {
	if ev.UserID == "" || ev.Due.IsZero() {
		return "", fmt.Errorf("digest: event needs userId and due")
	}
	if s.c.Mailer == nil {
		return "", errors.New("digest: this instance schedules only (no Mailer)")
	}
	now := s.c.Clock().UTC()
	log := s.c.Logger.With("userId", ev.UserID, "due", ev.Due.UTC().Format(time.RFC3339))
	held, err := s.c.Store.Lease(ctx, ev.UserID, ev.Due, now, now.Add(lease))
	if err != nil {
		return "", fmt.Errorf("digest: lease: %w", err)
	}
	if !held {
		log.InfoContext(ctx, "digest: stale invocation")
		return OutcomeStale, nil
	}
	out, err := s.fire(ctx, ev, now, log)
	if err != nil {
		if rerr := s.c.Store.ReleaseLease(context.WithoutCancel(ctx), ev.UserID, ev.Due); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return "", err
	}
	log.InfoContext(ctx, "digest: fired", "outcome", string(out))
	return out, nil
}

func (s *Service) fire(ctx context.Context, ev Event, now time.Time, log *slog.Logger) (Outcome, error) {
	user := ev.UserID
	p, err := s.c.Prefs.EmailPrefs(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: preferences: %w", err)
	}
	items, err := s.c.Store.Items(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: items: %w", err)
	}
	finish := func(o Outcome, drop []Item, sentAt time.Time) (Outcome, error) {
		if err := s.c.Store.DeleteItems(ctx, user, drop); err != nil {
			return "", fmt.Errorf("digest: delete items: %w", err)
		}
		if err := s.c.Store.Finish(ctx, user, ev.Due, sentAt); err != nil {
			return "", fmt.Errorf("digest: finish: %w", err)
		}
		return o, s.afterFinish(ctx, user, p, now, items)
	}
	if !p.Enabled {
		return finish(OutcomeOff, items, time.Time{})
	}
	conns, err := s.c.Chat.UserConnections(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: connections: %w", err)
	}
	if len(conns) > 0 {
		return finish(OutcomeBack, items, time.Time{})
	}
	profile, err := s.c.Chat.GetProfile(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: profile: %w", err)
	}
	keep, drop, err := s.unread(ctx, user, items, profile.LastSeen)
	if err != nil {
		return "", err
	}
	if len(keep) == 0 {
		return finish(OutcomeNothing, drop, time.Time{})
	}
	// Do-not-disturb, then the hourly limit: move the digest (the items
	// stay; what is read by then is dropped at the next Fire).
	head, err := s.c.Store.Head(ctx, user)
	if err != nil {
		return "", fmt.Errorf("digest: head: %w", err)
	}
	next := now
	if n := head.LastSentAt.Add(s.c.MinInterval); n.After(next) {
		next = n
	}
	next = dndEnd(next, p.InDND)
	if next.After(now) {
		due := s.fit(next, now, p)
		name := ScheduleName(user, due)
		moved, err := s.c.Store.MoveDue(ctx, user, ev.Due, due, name)
		if err != nil {
			return "", fmt.Errorf("digest: move: %w", err)
		}
		if moved {
			if err := s.schedule(ctx, user, name, due); err != nil {
				// Pending with no schedule: the next missed item sees
				// it stale after staleAfter and schedules again.
				log.ErrorContext(ctx, "digest: reschedule failed", "error", err)
			}
		}
		if err := s.c.Store.DeleteItems(ctx, user, drop); err != nil {
			return "", fmt.Errorf("digest: delete items: %w", err)
		}
		log.InfoContext(ctx, "digest deferred", "until", due.Format(time.RFC3339))
		return OutcomeDeferred, nil
	}
	mail, listed, err := s.compose(ctx, user, p, keep)
	if err != nil {
		return "", err
	}
	if len(listed) == 0 {
		return finish(OutcomeNothing, append(keep, drop...), time.Time{})
	}
	if err := s.c.Mailer.Send(ctx, mail); err != nil {
		return "", fmt.Errorf("digest: send: %w", err)
	}
	log.InfoContext(ctx, "digest sent", "items", len(listed))
	return finish(OutcomeSent, append(keep, drop...), now)
}

// afterFinish schedules the next digest when items arrived while this one
// was being handled (Missed saw it pending and scheduled nothing).
func (s *Service) afterFinish(ctx context.Context, user string, p Prefs, now time.Time, handled []Item) error {
	if !p.Enabled {
		return nil
	}
	rest, err := s.c.Store.Items(ctx, user)
	if err != nil || len(rest) == 0 {
		return err
	}
	seen := map[string]bool{}
	for _, it := range handled {
		seen[it.key()] = true
	}
	var oldest time.Time
	for _, it := range rest {
		if !seen[it.key()] && (oldest.IsZero() || it.At.Before(oldest)) {
			oldest = it.At
		}
	}
	if oldest.IsZero() {
		return nil
	}
	return s.ensureScheduled(ctx, user, p, now, oldest)
}

// unread splits items into those still unread (the person is a member, the
// message is there, their read position is before it, and they have not
// been online since it arrived) and the rest.
func (s *Service) unread(ctx context.Context, user string, items []Item, lastSeen time.Time) (keep, drop []Item, err error) {
	readSeq := map[string]int64{}
	member := map[string]bool{}
	for _, it := range items {
		if _, ok := member[it.RoomID]; !ok {
			m, err := s.c.Chat.GetMember(ctx, it.RoomID, user)
			switch {
			case chat.ErrorCode(err) == chat.NotFound:
				member[it.RoomID] = false
			case err != nil:
				return nil, nil, fmt.Errorf("digest: member: %w", err)
			default:
				member[it.RoomID], readSeq[it.RoomID] = true, m.ReadSeq
			}
		}
		if !member[it.RoomID] || readSeq[it.RoomID] >= it.Seq || !lastSeen.Before(it.At) {
			drop = append(drop, it)
			continue
		}
		keep = append(keep, it)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].At.Before(keep[j].At) })
	return keep, drop, nil
}
