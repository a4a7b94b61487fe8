package protocol

// Polls (issue 14): a poll message, votes, closing.
const (
	ActionCreatePoll = "createPoll"
	ActionVote       = "vote"
	ActionClosePoll  = "closePoll"
)

// CreatePollRequest sends a poll to a room: a message whose text is the
// question. ClientID makes a retry idempotent, as for sendMessage.
type CreatePollRequest struct {
	RoomID   string   `json:"roomId"`
	ClientID string   `json:"clientId"`
	Question string   `json:"question"`
	Options  []string `json:"options"`
	// Multiple lets a voter choose several options (otherwise one).
	Multiple bool `json:"multiple,omitempty"`
	// Anonymous: nobody, the author included, learns who chose what.
	Anonymous bool `json:"anonymous,omitempty"`
}

// VoteRequest replaces the caller's vote on the poll of message Seq with
// Options (option numbers, from 0); none retracts it.
type VoteRequest struct {
	RoomID  string `json:"roomId"`
	Seq     int64  `json:"seq"`
	Options []int  `json:"options"`
}
