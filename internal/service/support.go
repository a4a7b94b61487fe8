package service

import (
	"cmp"
	"context"
	"log/slog"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Customer support (issue #17; chat/support.go has the model, the policy's
// rows are chat/policy_support.go, docs/ARCHITECTURE.md "Customer
// support" the design). This file: teams, canned answers, agents'
// availability and the inbox. support_conv.go: the conversations
// (startSupport, claim, transfer, escalate, close, reopen, notes, rating).

// supportStore is the deployment's support store: the Store when it
// implements chat.SupportStore (internal/dynamo and chattest's do).
func (s *Chat) supportStore() (chat.SupportStore, error) {
	if ss, ok := s.store.(chat.SupportStore); ok {
		return ss, nil
	}
	return nil, chat.Errorf(chat.Internal, "customer support is not configured on this server")
}

// SupportRouter routes a visitor's new conversation: the widget's topics
// name the team, and whether its bot answers first. The widgets' store
// implements it (internal/dynamo, with chat.Widget); without one, startSupport
// routes by the teams' own topics and no bot answers.
type SupportRouter interface {
	SupportRoute(ctx context.Context, widgetID, topic string) (teamID string, bot bool, err error)
}

// myTeams lists the teams the user answers for (agents and leads), by name.
func (s *Chat) myTeams(ctx context.Context, ss chat.SupportStore, userID string) ([]chat.SupportTeam, error) {
	all, err := ss.ListSupportTeams(ctx)
	if err != nil {
		return nil, storeErr(err, "list support teams")
	}
	return slices.DeleteFunc(all, func(t chat.SupportTeam) bool { return !t.HasAgent(userID) }), nil
}

// agentAccess is the policy's input for a workspace support action: the
// caller's teams (Support.Agent when they answer for any).
func (s *Chat) agentAccess(ctx context.Context, c chat.Connection) (chat.SupportStore, []chat.SupportTeam, chat.Access, error) {
	acc := chat.Access{Groups: c.Groups, UserID: c.UserID}
	if c.IsVisitor() || c.IsBot() {
		return nil, nil, acc, nil // the policy refuses them before any read
	}
	ss, err := s.supportStore()
	if err != nil {
		return nil, nil, acc, err
	}
	teams, err := s.myTeams(ctx, ss, c.UserID)
	if err != nil {
		return nil, nil, acc, err
	}
	acc.Support.Agent = len(teams) > 0
	return ss, teams, acc, nil
}

// supportAccessFor is the caller's place in a conversation's team, for
// the policy (authorizeWith reads it for support rooms). A team gone
// makes nobody its agent (workspace admins still act).
func (s *Chat) supportAccessFor(ctx context.Context, userID, teamID string) (chat.SupportAccess, error) {
	ss, err := s.supportStore()
	if err != nil || teamID == "" {
		return chat.SupportAccess{}, nil
	}
	t, err := ss.GetSupportTeam(ctx, teamID)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.SupportAccess{}, nil
	}
	if err != nil {
		return chat.SupportAccess{}, storeErr(err, "get support team")
	}
	return chat.SupportAccess{Agent: t.HasAgent(userID), Lead: t.IsLead(userID)}, nil
}

var topicPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.&/-]*$`)

// supportTopic checks a topic: 1-40 letters, digits, spaces and _.&/-.
func supportTopic(raw string) (string, error) {
	t := strings.TrimSpace(raw)
	if t == "" || utf8.RuneCountInString(t) > chat.MaxTopicLen || !topicPattern.MatchString(t) {
		return "", chat.Errorf(chat.Invalid, "a topic is 1-%d letters, digits, spaces or _.&/-", chat.MaxTopicLen)
	}
	return t, nil
}

// teamPeople checks a team's agents or leads: existing people, no
// visitors or bots, at most MaxTeamMembers, each once.
func (s *Chat) teamPeople(ctx context.Context, ids []string, what string) ([]string, error) {
	if len(ids) > chat.MaxTeamMembers {
		return nil, chat.Errorf(chat.Invalid, "a team has at most %d %s", chat.MaxTeamMembers, what)
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if err := checkUserID(id); err != nil {
			return nil, err
		}
		if chat.IsVisitorID(id) || chat.IsBotID(id) || strings.HasPrefix(id, chat.VisitorIDPrefix) {
			return nil, chat.Errorf(chat.Invalid, "%s cannot be one of the team's %s", id, what)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	ps, err := s.profilesOf(ctx, out)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, p := range ps {
		if !p.Deleted {
			found[p.UserID] = true
		}
	}
	for _, id := range out {
		if !found[id] {
			return nil, chat.Errorf(chat.Invalid, "no such person: %s", id)
		}
	}
	return out, nil
}

// SaveSupportTeam creates a team (no id) or replaces one (admins).
func (s *Chat) SaveSupportTeam(ctx context.Context, c chat.Connection, r protocol.SaveSupportTeamRequest) (protocol.SupportTeamEvent, error) {
	if err := chat.Authorize(chat.ActSaveSupportTeam, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	t := r.Team
	name, err := displayName(t.Name)
	if err != nil || utf8.RuneCountInString(name) > chat.MaxTeamName {
		return protocol.SupportTeamEvent{}, chat.Errorf(chat.Invalid, "a team's name is 1-%d characters", chat.MaxTeamName)
	}
	t.Name = name
	if len(t.Topics) > chat.MaxTeamTopics {
		return protocol.SupportTeamEvent{}, chat.Errorf(chat.Invalid, "a team has at most %d topics", chat.MaxTeamTopics)
	}
	topics := make([]string, 0, len(t.Topics))
	for _, raw := range t.Topics {
		topic, err := supportTopic(raw)
		if err != nil {
			return protocol.SupportTeamEvent{}, err
		}
		if !slices.ContainsFunc(topics, func(o string) bool { return strings.EqualFold(o, topic) }) {
			topics = append(topics, topic)
		}
	}
	t.Topics = topics
	if t.Agents, err = s.teamPeople(ctx, t.Agents, "agents"); err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	if t.Leads, err = s.teamPeople(ctx, t.Leads, "leads"); err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	if t.Capacity < 0 || t.Capacity > chat.MaxAgentCapacity {
		return protocol.SupportTeamEvent{}, chat.Errorf(chat.Invalid, "capacity is 0 (the default, %d) to %d", chat.DefaultAgentCapacity, chat.MaxAgentCapacity)
	}
	if err := t.Hours.Validate(); err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	now := s.clock()
	if t.ID == "" {
		t.ID, t.CreatedAt = chat.TeamIDPrefix+newID(), now
	} else {
		old, err := ss.GetSupportTeam(ctx, t.ID)
		if err != nil {
			return protocol.SupportTeamEvent{}, storeErr(err, "get support team")
		}
		t.CreatedAt = old.CreatedAt
	}
	t.UpdatedAt = now
	if err := ss.PutSupportTeam(ctx, t); err != nil {
		return protocol.SupportTeamEvent{}, storeErr(err, "save support team")
	}
	s.audit(ctx, c, chat.ActSaveSupportTeam, "", t.ID, 0, "", t.Name)
	return protocol.SupportTeamEvent{Head: protocol.Head{Type: protocol.EventSupportTeam}, Team: t}, nil
}

// DeleteSupportTeam removes a team (admins). Its conversations stay; with
// the team gone only workspace admins act on them, or transfer them.
func (s *Chat) DeleteSupportTeam(ctx context.Context, c chat.Connection, r protocol.SupportTeamRef) (protocol.SupportTeamEvent, error) {
	if err := chat.Authorize(chat.ActDeleteSupportTeam, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.SupportTeamEvent{}, err
	}
	t, err := ss.GetSupportTeam(ctx, r.TeamID)
	if err != nil {
		return protocol.SupportTeamEvent{}, storeErr(err, "get support team")
	}
	if err := ss.DeleteSupportTeam(ctx, t.ID); err != nil {
		return protocol.SupportTeamEvent{}, storeErr(err, "delete support team")
	}
	s.audit(ctx, c, chat.ActDeleteSupportTeam, "", t.ID, 0, "", t.Name)
	return protocol.SupportTeamEvent{Head: protocol.Head{Type: protocol.EventSupportTeam}, Team: t, Deleted: true}, nil
}

// ListSupportTeams lists the caller's teams (workspace admins: all).
func (s *Chat) ListSupportTeams(ctx context.Context, c chat.Connection) (protocol.SupportTeamsEvent, error) {
	if err := chat.Authorize(chat.ActListSupportTeams, chat.Access{Groups: c.Groups, UserID: c.UserID}); err != nil {
		return protocol.SupportTeamsEvent{}, err
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.SupportTeamsEvent{}, err
	}
	teams, err := ss.ListSupportTeams(ctx)
	if err != nil {
		return protocol.SupportTeamsEvent{}, storeErr(err, "list support teams")
	}
	// Agents see every team (where to transfer a conversation: a team's
	// queue or one of its agents), admins too; anyone else none.
	if !isAdmin(c) && !slices.ContainsFunc(teams, func(t chat.SupportTeam) bool { return t.HasAgent(c.UserID) }) {
		teams = nil
	}
	return protocol.SupportTeamsEvent{Head: protocol.Head{Type: protocol.EventSupportTeams}, Teams: nonNilSlice(teams)}, nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// cannedAccess is the policy's input for managing answers of teamID: its
// leads (and admins) may.
func (s *Chat) cannedAccess(ctx context.Context, ss chat.SupportStore, c chat.Connection, teamID string) (chat.Access, error) {
	acc := chat.Access{Groups: c.Groups, UserID: c.UserID}
	if teamID == "" || c.IsVisitor() || c.IsBot() {
		return acc, nil
	}
	t, err := ss.GetSupportTeam(ctx, teamID)
	if chat.ErrorCode(err) == chat.NotFound {
		return acc, chat.Errorf(chat.NotFound, "team not found")
	}
	if err != nil {
		return acc, storeErr(err, "get support team")
	}
	acc.Support = chat.SupportAccess{Agent: t.HasAgent(c.UserID), Lead: t.IsLead(c.UserID)}
	return acc, nil
}

// SaveCannedAnswer creates (no id) or replaces a canned answer: workspace
// admins, or the leads of its team (a workspace-wide answer, no team: admins).
func (s *Chat) SaveCannedAnswer(ctx context.Context, c chat.Connection, r protocol.SaveCannedAnswerRequest) (protocol.CannedAnswerEvent, error) {
	if c.IsVisitor() || c.IsBot() {
		return protocol.CannedAnswerEvent{}, chat.Authorize(chat.ActSaveCannedAnswer, chat.Access{Groups: c.Groups, UserID: c.UserID})
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	a := r.Answer
	acc, err := s.cannedAccess(ctx, ss, c, a.TeamID)
	if err != nil {
		if aerr := chat.Authorize(chat.ActSaveCannedAnswer, acc); aerr != nil {
			return protocol.CannedAnswerEvent{}, aerr
		}
		return protocol.CannedAnswerEvent{}, err
	}
	if err := chat.Authorize(chat.ActSaveCannedAnswer, acc); err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	if a.ID != "" {
		old, err := ss.GetCannedAnswer(ctx, a.ID)
		if err != nil {
			return protocol.CannedAnswerEvent{}, storeErr(err, "get canned answer")
		}
		if old.TeamID != a.TeamID { // moving it: also a lead of where it was
			oldAcc, err := s.cannedAccess(ctx, ss, c, old.TeamID)
			if err == nil {
				err = chat.Authorize(chat.ActSaveCannedAnswer, oldAcc)
			}
			if err != nil && chat.ErrorCode(err) != chat.NotFound {
				return protocol.CannedAnswerEvent{}, err
			}
		}
	} else {
		a.ID = chat.CannedIDPrefix + newID()
	}
	if a.Shortcut, err = chat.NormalizeShortcut(a.Shortcut); err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	title, err := displayName(a.Title)
	if err != nil || utf8.RuneCountInString(title) > chat.MaxCannedTitle {
		return protocol.CannedAnswerEvent{}, chat.Errorf(chat.Invalid, "a canned answer's title is 1-%d characters", chat.MaxCannedTitle)
	}
	a.Title = title
	text, err := messageText(a.Text)
	if err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	if text == "" || len(text) > chat.MaxCannedText {
		return protocol.CannedAnswerEvent{}, chat.Errorf(chat.Invalid, "a canned answer's text is 1-%d bytes", chat.MaxCannedText)
	}
	a.Text, a.UpdatedBy, a.UpdatedAt = text, c.UserID, s.clock()
	if err := ss.PutCannedAnswer(ctx, a); err != nil {
		return protocol.CannedAnswerEvent{}, storeErr(err, "save canned answer")
	}
	return protocol.CannedAnswerEvent{Head: protocol.Head{Type: protocol.EventCannedAnswer}, Answer: a}, nil
}

// DeleteCannedAnswer removes one (admins, or its team's leads).
func (s *Chat) DeleteCannedAnswer(ctx context.Context, c chat.Connection, r protocol.CannedAnswerRef) (protocol.CannedAnswerEvent, error) {
	if c.IsVisitor() || c.IsBot() {
		return protocol.CannedAnswerEvent{}, chat.Authorize(chat.ActDeleteCannedAnswer, chat.Access{Groups: c.Groups, UserID: c.UserID})
	}
	ss, err := s.supportStore()
	if err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	a, err := ss.GetCannedAnswer(ctx, r.ID)
	if chat.ErrorCode(err) == chat.NotFound {
		// As for one the caller may not manage: a non-admin, non-lead is
		// refused before learning whether it exists.
		if aerr := chat.Authorize(chat.ActDeleteCannedAnswer, chat.Access{Groups: c.Groups, UserID: c.UserID, Support: chat.SupportAccess{Lead: s.leadsAny(ctx, ss, c.UserID)}}); aerr != nil {
			return protocol.CannedAnswerEvent{}, aerr
		}
	}
	if err != nil {
		return protocol.CannedAnswerEvent{}, storeErr(err, "get canned answer")
	}
	acc, err := s.cannedAccess(ctx, ss, c, a.TeamID)
	if err != nil && chat.ErrorCode(err) != chat.NotFound {
		return protocol.CannedAnswerEvent{}, err
	}
	if err := chat.Authorize(chat.ActDeleteCannedAnswer, acc); err != nil {
		return protocol.CannedAnswerEvent{}, err
	}
	if err := ss.DeleteCannedAnswer(ctx, a.ID); err != nil {
		return protocol.CannedAnswerEvent{}, storeErr(err, "delete canned answer")
	}
	return protocol.CannedAnswerEvent{Head: protocol.Head{Type: protocol.EventCannedAnswer}, Answer: a, Deleted: true}, nil
}

// leadsAny says whether the user leads any team.
func (s *Chat) leadsAny(ctx context.Context, ss chat.SupportStore, userID string) bool {
	teams, err := s.myTeams(ctx, ss, userID)
	return err == nil && slices.ContainsFunc(teams, func(t chat.SupportTeam) bool { return t.IsLead(userID) })
}

// ListCannedAnswers lists the answers an agent may use: the workspace-wide
// ones and those of their teams (admins: every team's), or of one team.
func (s *Chat) ListCannedAnswers(ctx context.Context, c chat.Connection, r protocol.ListCannedAnswersRequest) (protocol.CannedAnswersEvent, error) {
	ss, teams, acc, err := s.agentAccess(ctx, c)
	if aerr := chat.Authorize(chat.ActListCannedAnswers, acc); aerr != nil {
		return protocol.CannedAnswersEvent{}, aerr
	}
	if err != nil {
		return protocol.CannedAnswersEvent{}, err
	}
	admin := isAdmin(c)
	if r.TeamID != "" && !admin && !slices.ContainsFunc(teams, func(t chat.SupportTeam) bool { return t.ID == r.TeamID }) {
		return protocol.CannedAnswersEvent{}, chat.Errorf(chat.NotFound, "team not found")
	}
	all, err := ss.ListCannedAnswers(ctx)
	if err != nil {
		return protocol.CannedAnswersEvent{}, storeErr(err, "list canned answers")
	}
	out := slices.DeleteFunc(all, func(a chat.CannedAnswer) bool {
		switch {
		case a.TeamID == "":
			return false
		case r.TeamID != "":
			return a.TeamID != r.TeamID
		case admin:
			return false
		}
		return !slices.ContainsFunc(teams, func(t chat.SupportTeam) bool { return t.ID == a.TeamID })
	})
	return protocol.CannedAnswersEvent{Head: protocol.Head{Type: protocol.EventCannedAnswers}, Answers: nonNilSlice(out)}, nil
}

// teamCapacity is the per-agent limit of the teams an agent is in: the
// smallest of theirs (DefaultAgentCapacity without one).
func teamCapacity(teams []chat.SupportTeam) int {
	limit := 0
	for _, t := range teams {
		if limit == 0 || t.AgentCapacity() < limit {
			limit = t.AgentCapacity()
		}
	}
	if limit == 0 {
		return chat.DefaultAgentCapacity
	}
	return limit
}

// wireStatus is the status as clients see it (busy: online at capacity).
func wireStatus(a chat.AgentStatus, teams []chat.SupportTeam) chat.AgentStatus {
	if a.Capacity == 0 {
		a.Capacity = teamCapacity(teams)
		a = a.Wire()
		a.Capacity = 0
		return a
	}
	return a.Wire()
}

// SetAgentStatus sets the caller's availability (and own capacity); going
// online takes waiting conversations of their auto-assigning teams.
func (s *Chat) SetAgentStatus(ctx context.Context, c chat.Connection, r protocol.SetAgentStatusRequest) (protocol.AgentStatusEvent, error) {
	ss, teams, acc, err := s.agentAccess(ctx, c)
	if aerr := chat.Authorize(chat.ActSetAgentStatus, acc); aerr != nil {
		return protocol.AgentStatusEvent{}, aerr
	}
	if err != nil {
		return protocol.AgentStatusEvent{}, err
	}
	if r.Availability != chat.AgentOnline && r.Availability != chat.AgentAway {
		return protocol.AgentStatusEvent{}, chat.Errorf(chat.Invalid, "availability is online or away")
	}
	capacity := -1
	if r.Capacity != nil {
		if *r.Capacity < 0 || *r.Capacity > chat.MaxAgentCapacity {
			return protocol.AgentStatusEvent{}, chat.Errorf(chat.Invalid, "capacity is 0 (the team's) to %d", chat.MaxAgentCapacity)
		}
		capacity = *r.Capacity
	}
	st, err := ss.SetAgentAvailability(ctx, c.UserID, r.Availability, capacity, s.clock())
	if err != nil {
		return protocol.AgentStatusEvent{}, storeErr(err, "set agent status")
	}
	if st.Availability == chat.AgentOnline {
		for _, t := range teams {
			s.drainQueue(ctx, ss, t)
		}
		if again, err := ss.GetAgentStatus(ctx, c.UserID); err == nil {
			st = again
		}
	}
	return protocol.AgentStatusEvent{Head: protocol.Head{Type: protocol.EventAgentStatus}, Status: wireStatus(st, teams)}, nil
}

// agentGone makes an agent away once their last connection closed
// (Disconnect), so nothing is assigned to someone not there.
func (s *Chat) agentGone(ctx context.Context, userID string) {
	ss, ok := s.store.(chat.SupportStore)
	if !ok || chat.IsVisitorID(userID) || chat.IsBotID(userID) {
		return
	}
	st, err := ss.GetAgentStatus(ctx, userID)
	if err != nil || st.Availability != chat.AgentOnline {
		return
	}
	if _, err := ss.SetAgentAvailability(ctx, userID, chat.AgentAway, -1, s.clock()); err != nil {
		s.log.WarnContext(ctx, "agent away on disconnect", slog.String("userId", userID), slog.Any("error", err))
	}
}

// GetSupportInbox answers an agent's inbox: their status, their teams
// (admins: all), the queues (high priority first, then the longest
// waiting), the conversations assigned to them (with unread counts) and
// the teams' recently closed ones.
func (s *Chat) GetSupportInbox(ctx context.Context, c chat.Connection) (protocol.SupportInboxEvent, error) {
	ss, teams, acc, err := s.agentAccess(ctx, c)
	if aerr := chat.Authorize(chat.ActGetSupportInbox, acc); aerr != nil {
		return protocol.SupportInboxEvent{}, aerr
	}
	if err != nil {
		return protocol.SupportInboxEvent{}, err
	}
	mine := teams
	if isAdmin(c) {
		if teams, err = ss.ListSupportTeams(ctx); err != nil {
			return protocol.SupportInboxEvent{}, storeErr(err, "list support teams")
		}
	}
	st, err := ss.GetAgentStatus(ctx, c.UserID)
	if err != nil {
		return protocol.SupportInboxEvent{}, storeErr(err, "get agent status")
	}
	ev := protocol.SupportInboxEvent{Head: protocol.Head{Type: protocol.EventSupportInbox}, Status: wireStatus(st, mine), Teams: nonNilSlice(teams),
		Queued: []chat.SupportConversation{}, Mine: []chat.SupportConversation{}, RecentClosed: []chat.SupportConversation{}, Unread: map[string]int{}}
	type lists struct{ queued, bot, open, closed []chat.SupportConversation }
	per := make([]lists, len(teams))
	err = forEach(len(teams), func(i int) error {
		var err error
		l := &per[i]
		if l.queued, err = ss.ListSupportQueue(ctx, teams[i].ID, chat.SupportQueued, 0); err != nil {
			return storeErr(err, "list queue")
		}
		if l.bot, err = ss.ListSupportQueue(ctx, teams[i].ID, chat.SupportBot, 0); err != nil {
			return storeErr(err, "list queue")
		}
		if l.open, err = ss.ListSupportQueue(ctx, teams[i].ID, chat.SupportOpen, 0); err != nil {
			return storeErr(err, "list open")
		}
		if l.closed, err = ss.ListSupportQueue(ctx, teams[i].ID, chat.SupportClosed, chat.MaxInboxRecent); err != nil {
			return storeErr(err, "list closed")
		}
		return nil
	})
	if err != nil {
		return protocol.SupportInboxEvent{}, err
	}
	for _, l := range per {
		ev.Queued = append(ev.Queued, l.queued...)
		ev.Queued = append(ev.Queued, l.bot...) // with the bot: visible, claimable
		for _, cv := range l.open {
			if cv.AssigneeID == c.UserID {
				ev.Mine = append(ev.Mine, cv)
			}
		}
		ev.RecentClosed = append(ev.RecentClosed, l.closed...)
	}
	slices.SortFunc(ev.Queued, queueOrder)
	slices.SortFunc(ev.Mine, func(a, b chat.SupportConversation) int { return a.AssignedAt.Compare(b.AssignedAt) })
	slices.SortFunc(ev.RecentClosed, func(a, b chat.SupportConversation) int { return b.ClosedAt.Compare(a.ClosedAt) })
	if len(ev.RecentClosed) > chat.MaxInboxRecent {
		ev.RecentClosed = ev.RecentClosed[:chat.MaxInboxRecent]
	}
	unread := make([]int, len(ev.Mine))
	_ = forEach(len(ev.Mine), func(i int) error {
		room, err := s.store.GetRoom(ctx, ev.Mine[i].RoomID)
		if err != nil {
			return nil
		}
		m, err := s.store.GetMember(ctx, room.ID, c.UserID)
		if err != nil {
			return nil
		}
		if rs, err := s.roomState(ctx, room, m, c.UserID, nil); err == nil {
			unread[i] = rs.Unread
		}
		return nil
	})
	for i, cv := range ev.Mine {
		ev.Unread[cv.RoomID] = unread[i]
	}
	return ev, nil
}

// queueOrder: high priority first, then the longest waiting.
func queueOrder(a, b chat.SupportConversation) int {
	if a.Priority != b.Priority {
		if a.Priority == chat.PriorityHigh {
			return -1
		}
		if b.Priority == chat.PriorityHigh {
			return 1
		}
	}
	return cmp.Or(waitingSince(a).Compare(waitingSince(b)), strings.Compare(a.RoomID, b.RoomID))
}

// waitingSince is when the conversation joined its queue.
func waitingSince(c chat.SupportConversation) time.Time {
	if !c.QueuedAt.IsZero() {
		return c.QueuedAt
	}
	return c.CreatedAt
}

// ListVisitorConversations lists a visitor's conversations that the
// caller's teams handled (admins: all), newest first.
func (s *Chat) ListVisitorConversations(ctx context.Context, c chat.Connection, r protocol.ListVisitorConversationsRequest) (protocol.SupportConversationsEvent, error) {
	ss, teams, acc, err := s.agentAccess(ctx, c)
	if aerr := chat.Authorize(chat.ActListVisitorConversations, acc); aerr != nil {
		return protocol.SupportConversationsEvent{}, aerr
	}
	if err != nil {
		return protocol.SupportConversationsEvent{}, err
	}
	if !chat.IsVisitorID(r.VisitorID) {
		return protocol.SupportConversationsEvent{}, chat.Errorf(chat.Invalid, "visitorId is malformed")
	}
	list, err := ss.ListVisitorConversations(ctx, r.VisitorID, chat.MaxVisitorPastList)
	if err != nil {
		return protocol.SupportConversationsEvent{}, storeErr(err, "list visitor conversations")
	}
	if !isAdmin(c) {
		list = slices.DeleteFunc(list, func(cv chat.SupportConversation) bool {
			return !slices.ContainsFunc(teams, func(t chat.SupportTeam) bool { return t.ID == cv.TeamID })
		})
	}
	return protocol.SupportConversationsEvent{Head: protocol.Head{Type: protocol.EventSupportConversations}, Conversations: nonNilSlice(list)}, nil
}

// supportEmail checks an optional email address.
func supportEmail(raw string) (string, error) {
	e := strings.TrimSpace(raw)
	if e == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", chat.Errorf(chat.Invalid, "email is not an address")
	}
	return e, nil
}

// supportPage checks the visitor's page: an http(s) URL and a title.
// supportOpening validates what a visitor opens a conversation with, the
// same for a chat (startSupport) and a left message (leaveSupportMessage):
// the topic (optional), the page, the language tag (optional) and the
// first message's text (empty when none).
func supportOpening(rawTopic string, rawPage chat.SupportPage, lang, rawText string) (topic string, page chat.SupportPage, text string, err error) {
	if rawTopic != "" {
		if topic, err = supportTopic(rawTopic); err != nil {
			return "", chat.SupportPage{}, "", err
		}
	}
	if page, err = supportPage(rawPage); err != nil {
		return "", chat.SupportPage{}, "", err
	}
	if lang != "" && !langPattern.MatchString(lang) {
		return "", chat.SupportPage{}, "", chat.Errorf(chat.Invalid, "lang must be a language tag such as en or de")
	}
	if text, err = messageText(rawText); err != nil {
		return "", chat.SupportPage{}, "", err
	}
	return topic, page, text, nil
}

func supportPage(p chat.SupportPage) (chat.SupportPage, error) {
	if p.URL != "" {
		u, err := url.Parse(p.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.URL) > chat.MaxPageURL {
			return chat.SupportPage{}, chat.Errorf(chat.Invalid, "page.url must be an http(s) URL of at most %d bytes", chat.MaxPageURL)
		}
		u.User = nil
		p.URL = u.String()
	}
	p.Title = strings.TrimSpace(p.Title)
	if hasHidden(p.Title) || utf8.RuneCountInString(p.Title) > chat.MaxPageTitle {
		return chat.SupportPage{}, chat.Errorf(chat.Invalid, "page.title must be at most %d plain characters", chat.MaxPageTitle)
	}
	return p, nil
}

var langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// isAdmin says whether the caller is a workspace admin.
func isAdmin(c chat.Connection) bool { return slices.Contains(c.Groups, chat.GroupAdmins) }
