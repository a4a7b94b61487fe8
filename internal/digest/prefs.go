package digest

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PreferencesStore is where the people's preferences (issue #13,
// internal/chat/preferences.go) are kept; internal/dynamo.Store has it.
type PreferencesStore interface {
	GetPreferences(ctx context.Context, userID string) (chat.Preferences, error)
	UpdatePreferences(ctx context.Context, userID string, edit func(*chat.Preferences) error) (chat.Preferences, error)
}

// StorePrefs is the PrefsSource over the people's synced preferences:
// notify.email, notify.emailDelayMinutes, the do-not-disturb schedule and
// the language they chose.
type StorePrefs struct{ Store PreferencesStore }

func (s StorePrefs) EmailPrefs(ctx context.Context, userID string) (Prefs, error) {
	p, err := s.Store.GetPreferences(ctx, userID)
	if err != nil {
		return Prefs{}, err
	}
	zone := time.UTC
	if loc, err := time.LoadLocation(p.Notify.DND.TZ); err == nil && p.Notify.DND.TZ != "" {
		zone = loc
	}
	return Prefs{
		Enabled: p.Notify.Email,
		Delay:   time.Duration(p.Notify.EmailDelayMinutes) * time.Minute,
		InDND:   p.InDoNotDisturb,
		Lang:    p.Appearance.Lang,
		Zone:    zone,
	}, nil
}

// DisableEmail turns notify.email off: the unsubscribe link.
func (s StorePrefs) DisableEmail(ctx context.Context, userID string) error {
	_, err := s.Store.UpdatePreferences(ctx, userID, func(p *chat.Preferences) error {
		p.Notify.Email = false
		return nil
	})
	return err
}
