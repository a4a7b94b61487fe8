package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"strings"
	"time"
)

// Bot accounts (issue #16): a workspace admin creates a bot with a name and
// an avatar colour and is shown its token once. A bot is a principal of its
// own: a user id prefixed BotIDPrefix, a profile marked Bot, and the
// workspace group GroupBots, which only a verified bot token gives (never a
// Cognito token: a Cognito user put in a group named "bots" is only
// restricted as a bot is, never raised). The access policy (Authorize)
// lets a bot do only the actions of botActions, and room actions only in
// the rooms it was added to (its memberships): it has no staff rights, no
// joining, no creating rooms or direct conversations.
//
// The token is BotTokenPrefix + 32 random bytes (base64url); the store
// keeps only its SHA-256 (BotTokenHash), and VerifyBotToken compares the
// stored hash in constant time.

const (
	// BotIDPrefix starts every bot's user id; Cognito subs are UUIDs.
	BotIDPrefix = "bot_"
	// BotTokenPrefix starts every bot token, so the authorizer and the
	// HTTP API tell it from a Cognito JWT without trying both.
	BotTokenPrefix = "bcb_"
	// GroupBots is the workspace group of every bot identity.
	GroupBots = "bots"
	// MaxBotName bounds a bot's name (runes).
	MaxBotName = 40
)

// Bot is a bot account as its admins see it. TokenHash is never sent.
type Bot struct {
	ID          string    `json:"botId"`
	Name        string    `json:"name"`
	AvatarColor string    `json:"avatarColor"`
	CreatedBy   string    `json:"createdBy"`
	CreatedAt   time.Time `json:"createdAt"`
	// TokenIssuedAt is when the current token was made (creation or the
	// last rotation).
	TokenIssuedAt time.Time `json:"tokenIssuedAt"`
	TokenHash     []byte    `json:"-"`
}

// Identity is the identity a verified token of b gives: its user id, its
// name, and only the bots group.
func (b Bot) Identity() Identity {
	return Identity{UserID: b.ID, Username: b.ID, DisplayName: b.Name, Groups: []string{GroupBots}}
}

// IsBot says whether the identity is a bot's (it is in GroupBots).
func (id Identity) IsBot() bool { return slices.Contains(id.Groups, GroupBots) }

// IsBotID says whether a user id is a bot's.
func IsBotID(userID string) bool { return strings.HasPrefix(userID, BotIDPrefix) }

// IsBotToken says whether a bearer credential looks like a bot token.
func IsBotToken(token string) bool { return strings.HasPrefix(token, BotTokenPrefix) }

// NewBotToken returns a fresh token and its hash.
func NewBotToken() (token string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	token = BotTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, BotTokenHash(token)
}

// BotTokenHash is what the store keeps of a token: its SHA-256.
func BotTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// BotTokenLookup finds the bot a token hash belongs to (NotFound: none).
type BotTokenLookup interface {
	BotByTokenHash(ctx context.Context, hash []byte) (Bot, error)
}

// BotStore keeps the bot accounts.
type BotStore interface {
	BotTokenLookup
	// CreateBot stores b (with b.TokenHash), its token's lookup item and
	// its profile (marked Bot) at once; Conflict if the id exists.
	CreateBot(ctx context.Context, b Bot, p Profile) error
	// GetBot reads one bot; NotFound when there is none.
	GetBot(ctx context.Context, botID string) (Bot, error)
	// ListBots lists every bot, oldest first.
	ListBots(ctx context.Context) ([]Bot, error)
	// RotateBotToken replaces the bot's token hash (the old one stops
	// working at once) and returns the bot; NotFound when there is none.
	RotateBotToken(ctx context.Context, botID string, hash []byte, at time.Time) (Bot, error)
	// DeleteBot removes the bot and its token; its profile stays,
	// deactivated, so its messages keep their name. NotFound when none.
	DeleteBot(ctx context.Context, botID string, at time.Time) error
}

// VerifyBotToken returns the identity of the bot the token names, or
// Forbidden ("invalid bot token") for anything that is not a current bot
// token.
func VerifyBotToken(ctx context.Context, bots BotTokenLookup, token string) (Identity, error) {
	if !IsBotToken(token) || len(token) > 100 {
		return Identity{}, Errorf(Forbidden, "invalid bot token")
	}
	return VerifyBotTokenHash(ctx, bots, BotTokenHash(token))
}

// VerifyBotTokenHash is VerifyBotToken from the token's SHA-256 (what the
// $connect authorizer passes on): the stored hash is compared in constant
// time.
func VerifyBotTokenHash(ctx context.Context, bots BotTokenLookup, hash []byte) (Identity, error) {
	if len(hash) != sha256.Size {
		return Identity{}, Errorf(Forbidden, "invalid bot token")
	}
	b, err := bots.BotByTokenHash(ctx, hash)
	if ErrorCode(err) == NotFound {
		return Identity{}, Errorf(Forbidden, "invalid bot token")
	}
	if err != nil {
		return Identity{}, Wrap(err, "look up bot token")
	}
	if subtle.ConstantTimeCompare(b.TokenHash, hash) != 1 || !IsBotID(b.ID) {
		return Identity{}, Errorf(Forbidden, "invalid bot token")
	}
	return b.Identity(), nil
}
