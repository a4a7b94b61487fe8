package service

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Preferences, the tab's visibility and Web Push subscriptions (issue #13).
// Preferences are stored per person (one item) and pushed to the person's
// other connections on every change, so each device shows them at once.

// preferencesOf reads the caller's preferences with the deployment's push
// key filled in.
func (s *Chat) preferencesOf(ctx context.Context, userID string) (chat.Preferences, error) {
	p, err := s.store.GetPreferences(ctx, userID)
	if err != nil {
		return chat.Preferences{}, storeErr(err, "get preferences")
	}
	p.PushKey = s.pushKey
	return p, nil
}

// SetPreferences changes the fields of notify and appearance given, checks
// the result (time zone, times, colour, enums) and stores it. Cost: one
// GetItem and one conditional PutItem, a Query of the caller's connections
// and one post per other connection.
func (s *Chat) SetPreferences(ctx context.Context, c chat.Connection, r protocol.SetPreferencesRequest) (protocol.PreferencesEvent, error) {
	if err := chat.Authorize(chat.ActSetPreferences, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	if r.Notify == nil && r.Appearance == nil && r.Privacy == nil {
		return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, "nothing to change: give notify, appearance or privacy")
	}
	var before chat.Privacy
	p, err := s.store.UpdatePreferences(ctx, c.UserID, func(p *chat.Preferences) error {
		before = p.Privacy
		if err := applyPrivacy(&p.Privacy, r.Privacy); err != nil {
			return err
		}
		if n := r.Notify; n != nil {
			setIf(&p.Notify.Previews, n.Previews)
			setIf(&p.Notify.Email, n.Email)
			setIf(&p.Notify.EmailDelayMinutes, n.EmailDelayMinutes)
			if d := n.DND; d != nil {
				setIf(&p.Notify.DND.Enabled, d.Enabled)
				setIf(&p.Notify.DND.Start, d.Start)
				setIf(&p.Notify.DND.End, d.End)
				setIf(&p.Notify.DND.TZ, d.TZ)
				if d.Days != nil {
					p.Notify.DND.Days = d.Days
				}
			}
			if err := p.Notify.Validate(); err != nil {
				return err
			}
		}
		if a := r.Appearance; a != nil {
			setIf(&p.Appearance.Theme, a.Theme)
			setIf(&p.Appearance.Accent, a.Accent)
			setIf(&p.Appearance.Layout, a.Layout)
			setIf(&p.Appearance.Lang, a.Lang)
			setIf(&p.Appearance.Sound, a.Sound)
			if err := p.Appearance.Validate(); err != nil {
				return err
			}
		}
		*p = p.Normalize()
		return nil
	})
	if err != nil {
		return protocol.PreferencesEvent{}, storeErr(err, "set preferences")
	}
	if err := s.privacyChanged(ctx, c, before, p.Privacy); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	return s.preferencesChanged(ctx, c, p), nil
}

// SetRoomNotify sets what one of the caller's rooms notifies about and
// until when it is muted. Members only (the policy). Cost: the membership
// GetItem, then as SetPreferences.
func (s *Chat) SetRoomNotify(ctx context.Context, c chat.Connection, r protocol.SetRoomNotifyRequest) (protocol.PreferencesEvent, error) {
	if _, err := s.authorize(ctx, c, chat.ActSetRoomNotify, r.RoomID, false); err != nil {
		return protocol.PreferencesEvent{}, err
	}
	if r.Level == nil && r.MuteUntil == nil {
		return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, "nothing to change: give level or muteUntil")
	}
	var level *chat.NotifyLevel
	if r.Level != nil {
		l := chat.NotifyLevel(*r.Level)
		if !chat.ValidLevel(l) {
			return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, `level must be "all", "mentions", "nothing" or "" (the default)`)
		}
		level = &l
	}
	var until *time.Time
	if r.MuteUntil != nil {
		var t time.Time
		if *r.MuteUntil != "" {
			var err error
			t, err = time.Parse(time.RFC3339, *r.MuteUntil)
			if err != nil {
				return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, `muteUntil must be an RFC 3339 time such as 2026-12-01T10:00:00Z, or "" to unmute`)
			}
			if t.After(s.clock().Add(chat.MaxMuteAhead)) && !t.Equal(chat.MuteForever) {
				return protocol.PreferencesEvent{}, chat.Errorf(chat.Invalid, "muteUntil must be within a year, or 9999-12-31T00:00:00Z (until unmuted)")
			}
			t = t.UTC().Truncate(time.Second)
		}
		until = &t
	}
	p, err := s.store.UpdatePreferences(ctx, c.UserID, func(p *chat.Preferences) error {
		rn := p.Rooms[r.RoomID]
		if level != nil {
			rn.Level = *level
		}
		if until != nil {
			rn.MuteUntil = *until
		}
		if !rn.MuteUntil.IsZero() && !rn.MuteUntil.After(s.clock()) {
			rn.MuteUntil = time.Time{} // a mute in the past is no mute
		}
		if rn == (chat.RoomNotify{}) {
			delete(p.Rooms, r.RoomID)
		} else {
			p.Rooms[r.RoomID] = rn
		}
		return nil
	})
	if err != nil {
		return protocol.PreferencesEvent{}, storeErr(err, "set room notifications")
	}
	return s.preferencesChanged(ctx, c, p), nil
}

// preferencesChanged pushes the new preferences to the caller's other
// connections and returns the reply.
func (s *Chat) preferencesChanged(ctx context.Context, c chat.Connection, p chat.Preferences) protocol.PreferencesEvent {
	p.PushKey = s.pushKey
	ev := protocol.PreferencesEvent{Head: protocol.Head{Type: protocol.EventPreferences}, Preferences: p}
	own, err := s.store.UserConnections(ctx, c.UserID)
	if err != nil {
		s.log.WarnContext(ctx, "preferences not pushed to other devices", slog.Any("error", err))
		return ev
	}
	s.push.send(ctx, without(own, c.ID), ev) // the person's own news: a direct push, not a domain event
	return ev
}

// SetVisibility records whether the caller's tab is visible: the
// notification pipeline pushes only to people with no visible connection.
// No reply. Throttled per connection in memory (VisibilityPerMinute);
// past it calls are dropped silently, as typing's are.
func (s *Chat) SetVisibility(ctx context.Context, c chat.Connection, r protocol.SetVisibilityRequest) error {
	if err := chat.Authorize(chat.ActSetVisibility, chat.Access{Groups: c.Groups}); err != nil {
		return err
	}
	if !s.visibility.allow(c.ID, s.now()) {
		s.log.DebugContext(ctx, "visibility throttled", slog.String("connectionId", c.ID))
		return nil
	}
	if err := s.store.SetConnectionVisible(ctx, c.UserID, c.ID, r.Visible); err != nil {
		return storeErr(err, "set visibility")
	}
	return nil
}

// PushSubscribe stores the caller's Web Push subscription for this device
// (chat.MaxPushSubscriptions per person; the oldest goes).
func (s *Chat) PushSubscribe(ctx context.Context, c chat.Connection, r protocol.PushSubscribeRequest) (protocol.PushSubscribedEvent, error) {
	if err := chat.Authorize(chat.ActPushSubscribe, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.PushSubscribedEvent{}, err
	}
	if s.pushKey == "" {
		return protocol.PushSubscribedEvent{}, chat.Errorf(chat.Invalid, "push notifications are off in this deployment")
	}
	sub := chat.PushSubscription{
		UserID: c.UserID, Endpoint: r.Endpoint, P256dh: r.Keys.P256dh, Auth: r.Keys.Auth,
		Device: strings.TrimSpace(r.Device), CreatedAt: s.clock(),
	}
	if err := chat.ValidatePushSubscription(sub); err != nil {
		return protocol.PushSubscribedEvent{}, err
	}
	if err := s.store.PutPushSubscription(ctx, sub, chat.MaxPushSubscriptions); err != nil {
		return protocol.PushSubscribedEvent{}, storeErr(err, "store push subscription")
	}
	return protocol.PushSubscribedEvent{Head: protocol.Head{Type: protocol.EventPushSubscribed}, Endpoint: sub.Endpoint, Subscribed: true}, nil
}

// PushUnsubscribe forgets one of the caller's subscriptions; forgetting
// one that is not stored is fine (the reply is the same).
func (s *Chat) PushUnsubscribe(ctx context.Context, c chat.Connection, r protocol.PushUnsubscribeRequest) (protocol.PushSubscribedEvent, error) {
	if err := chat.Authorize(chat.ActPushUnsubscribe, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.PushSubscribedEvent{}, err
	}
	if r.Endpoint == "" || len(r.Endpoint) > chat.MaxPushEndpointBytes {
		return protocol.PushSubscribedEvent{}, chat.Errorf(chat.Invalid, "endpoint must be the subscription's URL")
	}
	if _, err := s.store.DeletePushSubscription(ctx, c.UserID, r.Endpoint); err != nil {
		return protocol.PushSubscribedEvent{}, storeErr(err, "delete push subscription")
	}
	return protocol.PushSubscribedEvent{Head: protocol.Head{Type: protocol.EventPushSubscribed}, Endpoint: r.Endpoint}, nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// VisibilityPerMinute is how many setVisibility calls one connection may
// make a minute to one function instance (a tab switching back and forth;
// past it the calls are dropped, and the next one after the minute wins).
const VisibilityPerMinute = 60

// connLimiter counts calls per connection in memory in fixed one-minute
// windows (see wsapi's ping limiter for why memory and not the table).
type connLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Time
	counts map[string]int
}

func newConnLimiter(limit int) *connLimiter {
	return &connLimiter{limit: limit, counts: map[string]int{}}
}

func (l *connLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Truncate(time.Minute); !w.Equal(l.window) {
		l.window, l.counts = w, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}
