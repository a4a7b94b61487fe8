package chat

// Customer support's bot first, business hours and mail (issue #17,
// "support-hours"; the model is in support.go).

// EventSupportTranscriptRequested is not a domain event (not in
// EventTypes, never on the bus): the stream's cue to mail a support
// conversation's transcript (internal/supportmail), decoded from the
// request the service stored (requestTranscript).
const EventSupportTranscriptRequested EventType = "support.transcriptRequested"

// SupportTranscriptRequested: a visitor asked for the transcript of the
// conversation in RoomID, to be mailed to To ("" = the conversation's
// visitor email) in Lang.
type SupportTranscriptRequested struct {
	RoomID string
	To     string
	Lang   string
	// N numbers the conversation's requests (two requests are two mails).
	N int
}

func (SupportTranscriptRequested) Type() EventType { return EventSupportTranscriptRequested }

// IntegrationSupportBot is the MessageIntegration.Kind of the built-in
// FAQ bot's messages (ID the widget's id, Name the widget's Bot.Name);
// their SenderID is "integration:" + the widget's id.
const IntegrationSupportBot = "supportBot"
