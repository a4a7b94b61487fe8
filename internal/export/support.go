package export

import (
	"archive/zip"
	"context"
	"fmt"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EntrySupport is support.json (issue 17): the customer support data about
// the person. For a visitor: its conversations as it sees them (its name,
// email, page, topic, states, times, its rating), never the agents'
// transfers or notes (the notes are agents' messages, not in its
// messages.json either). For an agent: the teams they answer for, their
// availability and the canned answers they last wrote.
const EntrySupport = "support.json"

// SupportSource is what support.json reads (internal/dynamo.Store has it);
// a Source without it writes no support.json.
type SupportSource interface {
	ListVisitorConversations(ctx context.Context, visitorID string, limit int) ([]chat.SupportConversation, error)
	ListSupportTeams(ctx context.Context) ([]chat.SupportTeam, error)
	GetAgentStatus(ctx context.Context, userID string) (chat.AgentStatus, error)
	ListCannedAnswers(ctx context.Context) ([]chat.CannedAnswer, error)
}

// SupportExport is support.json.
type SupportExport struct {
	Conversations []chat.SupportConversation `json:"conversations"`
	Teams         []SupportTeamRef           `json:"teams"`
	Availability  string                     `json:"availability,omitempty"`
	CannedAnswers []chat.CannedAnswer        `json:"cannedAnswers"`
}

// SupportTeamRef is a team the person answers for.
type SupportTeamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Lead bool   `json:"lead,omitempty"`
}

func (w *Writer) support(ctx context.Context, zw *zip.Writer, userID string) error {
	ss, ok := w.Source.(SupportSource)
	if !ok {
		return nil
	}
	out := SupportExport{Conversations: []chat.SupportConversation{}, Teams: []SupportTeamRef{}, CannedAnswers: []chat.CannedAnswer{}}
	if chat.IsVisitorID(userID) {
		convs, err := ss.ListVisitorConversations(ctx, userID, 0)
		if err != nil {
			return fmt.Errorf("support conversations: %w", err)
		}
		for _, c := range convs {
			out.Conversations = append(out.Conversations, c.ForVisitor())
		}
		return writeJSON(zw, EntrySupport, out)
	}
	teams, err := ss.ListSupportTeams(ctx)
	if err != nil {
		return fmt.Errorf("support teams: %w", err)
	}
	for _, t := range teams {
		if t.HasAgent(userID) {
			out.Teams = append(out.Teams, SupportTeamRef{ID: t.ID, Name: t.Name, Lead: t.IsLead(userID)})
		}
	}
	if len(out.Teams) > 0 {
		st, err := ss.GetAgentStatus(ctx, userID)
		if err != nil {
			return fmt.Errorf("agent status: %w", err)
		}
		out.Availability = st.Availability
	}
	answers, err := ss.ListCannedAnswers(ctx)
	if err != nil {
		return fmt.Errorf("canned answers: %w", err)
	}
	for _, a := range answers {
		if a.UpdatedBy == userID {
			out.CannedAnswers = append(out.CannedAnswers, a)
		}
	}
	return writeJSON(zw, EntrySupport, out)
}
