package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Customer support (issue #17; docs/ARCHITECTURE.md "Customer support",
// docs/SUPPORT.md). The model is chat/support.go.
const (
	ActionSaveSupportTeam          = "saveSupportTeam"
	ActionDeleteSupportTeam        = "deleteSupportTeam"
	ActionListSupportTeams         = "listSupportTeams"
	ActionSaveCannedAnswer         = "saveCannedAnswer"
	ActionDeleteCannedAnswer       = "deleteCannedAnswer"
	ActionListCannedAnswers        = "listCannedAnswers"
	ActionSetAgentStatus           = "setAgentStatus"
	ActionGetSupportInbox          = "getSupportInbox"
	ActionClaimSupport             = "claimSupport"
	ActionTransferSupport          = "transferSupport"
	ActionEscalateSupport          = "escalateSupport"
	ActionCloseSupport             = "closeSupport"
	ActionReopenSupport            = "reopenSupport"
	ActionAddSupportNote           = "addSupportNote"
	ActionListVisitorConversations = "listVisitorConversations"
	ActionStartSupport             = "startSupport"
	ActionRequestHuman             = "requestHuman"
	ActionRateSupport              = "rateSupport"

	// EventSupportTeam answers saveSupportTeam and deleteSupportTeam
	// (Deleted set).
	EventSupportTeam = "supportTeam"
	// EventSupportTeams answers listSupportTeams.
	EventSupportTeams = "supportTeams"
	// EventCannedAnswer answers saveCannedAnswer and deleteCannedAnswer.
	EventCannedAnswer = "cannedAnswer"
	// EventCannedAnswers answers listCannedAnswers.
	EventCannedAnswers = "cannedAnswers"
	// EventAgentStatus answers setAgentStatus.
	EventAgentStatus = "agentStatus"
	// EventSupportInbox answers getSupportInbox.
	EventSupportInbox = "supportInbox"
	// EventSupportConversation answers the conversation's actions and is
	// pushed on every change to its visitor (ForVisitor), its assignee and
	// every online agent of its team.
	EventSupportConversation = "supportConversation"
	// EventSupportConversations answers listVisitorConversations.
	EventSupportConversations = "supportConversations"
	// EventSupportStarted answers startSupport.
	EventSupportStarted = "supportStarted"
)

// SaveSupportTeamRequest creates a team (Team.ID "") or replaces one.
type SaveSupportTeamRequest struct {
	Team chat.SupportTeam `json:"team"`
}

// SupportTeamRef names a team.
type SupportTeamRef struct {
	TeamID string `json:"teamId"`
}

// SupportTeamEvent is one team.
type SupportTeamEvent struct {
	Head
	Team    chat.SupportTeam `json:"team"`
	Deleted bool             `json:"deleted,omitempty"`
}

// SupportTeamsEvent lists teams (agents: theirs; admins: all), by name.
type SupportTeamsEvent struct {
	Head
	Teams []chat.SupportTeam `json:"teams"`
}

// SaveCannedAnswerRequest creates (Answer.ID "") or replaces a canned answer.
type SaveCannedAnswerRequest struct {
	Answer chat.CannedAnswer `json:"answer"`
}

// CannedAnswerRef names a canned answer.
type CannedAnswerRef struct {
	ID string `json:"id"`
}

// ListCannedAnswersRequest lists the answers of one team (and the
// workspace-wide ones), or with TeamID "" those of every team the caller
// answers for.
type ListCannedAnswersRequest struct {
	TeamID string `json:"teamId,omitempty"`
}

// CannedAnswerEvent is one canned answer.
type CannedAnswerEvent struct {
	Head
	Answer  chat.CannedAnswer `json:"answer"`
	Deleted bool              `json:"deleted,omitempty"`
}

// CannedAnswersEvent lists canned answers, by shortcut.
type CannedAnswersEvent struct {
	Head
	Answers []chat.CannedAnswer `json:"answers"`
}

// SetAgentStatusRequest sets the caller's availability ("online" or
// "away") and, when given, their own capacity (1-20; 0: the team's).
type SetAgentStatusRequest struct {
	Availability string `json:"availability"`
	Capacity     *int   `json:"capacity,omitempty"`
}

// AgentStatusEvent is the caller's status (availability "busy" when
// online at capacity).
type AgentStatusEvent struct {
	Head
	Status chat.AgentStatus `json:"status"`
}

// SupportInboxEvent is an agent's inbox: the queues of their teams
// (priority first, then oldest), the conversations assigned to them, and
// their teams' recently closed ones. Unread counts the visitor's and
// others' messages after the agent's read position, per room of Mine.
type SupportInboxEvent struct {
	Head
	Status       chat.AgentStatus           `json:"status"`
	Teams        []chat.SupportTeam         `json:"teams"`
	Queued       []chat.SupportConversation `json:"queued"`
	Mine         []chat.SupportConversation `json:"mine"`
	RecentClosed []chat.SupportConversation `json:"recentClosed"`
	Unread       map[string]int             `json:"unread,omitempty"`
}

// TransferSupportRequest hands a conversation to another team (ToTeamID)
// or agent (ToUserID), with a note for them (stored as an internal note).
type TransferSupportRequest struct {
	RoomID   string `json:"roomId"`
	ToTeamID string `json:"toTeamId,omitempty"`
	ToUserID string `json:"toUserId,omitempty"`
	Note     string `json:"note"`
}

// EscalateSupportRequest raises the priority (only "high") and notifies
// the team's leads, with a note (stored as an internal note).
type EscalateSupportRequest struct {
	RoomID   string `json:"roomId"`
	Priority string `json:"priority"`
	Note     string `json:"note,omitempty"`
}

// AddSupportNoteRequest adds an internal note (never shown to the visitor).
type AddSupportNoteRequest struct {
	RoomID   string `json:"roomId"`
	ClientID string `json:"clientId,omitempty"`
	Text     string `json:"text"`
}

// ListVisitorConversationsRequest lists a visitor's conversations.
type ListVisitorConversationsRequest struct {
	VisitorID string `json:"visitorId"`
}

// SupportConversationEvent is one conversation (for a visitor: ForVisitor).
type SupportConversationEvent struct {
	Head
	Conversation chat.SupportConversation `json:"conversation"`
}

// SupportConversationsEvent lists conversations, newest first.
type SupportConversationsEvent struct {
	Head
	Conversations []chat.SupportConversation `json:"conversations"`
}

// StartSupportRequest starts a visitor conversation: the pre-chat fields
// the widget asked (topic, name, email), the page and language, and
// optionally the first message.
type StartSupportRequest struct {
	Topic    string           `json:"topic,omitempty"`
	Name     string           `json:"name,omitempty"`
	Email    string           `json:"email,omitempty"`
	Page     chat.SupportPage `json:"page"`
	Lang     string           `json:"lang,omitempty"`
	Text     string           `json:"text,omitempty"`
	ClientID string           `json:"clientId,omitempty"`
}

// SupportStartedEvent answers startSupport: the conversation (ForVisitor)
// and its room.
type SupportStartedEvent struct {
	Head
	Conversation chat.SupportConversation `json:"conversation"`
	Room         RoomState                `json:"room"`
}

// RateSupportRequest rates a closed conversation (score 1-5), once,
// within 7 days of closing.
type RateSupportRequest struct {
	RoomID  string `json:"roomId"`
	Score   int    `json:"score"`
	Comment string `json:"comment,omitempty"`
}

// supportRows are the support actions' rows of ActionTable.
var supportRows = []ActionSpec{
	{Name: ActionSaveSupportTeam, Request: SaveSupportTeamRequest{}, Reply: EventSupportTeam, Budget: BudgetWrite},
	{Name: ActionDeleteSupportTeam, Request: SupportTeamRef{}, Reply: EventSupportTeam, Budget: BudgetWrite},
	{Name: ActionListSupportTeams, Reply: EventSupportTeams, Budget: BudgetRead},
	{Name: ActionSaveCannedAnswer, Request: SaveCannedAnswerRequest{}, Reply: EventCannedAnswer, Budget: BudgetWrite},
	{Name: ActionDeleteCannedAnswer, Request: CannedAnswerRef{}, Reply: EventCannedAnswer, Budget: BudgetWrite},
	{Name: ActionListCannedAnswers, Request: ListCannedAnswersRequest{}, Reply: EventCannedAnswers, Budget: BudgetRead},
	{Name: ActionSetAgentStatus, Request: SetAgentStatusRequest{}, Reply: EventAgentStatus, Budget: BudgetWrite},
	{Name: ActionGetSupportInbox, Reply: EventSupportInbox, Budget: BudgetRead},
	{Name: ActionClaimSupport, Request: RoomRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionTransferSupport, Request: TransferSupportRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionEscalateSupport, Request: EscalateSupportRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionCloseSupport, Request: RoomRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionReopenSupport, Request: RoomRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionAddSupportNote, Request: AddSupportNoteRequest{}, Reply: EventAck, Budget: BudgetWrite},
	{Name: ActionListVisitorConversations, Request: ListVisitorConversationsRequest{}, Reply: EventSupportConversations, Budget: BudgetRead},
	{Name: ActionStartSupport, Request: StartSupportRequest{}, Reply: EventSupportStarted, Budget: BudgetWrite},
	{Name: ActionRequestHuman, Request: RoomRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
	{Name: ActionRateSupport, Request: RateSupportRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
}
