package integration

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/fanoutapp"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestBigRoomFanoutGoesThroughTheQueue: with the inline limit at 2, a
// message to a room of 5 online members is written and acknowledged at
// once (Delivered 0: queued), its fan-out goes as jobs over the local SQS
// stand-in (the real SDK client, found through AWS_ENDPOINT_URL_SQS as in
// make dev) to the fanout function's worker, and every other member
// receives it through the local gateway; a small message (a DM) stays
// inline.
func TestBigRoomFanoutGoesThroughTheQueue(t *testing.T) {
	q, err := localsqs.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	t.Setenv("AWS_ENDPOINT_URL_SQS", q.URL()) // before the stack loads its AWS config
	var queueURL string
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) {
		c.Fanout = app.FanoutSettings{QueueURL: q.QueueURL("fanout"), InlineLimit: 2}
		queueURL = c.Fanout.QueueURL
	})
	sqsClient := sqs.NewFromConfig(s.awsCfg)
	if _, err := sqsClient.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("fanout")}); err != nil {
		t.Fatal(err)
	}
	worker, err := fanoutapp.Build(context.Background(), s.appConfig().FanoutWorker(),
		chatapp.WithAWSConfig(s.awsCfg), chatapp.WithLogger(slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		localsqs.Poll(ctx, sqsClient, localsqs.PollConfig{QueueURL: queueURL, BatchSize: 1, Concurrency: 2}, worker.Handle)
	}()
	t.Cleanup(func() { stop(); <-done })

	var clients []*client
	for i := range 5 {
		c, _ := s.online(s.newUser(fmt.Sprintf("big%d", i), fmt.Sprintf("Big %d", i)))
		clients = append(clients, c)
	}
	hall := decode[protocol.RoomEvent](t, clients[0].call(protocol.ActionCreateChannel, map[string]any{"name": "hall"}, protocol.EventRoom)).Room.ID
	for _, c := range clients[1:] {
		c.call(protocol.ActionJoinChannel, room(hall), protocol.EventRoom)
	}
	// Each join is a system line (seqs 1 to 4), delivered through the queue
	// once the room is big: wait for the last one everywhere before
	// draining, so none arrives after the drain.
	for _, c := range clients {
		c.expectEvent(protocol.EventMessage, isMessage(t, hall, 4))
		c.drain()
	}
	ack := decode[protocol.AckEvent](t, clients[0].call(protocol.ActionSendMessage,
		map[string]any{"roomId": hall, "clientId": "01JDB3K4Z8Q3W5E6R7T8Y9U0Q1", "text": "to everyone"}, protocol.EventAck))
	if ack.Message.Seq == 0 || ack.Delivered != 0 {
		t.Errorf("ack %+v: want the message stored and its 4 recipients queued (Delivered 0)", ack)
	}
	for _, c := range clients[1:] {
		got := decode[protocol.MessageEvent](t, c.expectEvent(protocol.EventMessage, isMessage(t, hall, ack.Message.Seq)))
		if got.Message.Text != "to everyone" {
			t.Errorf("%s got %+v", c.name, got.Message)
		}
	}
	clients[0].expectNoEvent(protocol.EventMessage, nil) // the sender has the ack
	// A job is deleted after its posts: wait for the last deletes.
	deadline := time.Now().Add(waitLimit)
	for {
		_, _, sent, deleted := q.Counts("fanout")
		if sent > 0 && sent == deleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue: %d jobs sent, %d deleted; want some, all done", sent, deleted)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
