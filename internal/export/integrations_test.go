package export

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// withIntegrations is a source that keeps registrations (the store does).
type withIntegrations struct {
	*fakeSource
	regs []chat.Integration
}

func (w withIntegrations) IntegrationsBy(_ context.Context, userID string) ([]chat.Integration, error) {
	var out []chat.Integration
	for _, r := range w.regs {
		if r.CreatedBy == userID {
			out = append(out, r)
		}
	}
	return out, nil
}

// TestArchiveIntegrations: integrations.json lists the slash commands and
// outgoing webhooks the person registered, never their signing secrets.
func TestArchiveIntegrations(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := withIntegrations{fakeSource: &fakeSource{}, regs: []chat.Integration{
		{ID: "ig_1", Kind: chat.KindCommand, RoomID: "r1", Command: "deploy", URL: "https://ci.example.com/d", Secret: "bcsec_topsecret", CreatedBy: "u1", CreatedAt: at},
		{ID: "ig_2", Kind: chat.KindOutgoing, RoomID: "r1", URL: "https://x.example.com/o", TriggerWords: []string{"incident"}, Secret: "bcsec_other", CreatedBy: "u2", CreatedAt: at},
	}}
	raw := entryOf(t, writeArchive(t, src), EntryIntegrations)
	var regs []chat.Integration
	if err := json.Unmarshal(raw, &regs); err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 || regs[0].Command != "deploy" || regs[0].URL != "https://ci.example.com/d" {
		t.Errorf("integrations.json %s", raw)
	}
	if strings.Contains(string(raw), "bcsec_") {
		t.Error("integrations.json holds a signing secret")
	}
}
