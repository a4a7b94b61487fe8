package chat

import "context"

// The message review hook (issue 16): a deployment may name a function
// that sees every message before it is stored (sends, thread replies,
// edits, scheduled messages when they fire, and whatever else posts
// through the service's send path) and allows, denies or rewrites it.
// internal/lambdareview is the adapter over AWS Lambda's Invoke; the
// service applies the verdict, the time budget and the failure policy
// (internal/service/review.go).

// ReviewKind says what is being reviewed.
type ReviewKind string

const (
	// ReviewSend: a new message (a thread reply has ParentSeq, a
	// scheduled one fires with Scheduled set).
	ReviewSend ReviewKind = "send"
	// ReviewEdit: new text for a stored message (Seq).
	ReviewEdit ReviewKind = "edit"
	// ReviewPoll: a new poll (createPoll): Text is its question, Options
	// its options.
	ReviewPoll ReviewKind = "poll"
)

// ReviewRequest is what a hook sees: the message as it would be stored.
// It is the JSON event the Lambda receives (docs/INTEGRATIONS.md).
type ReviewRequest struct {
	Kind       ReviewKind `json:"kind"`
	RoomID     string     `json:"roomId"`
	Seq        int64      `json:"seq,omitempty"`       // the edited message's
	ParentSeq  int64      `json:"parentSeq,omitempty"` // a thread reply's parent
	ClientID   string     `json:"clientId,omitempty"`
	SenderID   string     `json:"senderId"`
	SenderName string     `json:"senderName,omitempty"`
	Text       string     `json:"text"`
	// Options are a poll's options (ReviewPoll only), in order.
	Options []string `json:"options,omitempty"`
	// Attachments are the attached files' names (their content is not
	// sent); HasGif says a GIF is attached.
	Attachments []string `json:"attachments,omitempty"`
	HasGif      bool     `json:"hasGif,omitempty"`
	// Scheduled: a scheduled message firing (no one is waiting for the
	// answer; a denial fails the item with the reason).
	Scheduled bool `json:"scheduled,omitempty"`
}

// ReviewAction is a hook's answer.
type ReviewAction string

const (
	ReviewAllow   ReviewAction = "allow"
	ReviewDeny    ReviewAction = "deny"
	ReviewRewrite ReviewAction = "rewrite"
)

// ReviewVerdict is a hook's reply: Reason goes to the sender on a deny,
// Text replaces the message's text (a poll's question) on a rewrite, and
// for a poll Options, when given, replace its options (as many as it had).
type ReviewVerdict struct {
	Action  ReviewAction `json:"action"`
	Reason  string       `json:"reason,omitempty"`
	Text    string       `json:"text,omitempty"`
	Options []string     `json:"options,omitempty"`
}

// Reviewer is the port of the message review hook. An error (the hook
// failed, timed out or answered nonsense) is the service's to handle by
// the deployment's failure policy (fail open or closed).
type Reviewer interface {
	Review(ctx context.Context, r ReviewRequest) (ReviewVerdict, error)
}
