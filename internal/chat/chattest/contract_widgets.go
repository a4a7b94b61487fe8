package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func contractWidgets(t *testing.T, st chat.Store) {
	ws, ok := st.(chat.WidgetStore)
	if !ok {
		t.Skip("the store keeps no widgets")
	}
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	w := chat.Widget{ID: "wid_contract1", Name: "Shop", AllowedOrigins: []string{"https://shop.example"},
		Appearance: chat.WidgetAppearance{PrimaryColor: "#112233", Position: "left"}, Languages: []string{"en", "de"},
		Greeting: map[string]string{"de": "Hallo"}, PreChat: []string{"name", "topic"}, Required: []string{"name"},
		Topics:                []chat.WidgetTopic{{ID: "billing", Label: "Billing", TeamID: "team_b"}},
		Bot:                   chat.WidgetBot{Kind: "faq", Name: "Bo", FAQ: []chat.WidgetFAQ{{ID: "hours", Questions: []string{"When are you open?"}, Answer: "9-5"}}, Threshold: 0.4},
		IdentitySecretVersion: 1, CreatedBy: "admin", CreatedAt: at, UpdatedAt: at}
	if err := ws.CreateWidget(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := ws.CreateWidget(ctx, w); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("create twice: %v", err)
	}
	got, err := ws.GetWidget(ctx, w.ID)
	if err != nil || got.Name != "Shop" || got.Bot.FAQ[0].Answer != "9-5" || got.Greeting["de"] != "Hallo" || !got.CreatedAt.Equal(at) {
		t.Fatalf("get = %+v, %v", got, err)
	}
	w2 := w
	w2.ID, w2.CreatedAt = "wid_contract0", at.Add(time.Second)
	if err := ws.CreateWidget(ctx, w2); err != nil {
		t.Fatal(err)
	}
	list, err := ws.ListWidgets(ctx)
	if err != nil || len(list) != 2 || list[0].ID != w.ID || list[1].ID != w2.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	w.Name, w.IdentitySecretVersion = "Shop 2", 2
	if err := ws.UpdateWidget(ctx, w); err != nil {
		t.Fatal(err)
	}
	if got, _ := ws.GetWidget(ctx, w.ID); got.Name != "Shop 2" || got.IdentitySecretVersion != 2 {
		t.Fatalf("after update %+v", got)
	}
	if err := ws.DeleteWidget(ctx, w2.ID); err != nil {
		t.Fatal(err)
	}
	if err := ws.DeleteWidget(ctx, w2.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
	if err := ws.UpdateWidget(ctx, w2); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("update deleted: %v", err)
	}
	if _, err := ws.GetWidget(ctx, w2.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("get deleted: %v", err)
	}

	r := chat.VisitorResume{VisitorID: "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", WidgetID: w.ID, TokenHash: "h1", Name: "Ann", Email: "ann@example.com",
		CreatedAt: at, ExpiresAt: at.Add(chat.VisitorResumeTTL)}
	if err := ws.PutVisitorResume(ctx, r); err != nil {
		t.Fatal(err)
	}
	got2, err := ws.TakeVisitorResume(ctx, r.VisitorID, "h1", at.Add(time.Hour))
	if err != nil || got2.WidgetID != w.ID || got2.Email != "ann@example.com" || got2.Name != "Ann" {
		t.Fatalf("take = %+v, %v", got2, err)
	}
	if _, err := ws.TakeVisitorResume(ctx, r.VisitorID, "h1", at.Add(time.Hour)); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("second take: %v", err)
	}
	r.TokenHash = "h2"
	_ = ws.PutVisitorResume(ctx, r)
	if _, err := ws.TakeVisitorResume(ctx, r.VisitorID, "h2", at.Add(chat.VisitorResumeTTL+time.Second)); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("expired take: %v", err)
	}
	r.TokenHash = "h3"
	_ = ws.PutVisitorResume(ctx, r)
	r.TokenHash = "h4"
	_ = ws.PutVisitorResume(ctx, r)
	if n, err := ws.DeleteVisitorResumes(ctx, r.VisitorID); err != nil || n != 2 {
		t.Fatalf("delete resumes = %d, %v", n, err)
	}
	if ok, err := ws.MarkChallengeUsed(ctx, "ch1", at.Add(5*time.Minute)); err != nil || !ok {
		t.Fatalf("first mark = %v, %v", ok, err)
	}
	if ok, err := ws.MarkChallengeUsed(ctx, "ch1", at.Add(5*time.Minute)); err != nil || ok {
		t.Fatalf("second mark = %v, %v", ok, err)
	}
}
