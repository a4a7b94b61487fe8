package chattest

import (
	"context"
	"encoding/hex"
	"slices"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.BotStore = (*Store)(nil)

// botState holds the bots (bots.go): by id, and token hash (hex) -> id.
type botState struct {
	bots   map[string]chat.Bot
	tokens map[string]string
}

func (s *Store) botsLocked() *botState {
	if s.botz == nil {
		s.botz = &botState{bots: map[string]chat.Bot{}, tokens: map[string]string{}}
	}
	return s.botz
}

func (s *Store) CreateBot(ctx context.Context, b chat.Bot, p chat.Profile) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateBot", b.ID); err != nil {
		return err
	}
	st := s.botsLocked()
	if _, ok := st.bots[b.ID]; ok {
		return chat.Errorf(chat.Conflict, "bot exists")
	}
	if _, ok := s.profiles[b.ID]; ok {
		return chat.Errorf(chat.Conflict, "bot exists")
	}
	b.TokenHash = slices.Clone(b.TokenHash)
	st.bots[b.ID] = b
	st.tokens[hex.EncodeToString(b.TokenHash)] = b.ID
	p.Bot, p.Online, p.Handle = true, false, ""
	s.profiles[b.ID] = p
	return nil
}

func (s *Store) GetBot(ctx context.Context, botID string) (chat.Bot, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetBot", botID); err != nil {
		return chat.Bot{}, err
	}
	b, ok := s.botsLocked().bots[botID]
	if !ok {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "bot not found")
	}
	return b, nil
}

func (s *Store) ListBots(ctx context.Context) ([]chat.Bot, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListBots"); err != nil {
		return nil, err
	}
	out := make([]chat.Bot, 0)
	for _, b := range s.botsLocked().bots {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b chat.Bot) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (s *Store) BotByTokenHash(ctx context.Context, hash []byte) (chat.Bot, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "BotByTokenHash"); err != nil {
		return chat.Bot{}, err
	}
	st := s.botsLocked()
	id, ok := st.tokens[hex.EncodeToString(hash)]
	if !ok {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "no such bot token")
	}
	return st.bots[id], nil
}

func (s *Store) RotateBotToken(ctx context.Context, botID string, hash []byte, at time.Time) (chat.Bot, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RotateBotToken", botID); err != nil {
		return chat.Bot{}, err
	}
	st := s.botsLocked()
	b, ok := st.bots[botID]
	if !ok {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "bot not found")
	}
	delete(st.tokens, hex.EncodeToString(b.TokenHash))
	b.TokenHash, b.TokenIssuedAt = slices.Clone(hash), at
	st.bots[botID] = b
	st.tokens[hex.EncodeToString(hash)] = botID
	return b, nil
}

func (s *Store) DeleteBot(ctx context.Context, botID string, at time.Time) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteBot", botID); err != nil {
		return err
	}
	st := s.botsLocked()
	b, ok := st.bots[botID]
	if !ok {
		return chat.Errorf(chat.NotFound, "bot not found")
	}
	delete(st.tokens, hex.EncodeToString(b.TokenHash))
	delete(st.bots, botID)
	if p, ok := s.profiles[botID]; ok {
		p.Deactivated = true
		s.profiles[botID] = p
	}
	return nil
}
