package lambdareview_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// BenchmarkServiceSend: the service's sendMessage over the in-memory store
// and fan-out (so the hook's share is not lost in DynamoDB Local's noise),
// without a review hook and with the example hook through the real SDK
// client and the Lambda stand-in on a loopback socket. The difference is
// the hook's added latency per message on this machine, without Lambda's
// network hop (in AWS: add the Invoke round trip inside the region).
//
//	go test -run '^$' -bench ServiceSend -benchmem ./internal/lambdareview/
func BenchmarkServiceSend(b *testing.B) {
	for _, hook := range []bool{false, true} {
		name := "off"
		if hook {
			name = "example"
		}
		b.Run(name, func(b *testing.B) {
			cfg := service.Config{Store: chattest.NewStore(), Fanout: chattest.NewFanout(), RatePerWindow: 1 << 30}
			if hook {
				s, rv := reviewer(b, "review")
				register(s, "review", 3*time.Second, mask.Handle)
				cfg.Review = service.ReviewConfig{Reviewer: rv}
			}
			svc, err := service.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			conns := make([]chat.Connection, 2)
			for i, u := range []string{"ann", "bob"} {
				id := chat.Identity{UserID: u, Username: u, DisplayName: u}
				if err := svc.Connect(ctx, chat.Connection{ID: "c-" + u, Identity: id}); err != nil {
					b.Fatal(err)
				}
				if conns[i], err = svc.Connection(ctx, "c-"+u); err != nil {
					b.Fatal(err)
				}
			}
			ev, err := svc.CreateChannel(ctx, conns[0], protocol.CreateChannelRequest{Name: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.JoinChannel(ctx, conns[1], protocol.RoomRequest{RoomID: ev.Room.ID}); err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				n++
				ack, err := svc.SendMessage(ctx, conns[0], protocol.SendMessageRequest{RoomID: ev.Room.ID, ClientID: fmt.Sprintf("m%d", n),
					Text: "the invoice goes to billing@example.com, card 4111 1111 1111 1111"})
				if err != nil {
					b.Fatal(err)
				}
				if hook && ack.Message.Text == "" {
					b.Fatal("empty")
				}
			}
		})
	}
}
