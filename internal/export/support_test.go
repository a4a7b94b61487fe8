package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

type supportSource struct {
	*fakeSource
	convs   []chat.SupportConversation
	teams   []chat.SupportTeam
	answers []chat.CannedAnswer
}

func (s supportSource) ListVisitorConversations(_ context.Context, id string, _ int) ([]chat.SupportConversation, error) {
	var out []chat.SupportConversation
	for _, c := range s.convs {
		if c.Visitor.ID == id {
			out = append(out, c)
		}
	}
	return out, nil
}
func (s supportSource) ListSupportTeams(context.Context) ([]chat.SupportTeam, error) {
	return s.teams, nil
}
func (s supportSource) GetAgentStatus(_ context.Context, id string) (chat.AgentStatus, error) {
	return chat.AgentStatus{UserID: id, Availability: chat.AgentOnline}, nil
}
func (s supportSource) ListCannedAnswers(context.Context) ([]chat.CannedAnswer, error) {
	return s.answers, nil
}

// TestArchiveSupport: an agent's support.json holds their teams, status
// and canned answers.
func TestArchiveSupport(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := supportSource{fakeSource: &fakeSource{},
		teams:   []chat.SupportTeam{{ID: "team_a", Name: "Billing", Agents: []string{"u1"}}, {ID: "team_b", Name: "Other", Agents: []string{"u2"}}},
		answers: []chat.CannedAnswer{{ID: "can_a", Shortcut: "hi", Title: "Hi", Text: "Hello", UpdatedBy: "u1", UpdatedAt: at}, {ID: "can_b", UpdatedBy: "u2"}},
	}
	raw := entryOf(t, writeArchive(t, src), EntrySupport)
	var got SupportExport
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Teams) != 1 || got.Teams[0].Name != "Billing" || got.Availability != chat.AgentOnline || len(got.CannedAnswers) != 1 || got.CannedAnswers[0].ID != "can_a" {
		t.Errorf("support.json = %s", raw)
	}
}

// TestSupportExportForVisitor: a visitor's support.json has its
// conversations without the agents' transfers (their notes).
func TestSupportExportForVisitor(t *testing.T) {
	const vis = "vis_vvvvvvvvvvvvvvvvvvvvvvvvvv"
	src := supportSource{fakeSource: &fakeSource{}, convs: []chat.SupportConversation{{RoomID: "sup_1", Visitor: chat.SupportVisitor{ID: vis, Name: "Dana"},
		State: chat.SupportClosed, Transfers: []chat.SupportTransfer{{Note: "agents only: difficult customer", By: "a1"}}}}}
	var buf bytes.Buffer
	if _, err := (&Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}).Write(context.Background(), vis, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	raw := entryOf(t, zr, EntrySupport)
	if !strings.Contains(string(raw), "sup_1") || strings.Contains(string(raw), "difficult") {
		t.Errorf("visitor's support.json = %s", raw)
	}
}
