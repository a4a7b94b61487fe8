package chat

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Customer support (issue #17; docs/ARCHITECTURE.md "Customer support").
//
// A visitor on a business's website chats with its support agents. Each
// visitor conversation is a room of kind KindSupport whose members are the
// visitor, the assigned agent (after a claim or an assignment) and the bot
// while it answers. Its SupportConversation is stored beside the room
// (Room.Support) and read with it. Agents belong to SupportTeams
// (departments) that a widget's topics route to; each agent has an
// AgentStatus (online/away, a capacity). Agents add internal notes
// (Message.Internal) that never reach a visitor.
//
// Visitors are a second, narrower kind of identity (GroupVisitors, user
// ids VisitorIDPrefix + 26 lowercase base32): the policy lets them do only
// visitorActions, and room actions only in their own support rooms (any
// other room answers NotFound, as for a room that does not exist).

// KindSupport is a visitor conversation's room kind.
const KindSupport RoomKind = "support"

// GroupVisitors is the workspace group of every visitor identity (only a
// verified visitor token gives it).
const GroupVisitors = "visitors"

// VisitorIDPrefix starts every visitor's user id.
const VisitorIDPrefix = "vis_"

var visitorIDPattern = regexp.MustCompile(`^vis_[a-z2-7]{26}$`)

// IsVisitorID says whether a user id is a visitor's.
func IsVisitorID(id string) bool { return visitorIDPattern.MatchString(id) }

// IsVisitor says whether the identity is a visitor's (it is in GroupVisitors).
func (id Identity) IsVisitor() bool { return slices.Contains(id.Groups, GroupVisitors) }

// DefaultVisitorName is a visitor's display name when the pre-chat form
// asked none.
const DefaultVisitorName = "Visitor"

// Support actions (the protocol's names).
const (
	// Admins and leads.
	ActSaveSupportTeam    Action = "saveSupportTeam"
	ActDeleteSupportTeam  Action = "deleteSupportTeam"
	ActListSupportTeams   Action = "listSupportTeams"
	ActSaveCannedAnswer   Action = "saveCannedAnswer"
	ActDeleteCannedAnswer Action = "deleteCannedAnswer"
	ActListCannedAnswers  Action = "listCannedAnswers"
	// Agents.
	ActSetAgentStatus           Action = "setAgentStatus"
	ActGetSupportInbox          Action = "getSupportInbox"
	ActClaimSupport             Action = "claimSupport"
	ActTransferSupport          Action = "transferSupport"
	ActEscalateSupport          Action = "escalateSupport"
	ActCloseSupport             Action = "closeSupport"
	ActReopenSupport            Action = "reopenSupport"
	ActAddSupportNote           Action = "addSupportNote"
	ActListVisitorConversations Action = "listVisitorConversations"
	ActStartSupport             Action = "startSupport"
	ActRequestHuman             Action = "requestHuman"
	ActRateSupport              Action = "rateSupport"
	ActLeaveSupportMessage      Action = "leaveSupportMessage" // support-hours
	ActRequestTranscript        Action = "requestTranscript"   // support-hours
	ActHandOverSupport          Action = "handOverSupport"     // support-hours (bots)
	ActCreateWidget             Action = "createWidget"        // widget-identity
	ActUpdateWidget             Action = "updateWidget"        // widget-identity
	ActDeleteWidget             Action = "deleteWidget"        // widget-identity
	ActListWidgets              Action = "listWidgets"         // widget-identity
	ActRotateWidgetSecret       Action = "rotateWidgetSecret"  // widget-identity
)

// visitorActions are the only actions a visitor may do; room actions only
// in their own support rooms (Authorize).
var visitorActions = map[Action]bool{
	ActPing: true, ActGetState: true, ActStartSupport: true, ActLeaveSupportMessage: true,
	ActSendMessage: true, ActEditMessage: true, ActDeleteMessage: true, ActHistory: true,
	ActResume: true, ActTyping: true, ActMarkRead: true, ActRequestUpload: true,
	ActRequestDownload: true, ActRateSupport: true, ActRequestTranscript: true, ActRequestHuman: true,
}

// VisitorMay says whether visitors may do a at all (room actions only in
// their own support rooms).
func VisitorMay(a Action) bool { return visitorActions[a] }

// Support conversation states.
const (
	SupportBot    = "bot"    // the bot answers first
	SupportQueued = "queued" // waiting for an agent
	SupportOpen   = "open"   // assigned to an agent
	SupportClosed = "closed"
)

// Priorities.
const (
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// Channels: how the conversation continues.
const (
	ChannelChat  = "chat"
	ChannelEmail = "email"
)

// Agent availability.
const (
	AgentOnline = "online"
	AgentAway   = "away"
	// AgentBusy is shown on the wire for an online agent at capacity
	// (derived, never stored).
	AgentBusy = "busy"
)

// DefaultAgentCapacity is a team's per-agent limit of open conversations
// when it sets none; MaxAgentCapacity bounds any.
const (
	DefaultAgentCapacity = 3
	MaxAgentCapacity     = 20
)

// Support limits.
const (
	MaxTeamName        = 60
	MaxTeamTopics      = 20
	MaxTeamMembers     = 200
	MaxTopicLen        = 40
	MaxSupportNote     = 2000
	MaxCannedText      = 4000
	MaxCannedTitle     = 80
	MaxRatingComment   = 1000
	MaxPageURL         = 2000
	MaxPageTitle       = 200
	RatingWindow       = 7 * 24 * time.Hour
	SupportIDPrefix    = "sup_"
	TeamIDPrefix       = "team_"
	CannedIDPrefix     = "can_"
	MaxVisitorNameLen  = 60
	MaxInboxRecent     = 20
	MaxVisitorPastList = 50
)

// Span is one opening interval of a day, "HH:MM" to "HH:MM" (To after From;
// "24:00" ends the day).
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// BusinessHours are a team's opening hours in its time zone (IANA). Days
// is indexed by time.Weekday (Sunday = 0); a day without spans is closed.
type BusinessHours struct {
	TZ   string    `json:"tz"`
	Days [7][]Span `json:"days"`
}

// minutes parses "HH:MM" into minutes of the day (0..1440).
func minutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	for _, c := range []byte{s[0], s[1], s[3], s[4]} {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Validate checks the time zone and every span.
func (h *BusinessHours) Validate() error {
	if h == nil {
		return nil
	}
	if _, err := time.LoadLocation(h.TZ); err != nil || h.TZ == "" {
		return Errorf(Invalid, "hours: unknown time zone %q", h.TZ)
	}
	for d, spans := range h.Days {
		if len(spans) > 6 {
			return Errorf(Invalid, "hours: at most 6 spans a day")
		}
		for _, sp := range spans {
			from, ok1 := minutes(sp.From)
			to, ok2 := minutes(sp.To)
			if !ok1 || !ok2 || to <= from {
				return Errorf(Invalid, "hours: %s: %q-%q is not a span of HH:MM times", time.Weekday(d), sp.From, sp.To)
			}
		}
	}
	return nil
}

// OpenAt says whether the hours are open at t (nil hours: always open; an
// unknown time zone counts as UTC).
func (h *BusinessHours) OpenAt(t time.Time) bool {
	if h == nil {
		return true
	}
	loc, err := time.LoadLocation(h.TZ)
	if err != nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	now := lt.Hour()*60 + lt.Minute()
	for _, sp := range h.Days[lt.Weekday()] {
		from, ok1 := minutes(sp.From)
		to, ok2 := minutes(sp.To)
		if ok1 && ok2 && now >= from && now < to {
			return true
		}
	}
	return false
}

// SupportTeam is a department: the agents a widget's topics route to.
type SupportTeam struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Topics []string `json:"topics,omitempty"`
	// Agents answer the team's conversations; Leads (agents too) get its
	// escalations and manage its canned answers.
	Agents []string       `json:"agents,omitempty"`
	Leads  []string       `json:"leads,omitempty"`
	Hours  *BusinessHours `json:"hours,omitempty"`
	// Capacity is the default per-agent limit of open conversations
	// (DefaultAgentCapacity when 0).
	Capacity int `json:"capacity,omitempty"`
	// Offline: the team takes no chats now (its conversations go to "leave
	// a message").
	Offline bool `json:"offline,omitempty"`
	// AutoAssign: new conversations are assigned round-robin among its
	// online agents under capacity; otherwise they wait for a claim.
	AutoAssign bool      `json:"autoAssign,omitempty"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
}

// HasAgent says whether userID answers the team's conversations (agents
// and leads).
func (t SupportTeam) HasAgent(userID string) bool {
	return slices.Contains(t.Agents, userID) || slices.Contains(t.Leads, userID)
}

// IsLead says whether userID leads the team.
func (t SupportTeam) IsLead(userID string) bool { return slices.Contains(t.Leads, userID) }

// AgentCapacity is the team's per-agent limit.
func (t SupportTeam) AgentCapacity() int {
	if t.Capacity <= 0 {
		return DefaultAgentCapacity
	}
	return t.Capacity
}

// Members lists the agents and leads, once each.
func (t SupportTeam) Members() []string {
	out := slices.Clone(t.Agents)
	for _, l := range t.Leads {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// ServesTopic says whether the team routes the topic (case-insensitive).
func (t SupportTeam) ServesTopic(topic string) bool {
	return slices.ContainsFunc(t.Topics, func(s string) bool { return strings.EqualFold(s, topic) })
}

// AgentStatus is one agent's availability. "At capacity" (Open >=
// Capacity) is shown as AgentBusy on the wire (Wire).
type AgentStatus struct {
	UserID       string `json:"userId"`
	Availability string `json:"availability"`
	// Capacity is the agent's own limit (0: the team's).
	Capacity int `json:"capacity,omitempty"`
	// Open counts the conversations assigned to the agent and not closed.
	Open int `json:"open"`
	// LastAssignedAt orders the round-robin: the agent assigned longest
	// ago is next.
	LastAssignedAt time.Time `json:"-"`
	UpdatedAt      time.Time `json:"updatedAt,omitzero"`
}

// CapacityOr is the agent's limit, or def (the team's) when unset.
func (a AgentStatus) CapacityOr(def int) int {
	if a.Capacity > 0 {
		return a.Capacity
	}
	if def <= 0 {
		return DefaultAgentCapacity
	}
	return def
}

// Available says whether the agent may take one more conversation under
// the limit def (the team's capacity when the agent has none).
func (a AgentStatus) Available(def int) bool {
	return a.Availability == AgentOnline && a.Open < a.CapacityOr(def)
}

// Wire is the status as clients see it: online agents at capacity are
// AgentBusy.
func (a AgentStatus) Wire() AgentStatus {
	if a.Availability == AgentOnline && a.Capacity > 0 && a.Open >= a.Capacity {
		a.Availability = AgentBusy
	}
	return a
}

// SupportVisitor is who started a conversation.
type SupportVisitor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	// Identified: the site vouched for the id and email (HMAC).
	Identified bool `json:"identified,omitempty"`
}

// SupportPage is the page the visitor was on.
type SupportPage struct {
	URL   string `json:"url,omitempty"`
	Title string `json:"title,omitempty"`
}

// SupportRating is the visitor's satisfaction rating after closing.
type SupportRating struct {
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// SupportTransfer is one transfer of a conversation.
type SupportTransfer struct {
	FromTeamID string    `json:"fromTeamId,omitempty"`
	ToTeamID   string    `json:"toTeamId,omitempty"`
	FromUserID string    `json:"fromUserId,omitempty"`
	ToUserID   string    `json:"toUserId,omitempty"`
	Note       string    `json:"note,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// SupportConversation is a visitor conversation (wire object
// "supportConversation"), stored beside its room.
type SupportConversation struct {
	RoomID        string            `json:"roomId"`
	WidgetID      string            `json:"widgetId,omitempty"`
	Visitor       SupportVisitor    `json:"visitor"`
	Topic         string            `json:"topic,omitempty"`
	TeamID        string            `json:"teamId,omitempty"`
	AssigneeID    string            `json:"assigneeId,omitempty"`
	State         string            `json:"state"`
	Priority      string            `json:"priority"`
	Page          SupportPage       `json:"page,omitzero"`
	Lang          string            `json:"lang,omitempty"`
	Channel       string            `json:"channel"`
	CreatedAt     time.Time         `json:"createdAt"`
	QueuedAt      time.Time         `json:"queuedAt,omitzero"`
	AssignedAt    time.Time         `json:"assignedAt,omitzero"`
	ClosedAt      time.Time         `json:"closedAt,omitzero"`
	LastMessageAt time.Time         `json:"lastMessageAt,omitzero"`
	Rating        *SupportRating    `json:"rating,omitempty"`
	Transfers     []SupportTransfer `json:"transfers,omitempty"`
	// Escalated is when the conversation was escalated (priority high).
	EscalatedAt time.Time `json:"escalatedAt,omitzero"`
	// Version is the store's optimistic lock; never sent.
	Version int64 `json:"-"`
	// ExpiresAt: removed with its room under the retention (TTL).
	ExpiresAt time.Time `json:"-"`
}

// ForVisitor is the conversation as its visitor sees it: no transfers (their
// notes are internal) and no agent-side bookkeeping.
func (c SupportConversation) ForVisitor() SupportConversation {
	c.Transfers = nil
	c.EscalatedAt = time.Time{}
	if c.Priority != "" {
		c.Priority = PriorityNormal
	}
	return c
}

// Rateable says whether the visitor may rate now: closed, not rated yet,
// within RatingWindow of closing.
func (c SupportConversation) Rateable(now time.Time) error {
	switch {
	case c.State != SupportClosed:
		return Errorf(Invalid, "a conversation is rated once it is closed")
	case c.Rating != nil:
		return Errorf(Conflict, "this conversation is rated already")
	case now.Sub(c.ClosedAt) > RatingWindow:
		return Errorf(Invalid, "a conversation can be rated within 7 days of closing")
	}
	return nil
}

// CannedAnswer is a saved reply; the inbox composer expands "#shortcut".
type CannedAnswer struct {
	ID string `json:"id"`
	// TeamID: "" for every team.
	TeamID    string    `json:"teamId,omitempty"`
	Shortcut  string    `json:"shortcut"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

var shortcutPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,29}$`)

// NormalizeShortcut lower-cases a shortcut, drops a leading "#", and checks
// it (letters, digits, "-" and "_", at most 30).
func NormalizeShortcut(s string) (string, error) {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if !shortcutPattern.MatchString(s) {
		return "", Errorf(Invalid, "a shortcut is 1-30 letters, digits, '-' or '_'")
	}
	return s, nil
}

// SupportAccess is what the policy reads about the caller's place in
// support: set by the service from the teams.
type SupportAccess struct {
	// Agent: the caller answers conversations of the team concerned (for a
	// room action, the conversation's team; for a workspace action, any
	// team or the team named).
	Agent bool
	// Lead: the caller leads that team.
	Lead bool
}

// SupportStore keeps teams, agents' statuses, conversations and canned
// answers (internal/dynamo support*.go; chattest's in memory).
type SupportStore interface {
	// PutSupportTeam creates or replaces a team.
	PutSupportTeam(ctx context.Context, t SupportTeam) error
	// GetSupportTeam: NotFound when there is none.
	GetSupportTeam(ctx context.Context, id string) (SupportTeam, error)
	ListSupportTeams(ctx context.Context) ([]SupportTeam, error)
	// DeleteSupportTeam: NotFound when there is none.
	DeleteSupportTeam(ctx context.Context, id string) error

	// GetAgentStatus: an agent without one is away with nothing open.
	GetAgentStatus(ctx context.Context, userID string) (AgentStatus, error)
	// SetAgentAvailability stores availability (and capacity when >= 0).
	SetAgentAvailability(ctx context.Context, userID, availability string, capacity int, at time.Time) (AgentStatus, error)
	// AssignAgent counts one more open conversation for the agent if it is
	// online and under limit (Conflict otherwise), stamping LastAssignedAt;
	// limit < 0 counts it whatever the availability (a claim, a transfer
	// to a named agent).
	AssignAgent(ctx context.Context, userID string, limit int, at time.Time) (AgentStatus, error)
	// ReleaseAgent counts one fewer open conversation (never below 0).
	ReleaseAgent(ctx context.Context, userID string) error

	// CreateSupportConversation stores the room (kind support), its
	// conversation and the visitor's membership at once.
	CreateSupportConversation(ctx context.Context, room Room, conv SupportConversation, visitor Member) error
	// GetSupportConversation: NotFound when the room is no support room.
	GetSupportConversation(ctx context.Context, roomID string) (SupportConversation, error)
	// UpdateSupportConversation writes conv if its Version is still the
	// stored one (Conflict otherwise) and returns it with the new Version.
	UpdateSupportConversation(ctx context.Context, conv SupportConversation) (SupportConversation, error)
	// TouchSupportConversation stamps LastMessageAt (never backwards)
	// outside the optimistic lock, so a busy conversation does not make
	// claims and transfers conflict; NotFound when there is none.
	TouchSupportConversation(ctx context.Context, roomID string, at time.Time) (SupportConversation, error)
	// ListSupportQueue lists a team's conversations in state (queued, open
	// or closed), newest first up to limit (closed) or all (others).
	ListSupportQueue(ctx context.Context, teamID, state string, limit int) ([]SupportConversation, error)
	// ListVisitorConversations lists a visitor's conversations, newest first.
	ListVisitorConversations(ctx context.Context, visitorID string, limit int) ([]SupportConversation, error)

	PutCannedAnswer(ctx context.Context, a CannedAnswer) error
	GetCannedAnswer(ctx context.Context, id string) (CannedAnswer, error)
	DeleteCannedAnswer(ctx context.Context, id string) error
	ListCannedAnswers(ctx context.Context) ([]CannedAnswer, error)
}

// WithoutInternal leaves internal notes out of msgs (in place) for a
// visitor's view; others see every message.
func WithoutInternal(msgs []Message, visitor bool) []Message {
	if !visitor {
		return msgs
	}
	return slices.DeleteFunc(msgs, func(m Message) bool { return m.Internal })
}

// IsSupportRoomID says whether a room id is a support room's (they are
// created with SupportIDPrefix), for the listings that do not read rooms.
func IsSupportRoomID(roomID string) bool { return strings.HasPrefix(roomID, SupportIDPrefix) }
