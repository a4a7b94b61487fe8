package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestBotStore on DynamoDB Local: a bot is stored with its profile
// (marked bot) and only its token's hash; the token finds it; rotation
// swaps the hash (the old one finds nothing); the creator's erasure
// unlinks the bot from them and leaves it working; deleting the bot
// removes it and its token and deactivates its profile.
func TestBotStore(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	token, hash := chat.NewBotToken()
	b := chat.Bot{ID: "bot_1", Name: "CI", AvatarColor: "#336699", CreatedBy: "u1", CreatedAt: now, TokenIssuedAt: now, TokenHash: hash}
	if err := s.CreateBot(ctx, b, chat.Profile{UserID: b.ID, Username: b.ID, DisplayName: b.Name, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBot(ctx, b, chat.Profile{UserID: b.ID, Username: b.ID, DisplayName: b.Name, CreatedAt: now}); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("the same bot again: %v, want conflict", err)
	}
	if p, err := s.GetProfile(ctx, b.ID); err != nil || !p.Bot || p.DisplayName != "CI" {
		t.Errorf("profile: %+v, %v", p, err)
	}
	id, err := chat.VerifyBotToken(ctx, s, token)
	if err != nil || id.UserID != b.ID || !id.IsBot() {
		t.Fatalf("verify: %+v, %v", id, err)
	}
	list, err := s.ListBots(ctx)
	if err != nil || len(list) != 1 || list[0].CreatedBy != "u1" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	newToken, newHash := chat.NewBotToken()
	if _, err := s.RotateBotToken(ctx, b.ID, newHash, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.VerifyBotToken(ctx, s, token); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("old token after rotation: %v", err)
	}
	if _, err := chat.VerifyBotToken(ctx, s, newToken); err != nil {
		t.Errorf("new token: %v", err)
	}
	// The creator's erasure unlinks them.
	if _, err := s.EraseUserItems(ctx, "u1", chat.ErasureErase, "", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetBot(ctx, b.ID); err != nil || got.CreatedBy != chat.DeletedActor {
		t.Errorf("after the creator's erasure: %+v, %v", got, err)
	}
	if _, err := chat.VerifyBotToken(ctx, s, newToken); err != nil {
		t.Errorf("the bot after its creator's erasure: %v", err)
	}
	if err := s.DeleteBot(ctx, b.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.VerifyBotToken(ctx, s, newToken); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("deleted bot's token: %v", err)
	}
	if p, err := s.GetProfile(ctx, b.ID); err != nil || !p.Bot || !p.Deactivated {
		t.Errorf("deleted bot's profile: %+v, %v", p, err)
	}
	if list, _ := s.ListBots(ctx); len(list) != 0 {
		t.Errorf("list after delete: %+v", list)
	}
}
