package digest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

type prefsMap map[string]chat.Preferences

func (m prefsMap) GetPreferences(_ context.Context, id string) (chat.Preferences, error) {
	if p, ok := m[id]; ok {
		return p, nil
	}
	return chat.DefaultPreferences(), nil
}

func (m prefsMap) UpdatePreferences(ctx context.Context, id string, edit func(*chat.Preferences) error) (chat.Preferences, error) {
	p, _ := m.GetPreferences(ctx, id)
	if err := edit(&p); err != nil {
		return chat.Preferences{}, err
	}
	m[id] = p
	return p, nil
}

func TestStorePrefsReadsTheSyncedPreferences(t *testing.T) {
	ctx := context.Background()
	p := chat.DefaultPreferences()
	p.Notify.EmailDelayMinutes = 30
	p.Notify.DND = chat.DND{Enabled: true, Start: "22:00", End: "07:00", TZ: "Europe/Berlin", Days: []int{1, 2, 3, 4, 5, 6, 7}}
	p.Appearance.Lang = "de"
	src := StorePrefs{Store: prefsMap{"bo": p}}

	got, err := src.EmailPrefs(ctx, "bo")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Enabled || got.Delay != 30*time.Minute || got.Lang != "de" || got.Zone.String() != "Europe/Berlin" {
		t.Fatalf("EmailPrefs = %+v", got)
	}
	night := time.Date(2026, 12, 1, 23, 30, 0, 0, got.Zone)
	noon := time.Date(2026, 12, 1, 12, 0, 0, 0, got.Zone)
	if !got.InDND(night) || got.InDND(noon) {
		t.Fatalf("InDND(23:30) = %v, InDND(12:00) = %v", got.InDND(night), got.InDND(noon))
	}

	if err := src.DisableEmail(ctx, "bo"); err != nil {
		t.Fatal(err)
	}
	if got, _ := src.EmailPrefs(ctx, "bo"); got.Enabled || got.Lang != "de" {
		t.Fatalf("after DisableEmail: %+v (email must be off, the rest kept)", got)
	}
}
