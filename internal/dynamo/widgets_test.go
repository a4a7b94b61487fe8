package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
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
