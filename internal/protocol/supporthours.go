package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Customer support's bot first, hours and mail (issue #17,
// docs/ARCHITECTURE.md "Bot first, hours and email").
const (
	ActionLeaveSupportMessage = "leaveSupportMessage"
	ActionRequestTranscript   = "requestTranscript"
	ActionHandOverSupport     = "handOverSupport"

	// EventTranscriptRequested answers requestTranscript: the mail is on
	// its way (sent from the stream, seconds later).
	EventTranscriptRequested = "transcriptRequested"
)

// LeaveSupportMessageRequest leaves a message outside hours (or with
// nobody available): the visitor's address (required: the answer comes by
// email), optionally a name and topic, the message, the page and language.
type LeaveSupportMessageRequest struct {
	Email    string           `json:"email"`
	Name     string           `json:"name,omitempty"`
	Text     string           `json:"text"`
	Topic    string           `json:"topic,omitempty"`
	Page     chat.SupportPage `json:"page"`
	Lang     string           `json:"lang,omitempty"`
	ClientID string           `json:"clientId,omitempty"`
}

// RequestTranscriptRequest mails the conversation's transcript to Email,
// or to the conversation's address when empty.
type RequestTranscriptRequest struct {
	RoomID string `json:"roomId"`
	Email  string `json:"email,omitempty"`
}

// TranscriptRequestedEvent answers requestTranscript.
type TranscriptRequestedEvent struct {
	Head
	RoomID string `json:"roomId"`
	Email  string `json:"email"`
}

// HandOverSupportRequest: a bot answering a support conversation hands
// it to a person, saying why (shown to agents as an internal note).
type HandOverSupportRequest struct {
	RoomID string `json:"roomId"`
	Reason string `json:"reason,omitempty"`
}

// hoursRows are the rows of these actions in ActionTable.
var hoursRows = []ActionSpec{
	{Name: ActionLeaveSupportMessage, Request: LeaveSupportMessageRequest{}, Reply: EventSupportStarted, Budget: BudgetWrite},
	{Name: ActionRequestTranscript, Request: RequestTranscriptRequest{}, Reply: EventTranscriptRequested, Budget: BudgetWrite},
	{Name: ActionHandOverSupport, Request: HandOverSupportRequest{}, Reply: EventSupportConversation, Budget: BudgetWrite},
}
