// Package samplebot is the sample bot of docs/INTEGRATIONS.md ("The sample
// bot"), the starting point for a team's own bot. It shows the whole
// loop: a chat event arrives from the EventBridge bus (message.created, by
// an EventBridge rule -> functions/samplebot in AWS; locally
// scripts/samplebot reads make dev's bus stand-in), the bot reads the
// message over the bot HTTP API (the bus publishes no words unless
// EVENTS_INCLUDE_TEXT, and the API answers only in the bot's rooms), and
// it answers over the same API:
//
//   - "/remind me <when> <what>" ("in 10m", "2h", "1d", "90 minutes"):
//     it schedules a message ("⏰ Reminder for Ada: <what>") in the room at
//     that time (scheduleMessage) and replies in the thread when;
//   - a message that @mentions it: it echoes the question back in the
//     thread.
//
// It answers only in the rooms it was added to: the API refuses it
// anywhere else (403/404), which it takes as "not mine". Events arrive at
// least once: every answer's clientId is derived from the message
// (samplebot-<roomId>-<seq>), so a repeat stores nothing twice.
package samplebot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Bot answers chat events through the bot HTTP API.
type Bot struct {
	// API is the HTTP API's base URL (make dev: http://127.0.0.1:8080;
	// AWS: the stack's HttpApiUrl output), without a trailing slash.
	API string
	// Token is the bot's token (bcb_…).
	Token string
	// HTTP is the client; nil takes one with a 10 s timeout.
	HTTP *http.Client
	// Now is the clock; nil takes time.Now.
	Now func() time.Time

	id string // the bot's user id (GET /api/v1/me), read on first use
}

// message is the part of message.created's detail the bot reads.
type message struct {
	RoomID     string   `json:"roomId"`
	Seq        int64    `json:"seq"`
	SenderID   string   `json:"senderId"`
	SenderName string   `json:"senderName"`
	Deleted    bool     `json:"deleted"`
	Mentions   []string `json:"mentions"`
	// Integration is set on an integration's post (a webhook's, a slash
	// command's room reply), Bot on a bot's (this one's too).
	Integration *struct {
		Kind string `json:"kind"`
	} `json:"integration"`
	Bot bool `json:"bot"`
}

// stored is the part of a stored message (history) the bot reads.
type stored struct {
	Seq       int64  `json:"seq"`
	Text      string `json:"text"`
	ParentSeq int64  `json:"parentSeq"`
}

// Handle answers one event (the Lambda handler). Events that are not a
// new message, or are the bot's own, another bot's or an integration's
// (the detail's bot and integration fields), are ignored.
func (b *Bot) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	if ev.DetailType != "message.created" {
		return nil
	}
	var m message
	if err := json.Unmarshal(ev.Detail, &m); err != nil {
		return fmt.Errorf("samplebot: detail: %w", err)
	}
	// Never answer a bot (itself included) or an integration: two bots
	// answering each other would never stop.
	if m.Deleted || m.RoomID == "" || m.Bot || m.Integration != nil {
		return nil
	}
	me, err := b.me(ctx)
	if err != nil {
		return err
	}
	mentioned := contains(m.Mentions, me)
	// Read the message over the API, whether or not the bus carried its
	// text (it does not by default): the API answers only in the bot's own
	// rooms, and tells the thread the message is in.
	got, ok, err := b.readMessage(ctx, m.RoomID, m.Seq)
	if err != nil || !ok {
		return err
	}
	text := strings.TrimSpace(got.Text)
	thread := m.Seq
	if got.ParentSeq > 0 {
		thread = got.ParentSeq
	}
	if rest, ok := strings.CutPrefix(text, "/remind me "); ok {
		return b.remind(ctx, m, thread, rest)
	}
	if mentioned {
		q := strings.TrimSpace(mentionPattern.ReplaceAllString(text, ""))
		if q == "" {
			q = "(nothing)"
		}
		return b.reply(ctx, m, thread, fmt.Sprintf("You asked: %s", q))
	}
	return nil
}

var mentionPattern = regexp.MustCompile(`@[\p{L}\p{N}._-]+`)

// remind schedules the reminder and says when, in the thread.
func (b *Bot) remind(ctx context.Context, m message, thread int64, rest string) error {
	d, what, err := ParseWhen(rest)
	if err != nil {
		return b.reply(ctx, m, thread, "Sorry: "+err.Error()+". Try `/remind me in 10m stand-up` or `/remind me 2h call Bob`.")
	}
	at := b.now().Add(d).UTC().Truncate(time.Minute).Add(time.Minute)
	who := m.SenderName
	if who == "" {
		who = "you"
	}
	status, body, err := b.call(ctx, "POST", "/api/v1/actions/scheduleMessage", map[string]any{
		"roomId": m.RoomID, "text": fmt.Sprintf("⏰ Reminder for %s: %s", who, what), "at": at,
		"clientId": fmt.Sprintf("samplebot-remind-%s-%d", m.RoomID, m.Seq),
	})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return b.reply(ctx, m, thread, "Sorry, I could not set that reminder: "+errorMessage(body))
	}
	return b.reply(ctx, m, thread, fmt.Sprintf("OK, I will remind you at %s UTC: %s", at.Format("2006-01-02 15:04"), what))
}

// ParseWhen splits "<when> <what>": "in 10m …", "10m …", "2h …", "1d …",
// "90 minutes …", "in 2 hours …". At most 30 days.
func ParseWhen(s string) (time.Duration, string, error) {
	f := strings.Fields(s)
	if len(f) > 0 && strings.EqualFold(f[0], "in") {
		f = f[1:]
	}
	if len(f) == 0 {
		return 0, "", errors.New("when?")
	}
	num, unit := f[0], ""
	if i := strings.IndexFunc(num, func(r rune) bool { return r < '0' || r > '9' }); i > 0 {
		num, unit = f[0][:i], f[0][i:]
		f = f[1:]
	} else if len(f) > 1 {
		unit = f[1]
		f = f[2:]
	} else {
		return 0, "", errors.New("when? a number and a unit (m, h, d)")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, "", fmt.Errorf("%q is not a positive number", num)
	}
	var d time.Duration
	switch strings.ToLower(strings.TrimSuffix(unit, ",")) {
	case "m", "min", "mins", "minute", "minutes":
		d = time.Duration(n) * time.Minute
	case "h", "hr", "hrs", "hour", "hours":
		d = time.Duration(n) * time.Hour
	case "d", "day", "days":
		d = time.Duration(n) * 24 * time.Hour
	default:
		return 0, "", fmt.Errorf("%q is not a unit I know (m, h, d)", unit)
	}
	if d > 30*24*time.Hour {
		return 0, "", errors.New("at most 30 days ahead")
	}
	what := strings.TrimSpace(strings.Join(f, " "))
	if what == "" {
		return 0, "", errors.New("remind you of what?")
	}
	return d, what, nil
}

// reply answers in the message's thread.
func (b *Bot) reply(ctx context.Context, m message, thread int64, text string) error {
	status, body, err := b.call(ctx, "POST", fmt.Sprintf("/api/v1/rooms/%s/messages/%d/replies", m.RoomID, thread), map[string]any{
		"text": text, "clientId": fmt.Sprintf("samplebot-%s-%d", m.RoomID, m.Seq),
	})
	if err != nil {
		return err
	}
	if status == http.StatusForbidden || status == http.StatusNotFound {
		return nil // not one of its rooms (any more)
	}
	if status != http.StatusOK {
		return fmt.Errorf("samplebot: reply: %d %s", status, errorMessage(body))
	}
	return nil
}

// readMessage reads message seq of the room; ok is false when the bot may
// not read the room (not one of its rooms) or the message is gone.
func (b *Bot) readMessage(ctx context.Context, roomID string, seq int64) (stored, bool, error) {
	status, body, err := b.call(ctx, "GET", fmt.Sprintf("/api/v1/rooms/%s/messages?after=%d&limit=1", roomID, seq-1), nil)
	if err != nil {
		return stored{}, false, err
	}
	if status == http.StatusForbidden || status == http.StatusNotFound {
		return stored{}, false, nil
	}
	if status != http.StatusOK {
		return stored{}, false, fmt.Errorf("samplebot: history: %d %s", status, errorMessage(body))
	}
	var h struct {
		Messages []stored `json:"messages"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return stored{}, false, fmt.Errorf("samplebot: history: %w", err)
	}
	for _, msg := range h.Messages {
		if msg.Seq == seq {
			return msg, true, nil
		}
	}
	return stored{}, false, nil
}

func (b *Bot) me(ctx context.Context) (string, error) {
	if b.id != "" {
		return b.id, nil
	}
	status, body, err := b.call(ctx, "GET", "/api/v1/me", nil)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("samplebot: who am I: %d %s", status, errorMessage(body))
	}
	var me struct {
		UserID string `json:"userId"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.UserID == "" {
		return "", fmt.Errorf("samplebot: who am I: %s", body)
	}
	b.id = me.UserID
	return b.id, nil
}

// call makes one request with the bot's token.
func (b *Bot) call(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(b.API, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("samplebot: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, raw, err
}

func (b *Bot) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	return string(body)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
