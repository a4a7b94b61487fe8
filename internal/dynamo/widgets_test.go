package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// TestVisitorResumesErased (issue #17): a visitor's resume tokens (their
// name and email as given) go with the visitor's erasure; another
// visitor's stay. Spent challenge marks hold no personal data.
func TestVisitorResumesErased(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC()
	a, b := "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", "vis_bbbbbbbbbbbbbbbbbbbbbbbbbb"
	for _, r := range []chat.VisitorResume{
		{VisitorID: a, WidgetID: "wid_1", TokenHash: "h1", Name: "Ann", Email: "ann@example.com", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		{VisitorID: a, WidgetID: "wid_1", TokenHash: "h2", Name: "Ann", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		{VisitorID: b, WidgetID: "wid_1", TokenHash: "h3", Name: "Bea", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
	} {
		if err := s.PutVisitorResume(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EraseUserItems(ctx, a, chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"h1", "h2"} {
		if _, err := s.TakeVisitorResume(ctx, a, h, now); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("%s's resume %s survived erasure: %v", a, h, err)
		}
	}
	if r, err := s.TakeVisitorResume(ctx, b, "h3", now); err != nil || r.Name != "Bea" {
		t.Errorf("another visitor's resume: %+v, %v", r, err)
	}
}

// TestWidgetSessionCost measures the table's side of a visitor's arrival
// through the service on DynamoDB Local (docs/ARCHITECTURE.md "Widgets and
// visitor identity"): the config, a challenge, a session by proof of work,
// and a session by resume token (no transactions: DynamoDB bills what
// DynamoDB Local reports).
func TestWidgetSessionCost(t *testing.T) {
	var log requestLog
	s, _ := newStore(t, dynamo.WithCapacityRecorder(log.record))
	ctx := context.Background()
	svc, err := service.New(service.Config{Store: s, Fanout: chattest.NewFanout()})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := visitor.NewKeys([]byte("dynamo-widget-cost-test-master-key-0123456789"))
	svc.SetVisitorKeys(visitor.Static{K: keys})
	svc.SetVisitorLimits(service.VisitorLimits{Difficulty: 8})
	if err := s.CreateWidget(ctx, chat.Widget{ID: "wid_cost", Name: "Shop", AllowedOrigins: []string{"https://shop.example"}, Languages: []string{"en"}, PreChat: []string{}}); err != nil {
		t.Fatal(err)
	}
	measure := func(what string, maxRequests int) {
		t.Helper()
		ops, units := log.reset()
		t.Logf("%s: %d requests, %.1f units: %v", what, len(ops), units, ops)
		if len(ops) > maxRequests {
			t.Errorf("%s: %d requests, want at most %d", what, len(ops), maxRequests)
		}
	}
	log.reset()
	if _, err := svc.WidgetConfig(ctx, "wid_cost", "https://shop.example"); err != nil {
		t.Fatal(err)
	}
	measure("config (no support teams)", 3)
	ch, err := svc.WidgetChallenge(ctx, "wid_cost", "https://shop.example", "203.0.113.1")
	if err != nil {
		t.Fatal(err)
	}
	measure("challenge", 2)
	sess, err := svc.StartVisitorSession(ctx, "wid_cost", "https://shop.example", "203.0.113.1",
		service.VisitorSessionRequest{Challenge: ch.Challenge, Nonce: visitor.Solve(ch.Challenge, ch.Difficulty)})
	if err != nil {
		t.Fatal(err)
	}
	measure("session by proof of work", 5)
	if _, err := svc.StartVisitorSession(ctx, "wid_cost", "https://shop.example", "203.0.113.1", service.VisitorSessionRequest{ResumeToken: sess.ResumeToken}); err != nil {
		t.Fatal(err)
	}
	measure("session by resume token", 5)
}
