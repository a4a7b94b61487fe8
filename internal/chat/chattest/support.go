package chattest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.SupportStore = (*Store)(nil)

// supportState holds customer support (chat/support.go): teams, agents'
// statuses, conversations (by room) and canned answers.
type supportState struct {
	teams    map[string]chat.SupportTeam
	statuses map[string]chat.AgentStatus
	convs    map[string]chat.SupportConversation
	canned   map[string]chat.CannedAnswer
}

func (s *Store) supportLocked() *supportState {
	if s.supp == nil {
		s.supp = &supportState{teams: map[string]chat.SupportTeam{}, statuses: map[string]chat.AgentStatus{},
			convs: map[string]chat.SupportConversation{}, canned: map[string]chat.CannedAnswer{}}
	}
	return s.supp
}

func cloneTeam(t chat.SupportTeam) chat.SupportTeam {
	t.Topics, t.Agents, t.Leads = slices.Clone(t.Topics), slices.Clone(t.Agents), slices.Clone(t.Leads)
	if t.Hours != nil {
		h := *t.Hours
		for i := range h.Days {
			h.Days[i] = slices.Clone(h.Days[i])
		}
		t.Hours = &h
	}
	return t
}

func cloneConv(c chat.SupportConversation) chat.SupportConversation {
	c.Transfers = slices.Clone(c.Transfers)
	if c.Rating != nil {
		r := *c.Rating
		c.Rating = &r
	}
	return c
}

func (s *Store) PutSupportTeam(ctx context.Context, t chat.SupportTeam) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutSupportTeam", t.ID); err != nil {
		return err
	}
	s.supportLocked().teams[t.ID] = cloneTeam(t)
	return nil
}

func (s *Store) GetSupportTeam(ctx context.Context, id string) (chat.SupportTeam, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetSupportTeam", id); err != nil {
		return chat.SupportTeam{}, err
	}
	t, ok := s.supportLocked().teams[id]
	if !ok {
		return chat.SupportTeam{}, chat.Errorf(chat.NotFound, "team not found")
	}
	return cloneTeam(t), nil
}

func (s *Store) ListSupportTeams(ctx context.Context) ([]chat.SupportTeam, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListSupportTeams"); err != nil {
		return nil, err
	}
	out := []chat.SupportTeam{}
	for _, t := range s.supportLocked().teams {
		out = append(out, cloneTeam(t))
	}
	slices.SortFunc(out, func(a, b chat.SupportTeam) int {
		return strings.Compare(strings.ToLower(a.Name)+a.ID, strings.ToLower(b.Name)+b.ID)
	})
	return out, nil
}

func (s *Store) DeleteSupportTeam(ctx context.Context, id string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteSupportTeam", id); err != nil {
		return err
	}
	st := s.supportLocked()
	if _, ok := st.teams[id]; !ok {
		return chat.Errorf(chat.NotFound, "team not found")
	}
	delete(st.teams, id)
	return nil
}

func (s *Store) GetAgentStatus(ctx context.Context, userID string) (chat.AgentStatus, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetAgentStatus", userID); err != nil {
		return chat.AgentStatus{}, err
	}
	return s.agentLocked(userID), nil
}

func (s *Store) agentLocked(userID string) chat.AgentStatus {
	a, ok := s.supportLocked().statuses[userID]
	if !ok {
		return chat.AgentStatus{UserID: userID, Availability: chat.AgentAway}
	}
	return a
}

func (s *Store) SetAgentAvailability(ctx context.Context, userID, availability string, capacity int, at time.Time) (chat.AgentStatus, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetAgentAvailability", userID); err != nil {
		return chat.AgentStatus{}, err
	}
	a := s.agentLocked(userID)
	a.Availability, a.UpdatedAt = availability, at
	if capacity >= 0 {
		a.Capacity = capacity
	}
	s.supportLocked().statuses[userID] = a
	return a, nil
}

func (s *Store) AssignAgent(ctx context.Context, userID string, limit int, at time.Time) (chat.AgentStatus, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AssignAgent", userID); err != nil {
		return chat.AgentStatus{}, err
	}
	a := s.agentLocked(userID)
	if limit >= 0 && (a.Availability != chat.AgentOnline || a.Open >= limit) {
		return chat.AgentStatus{}, chat.Errorf(chat.Conflict, "the agent is not available")
	}
	a.Open++
	a.LastAssignedAt = at
	s.supportLocked().statuses[userID] = a
	return a, nil
}

func (s *Store) ReleaseAgent(ctx context.Context, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ReleaseAgent", userID); err != nil {
		return err
	}
	a := s.agentLocked(userID)
	if a.Open > 0 {
		a.Open--
	}
	s.supportLocked().statuses[userID] = a
	return nil
}

func (s *Store) CreateSupportConversation(ctx context.Context, room chat.Room, conv chat.SupportConversation, visitor chat.Member) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateSupportConversation", room.ID); err != nil {
		return err
	}
	if _, ok := s.rooms[room.ID]; ok {
		return chat.Errorf(chat.Conflict, "room exists")
	}
	conv.Version = 1
	room.Support = nil
	room.MemberCount = 1
	s.rooms[room.ID] = room
	s.members[room.ID] = map[string]chat.Member{visitor.UserID: visitor}
	s.supportLocked().convs[room.ID] = cloneConv(conv)
	return nil
}

// supportRoomLocked attaches the conversation to a support room read.
func (s *Store) supportRoomLocked(r *chat.Room) {
	if r.Kind != chat.KindSupport || s.supp == nil {
		return
	}
	if c, ok := s.supp.convs[r.ID]; ok {
		c = cloneConv(c)
		r.Support = &c
	}
}

func (s *Store) GetSupportConversation(ctx context.Context, roomID string) (chat.SupportConversation, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetSupportConversation", roomID); err != nil {
		return chat.SupportConversation{}, err
	}
	c, ok := s.supportLocked().convs[roomID]
	if !ok {
		return chat.SupportConversation{}, chat.Errorf(chat.NotFound, "room not found")
	}
	return cloneConv(c), nil
}

func (s *Store) UpdateSupportConversation(ctx context.Context, conv chat.SupportConversation) (chat.SupportConversation, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateSupportConversation", conv.RoomID); err != nil {
		return chat.SupportConversation{}, err
	}
	st := s.supportLocked()
	old, ok := st.convs[conv.RoomID]
	if !ok {
		return chat.SupportConversation{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if old.Version != conv.Version {
		return chat.SupportConversation{}, chat.Errorf(chat.Conflict, "the conversation changed meanwhile: try again")
	}
	conv.Version++
	st.convs[conv.RoomID] = cloneConv(conv)
	return cloneConv(conv), nil
}

func (s *Store) TouchSupportConversation(ctx context.Context, roomID string, at time.Time) (chat.SupportConversation, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "TouchSupportConversation", roomID); err != nil {
		return chat.SupportConversation{}, err
	}
	st := s.supportLocked()
	c, ok := st.convs[roomID]
	if !ok {
		return chat.SupportConversation{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if at.After(c.LastMessageAt) {
		c.LastMessageAt = at
		st.convs[roomID] = c
	}
	return cloneConv(c), nil
}

func sortConvs(out []chat.SupportConversation) {
	slices.SortFunc(out, func(a, b chat.SupportConversation) int { return b.CreatedAt.Compare(a.CreatedAt) })
}

func (s *Store) ListSupportQueue(ctx context.Context, teamID, state string, limit int) ([]chat.SupportConversation, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListSupportQueue", teamID, state); err != nil {
		return nil, err
	}
	out := []chat.SupportConversation{}
	for _, c := range s.supportLocked().convs {
		if c.TeamID == teamID && c.State == state {
			out = append(out, cloneConv(c))
		}
	}
	sortConvs(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Store) ListVisitorConversations(ctx context.Context, visitorID string, limit int) ([]chat.SupportConversation, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListVisitorConversations", visitorID); err != nil {
		return nil, err
	}
	out := []chat.SupportConversation{}
	for _, c := range s.supportLocked().convs {
		if c.Visitor.ID == visitorID {
			out = append(out, cloneConv(c))
		}
	}
	sortConvs(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Store) PutCannedAnswer(ctx context.Context, a chat.CannedAnswer) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutCannedAnswer", a.ID); err != nil {
		return err
	}
	st := s.supportLocked()
	for _, o := range st.canned {
		if o.ID != a.ID && o.TeamID == a.TeamID && o.Shortcut == a.Shortcut {
			return chat.Errorf(chat.Conflict, "the shortcut #%s is taken", a.Shortcut)
		}
	}
	st.canned[a.ID] = a
	return nil
}

func (s *Store) GetCannedAnswer(ctx context.Context, id string) (chat.CannedAnswer, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetCannedAnswer", id); err != nil {
		return chat.CannedAnswer{}, err
	}
	a, ok := s.supportLocked().canned[id]
	if !ok {
		return chat.CannedAnswer{}, chat.Errorf(chat.NotFound, "canned answer not found")
	}
	return a, nil
}

func (s *Store) DeleteCannedAnswer(ctx context.Context, id string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteCannedAnswer", id); err != nil {
		return err
	}
	st := s.supportLocked()
	if _, ok := st.canned[id]; !ok {
		return chat.Errorf(chat.NotFound, "canned answer not found")
	}
	delete(st.canned, id)
	return nil
}

func (s *Store) ListCannedAnswers(ctx context.Context) ([]chat.CannedAnswer, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListCannedAnswers"); err != nil {
		return nil, err
	}
	out := []chat.CannedAnswer{}
	for _, a := range s.supportLocked().canned {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b chat.CannedAnswer) int { return strings.Compare(a.Shortcut+a.ID, b.Shortcut+b.ID) })
	return out, nil
}
