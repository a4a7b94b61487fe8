package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Delayed answers to a slash command: the payload's responseUrl is the
// HTTP API's POST /api/v1/commands/respond/{token}. The token is
// stateless: base64url(JSON claims) "." base64url(HMAC-SHA256 over
// "respond." + the claims' part) keyed by the command's own signing
// secret, so deleting the command voids its response URLs, and nothing
// is stored per run but a use counter (the rate counter item under
// "cmdresp:<nonce>", expiring with the token).
const (
	// CommandResponseTTL is how long a response URL takes answers.
	CommandResponseTTL = 30 * time.Minute
	// CommandResponseUses is how many answers one response URL takes.
	CommandResponseUses = 5
	// CommandResponsePath is the route's prefix on the HTTP API.
	CommandResponsePath = "/api/v1/commands/respond/"
)

// responseClaims are what a response URL's token says.
type responseClaims struct {
	Integration string `json:"i"` // the command's id
	Scope       string `json:"s"` // the command's room, "" for a workspace command
	RoomID      string `json:"r"` // where it was run
	UserID      string `json:"u"` // who ran it
	Nonce       string `json:"n"`
	Exp         int64  `json:"e"` // Unix seconds
}

func responseMAC(secret, part string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("respond." + part))
	return m.Sum(nil)
}

// commandResponseURL is the responseUrl for one run of it ("" when the
// service has no CommandResponseBase).
func (s *Chat) commandResponseURL(it chat.Integration, roomID, userID string) string {
	base := *s.cmdRespBase.Load()
	if base == "" {
		return ""
	}
	var n [12]byte
	_, _ = rand.Read(n[:])
	claims, _ := json.Marshal(responseClaims{Integration: it.ID, Scope: it.RoomID, RoomID: roomID, UserID: userID,
		Nonce: hex.EncodeToString(n[:]), Exp: s.clock().Add(CommandResponseTTL).Unix()})
	part := base64.RawURLEncoding.EncodeToString(claims)
	return strings.TrimRight(base, "/") + "/" + part + "." + base64.RawURLEncoding.EncodeToString(responseMAC(it.Secret, part))
}

// SetCommandResponseBase changes Config.CommandResponseBase: make dev
// knows its web server's address (which serves the HTTP API) only after
// the service is built.
func (s *Chat) SetCommandResponseBase(base string) { s.cmdRespBase.Store(&base) }

// CommandResponse is the result of a delayed answer.
type CommandResponse struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
}

var errBadResponseToken = chat.Errorf(chat.Forbidden, "this response URL is not valid (was the command deleted?)")

// RespondToCommand posts a delayed answer through a response URL's token:
// visibility "room" only (an ephemeral answer has nobody to go to later),
// at most CommandResponseUses times within CommandResponseTTL, into the
// room the command was run in, as the command, while that room takes
// messages and the command still exists. Errors: forbidden (a forged,
// tampered or voided token), session_expired (too late), rate_limited
// (used up), invalid (a bad answer).
func (s *Chat) RespondToCommand(ctx context.Context, token string, reply CommandReply) (CommandResponse, error) {
	store, err := s.integrations()
	if err != nil {
		return CommandResponse{}, err
	}
	part, sig, ok := strings.Cut(token, ".")
	raw, err1 := base64.RawURLEncoding.DecodeString(part)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	var cl responseClaims
	if !ok || err1 != nil || err2 != nil || json.Unmarshal(raw, &cl) != nil || cl.Integration == "" || cl.Nonce == "" {
		return CommandResponse{}, errBadResponseToken
	}
	all, err := store.ListIntegrations(ctx, cl.Scope, chat.KindCommand)
	if err != nil {
		return CommandResponse{}, storeErr(err, "list commands")
	}
	var it chat.Integration
	for _, x := range all {
		if x.ID == cl.Integration {
			it = x
		}
	}
	if it.ID == "" || !hmac.Equal(mac, responseMAC(it.Secret, part)) {
		return CommandResponse{}, errBadResponseToken
	}
	exp := time.Unix(cl.Exp, 0)
	if !s.clock().Before(exp) {
		return CommandResponse{}, chat.Errorf(chat.SessionExpired, "this response URL has expired (it takes answers for %s)", CommandResponseTTL)
	}
	reply.Text = strings.TrimSpace(reply.Text)
	switch {
	case reply.Visibility != protocol.VisibilityRoom:
		return CommandResponse{}, chat.Errorf(chat.Invalid, `a delayed answer is posted to the room: "visibility": "room"`)
	case reply.Text == "":
		return CommandResponse{}, chat.Errorf(chat.Invalid, "text is required")
	case utf8.RuneCountInString(reply.Text) > MaxCommandReply:
		return CommandResponse{}, chat.Errorf(chat.TooLarge, "text is at most %d characters", MaxCommandReply)
	}
	// One window from the epoch to the token's expiry: every use of this
	// token counts in the same window (windows are aligned to the epoch),
	// and the counter expires with the token.
	used, err := s.store.Allow(ctx, "cmdresp:"+cl.Nonce, CommandResponseUses, time.Duration(exp.UnixMilli())*time.Millisecond)
	if err != nil {
		return CommandResponse{}, storeErr(err, "count answers")
	}
	if !used {
		return CommandResponse{}, chat.Errorf(chat.RateLimited, "this response URL took its %d answers", CommandResponseUses)
	}
	room, err := s.store.GetRoom(ctx, cl.RoomID)
	if err != nil {
		return CommandResponse{}, roomLookupErr(err)
	}
	// The command posts as a member would: the policy refuses an archived
	// or read-only room.
	if err := chat.Authorize(chat.ActSendMessage, chat.Access{Role: chat.RoleMember, Room: room}); err != nil {
		return CommandResponse{}, err
	}
	var cid [9]byte
	_, _ = rand.Read(cid[:])
	clientID := "cmdr-" + hex.EncodeToString(cid[:])
	// Reviewed as a send (review.go): a denial answers 422 rejected.
	text, err := s.review(ctx, chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: cl.RoomID, ClientID: clientID,
		SenderID: IntegrationSenderPrefix + it.ID, SenderName: "/" + it.Command, Text: reply.Text}, false)
	if err != nil {
		return CommandResponse{}, err
	}
	now := s.clock()
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: cl.RoomID, ClientID: clientID,
		SenderID: IntegrationSenderPrefix + it.ID, SenderName: "/" + it.Command,
		Integration: &chat.MessageIntegration{Kind: chat.IntegrationCommand, ID: it.ID, Name: "/" + it.Command},
		Text:        text, CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, room, now),
	})
	if err != nil {
		return CommandResponse{}, storeErr(err, "store command reply")
	}
	if created {
		s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: IntegrationSenderPrefix + it.ID}, Message: msg})
	}
	s.log.DebugContext(ctx, "delayed command answer", slog.String("roomId", cl.RoomID), slog.String("integration", it.ID), slog.Int64("seq", msg.Seq))
	return CommandResponse{RoomID: cl.RoomID, Seq: msg.Seq}, nil
}
