package service_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// BenchmarkSendMessage measures the service's own cost of one send into a
// room with N live connections (fakes in memory: no network, no DynamoDB).
func BenchmarkSendMessage(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("room=%d", n), func(b *testing.B) {
			h := newHarness(&testing.T{})
			sender := h.connect("sender", "s1")
			for i := range n {
				id := "u" + strconv.Itoa(i)
				if err := h.svc.Connect(h.ctx, chat.Connection{ID: "c" + id, Identity: chat.Identity{UserID: id, Username: id}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				_, err := h.svc.SendMessage(h.ctx, sender, protocol.SendMessageRequest{
					RoomID: chat.GeneralRoomID, ClientID: "k" + strconv.Itoa(i), Text: "hello everyone",
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
