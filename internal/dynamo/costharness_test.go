package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// costHarness is the chat service on DynamoDB Local with every request's
// consumed capacity in log: the cost tests measure an action through the
// service, request by request.
type costHarness struct {
	svc    *service.Chat
	store  *dynamo.Store
	client *dynamodb.Client
	log    *requestLog
}

// newCostHarness builds it; cfg's Store and Fanout are filled in.
func newCostHarness(t *testing.T, cfg service.Config) *costHarness {
	t.Helper()
	h := &costHarness{log: &requestLog{}}
	h.store, h.client = newStore(t, dynamo.WithCapacityRecorder(h.log.record))
	cfg.Store, cfg.Fanout = h.store, chattest.NewFanout()
	svc, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	return h
}

// connect registers connection conn of user id (in groups) and returns it
// as stored.
func (h *costHarness) connect(t *testing.T, id, conn string, groups ...string) chat.Connection {
	t.Helper()
	ctx := context.Background()
	if err := h.svc.Connect(ctx, chat.Connection{ID: conn, Identity: chat.Identity{UserID: id, Username: id, DisplayName: id, Groups: groups}}); err != nil {
		t.Fatal(err)
	}
	c, err := h.svc.Connection(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
