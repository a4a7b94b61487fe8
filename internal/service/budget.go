package service

import (
	"encoding/json"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// replyBudget bounds the messages in one reply. API Gateway refuses frames
// over 128 KB, and a page of 100 messages of 8 KB text would be 800 KB; the
// rest of the budget is left for the envelope.
const replyBudget = 100 * 1024

// fitBudget keeps the longest prefix of msgs whose JSON fits in *budget,
// takes its size off *budget, and reports whether anything was cut. One
// message (at most 8 KB of text and a few attachments) is far smaller than
// the whole budget, so a fresh page always makes progress.
func fitBudget(msgs []chat.Message, budget *int) ([]chat.Message, bool) {
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return msgs[:i], true
		}
		size := len(b) + 1 // the comma
		if size > *budget {
			return msgs[:i], true
		}
		*budget -= size
	}
	return msgs, false
}
