package mask_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

// BenchmarkHandle is the example hook's own work per message (the billed
// part of its Lambda duration, beside the runtime's JSON decoding):
//
//	go test -run '^$' -bench Handle ./internal/reviewhook/mask/
func BenchmarkHandle(b *testing.B) {
	for name, text := range map[string]string{
		"plain":  "Stand-up moved to 10:30, the notes are in the wiki; ping me if the release slips again",
		"masked": "the invoice goes to billing@example.com, card 4111 1111 1111 1111",
	} {
		b.Run(name, func(b *testing.B) {
			r := chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: "c_general", SenderID: "u-1", Text: text}
			for b.Loop() {
				if _, err := mask.Handle(b.Context(), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
