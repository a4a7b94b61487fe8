package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/emf"
)

// DefaultReviewTimeout is the review hook's time budget when
// ReviewConfig.Timeout is zero.
const DefaultReviewTimeout = 800 * time.Millisecond

// maxReasonBytes bounds the hook's reason shown to the sender.
const maxReasonBytes = 500

// ReviewConfig turns the message review hook on (issue 16): every message
// is shown to Reviewer before it is stored (chat.Reviewer).
type ReviewConfig struct {
	// Reviewer is the hook; nil turns review off.
	Reviewer chat.Reviewer
	// Timeout is the time budget of one review (DefaultReviewTimeout when
	// zero). The hook that does not answer in time has failed.
	Timeout time.Duration
	// FailClosed rejects a message whose review failed (an error, the
	// timeout, a malformed answer); false lets it through unreviewed
	// (fail open), logged and counted.
	FailClosed bool
	// Metrics receives one EMF line per failed review (the metric
	// ReviewFailures, with the dimension Outcome = open or closed);
	// nil: no metrics.
	Metrics io.Writer
}

type reviewHook struct {
	reviewer   chat.Reviewer
	timeout    time.Duration
	failClosed bool
	metrics    *emf.Writer
	log        *slog.Logger
}

func newReviewHook(cfg ReviewConfig, log *slog.Logger) (*reviewHook, error) {
	if cfg.Reviewer == nil {
		return nil, nil
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("service: Review.Timeout must not be negative")
	}
	h := &reviewHook{reviewer: cfg.Reviewer, timeout: orDefault(cfg.Timeout, DefaultReviewTimeout), failClosed: cfg.FailClosed, log: log}
	if cfg.Metrics != nil {
		w, err := emf.New(cfg.Metrics, "Backchannel")
		if err != nil {
			return nil, fmt.Errorf("service: review metrics: %w", err)
		}
		h.metrics = w
	}
	return h, nil
}

// errReviewUnavailable answers a message whose review failed when the
// deployment fails closed.
func errReviewUnavailable() error {
	return chat.Errorf(chat.Rejected, "the message could not be checked by the review service; it was not sent, try again in a moment")
}

// review shows req to the hook, if there is one, and answers the text to
// store: req.Text, or the hook's rewrite. A denial is a Rejected error
// with the hook's reason. A failed review (error, timeout, a malformed
// verdict) lets req.Text through (fail open) or answers Rejected (fail
// closed).
func (s *Chat) review(ctx context.Context, req chat.ReviewRequest, hasContent bool) (string, error) {
	text := req.Text
	err := s.reviewWith(ctx, req, func(v chat.ReviewVerdict) error {
		t, err := messageText(v.Text)
		if err == nil && t == "" && !hasContent {
			err = errors.New("rewrote the message to nothing")
		}
		if err != nil {
			return err
		}
		text = t
		return nil
	})
	if err != nil {
		return "", err
	}
	return text, nil
}

// reviewPoll shows a new poll to the hook (kind poll: its question as the
// text, its options) and answers the poll to store: p, or p with the
// hook's rewritten question and options (validated as a new poll's; a
// rewrite that is not one is a failed review). Denial, time budget and
// failure policy are review's.
func (s *Chat) reviewPoll(ctx context.Context, req chat.ReviewRequest, p chat.Poll) (chat.Poll, error) {
	req.Kind, req.Text, req.Options = chat.ReviewPoll, p.Question, make([]string, len(p.Options))
	for i, o := range p.Options {
		req.Options[i] = o.Text
	}
	out := p
	err := s.reviewWith(ctx, req, func(v chat.ReviewVerdict) error {
		opts := v.Options
		if len(opts) == 0 {
			opts = req.Options
		} else if len(opts) != len(req.Options) {
			return fmt.Errorf("rewrote %d options into %d", len(req.Options), len(opts))
		}
		q := v.Text
		if strings.TrimSpace(q) == "" {
			q = req.Text // options only
		}
		np, err := chat.NewPoll(q, opts, p.Multiple, p.Anonymous)
		if err != nil {
			return err
		}
		out = np
		return nil
	})
	if err != nil {
		return chat.Poll{}, err
	}
	return out, nil
}

// reviewWith asks the hook, if there is one, about req within its time
// budget. Allow: nil. Deny: a Rejected error with the hook's reason.
// Rewrite: apply(verdict), whose error makes the review a failed one. A
// failed review (error, timeout, a malformed verdict or rewrite) is
// logged and counted and then nil (fail open: the content as sent) or
// Rejected (fail closed).
func (s *Chat) reviewWith(ctx context.Context, req chat.ReviewRequest, apply func(chat.ReviewVerdict) error) error {
	h := s.hook
	if h == nil {
		return nil
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, h.timeout)
	v, err := h.reviewer.Review(rctx, req)
	cancel()
	if err == nil {
		switch v.Action {
		case chat.ReviewAllow:
			return nil
		case chat.ReviewDeny:
			s.log.InfoContext(ctx, "message rejected by the review hook", slog.String("roomId", req.RoomID), slog.String("kind", string(req.Kind)), slog.String("reason", v.Reason))
			return chat.Errorf(chat.Rejected, "%s", reviewReason(v.Reason))
		case chat.ReviewRewrite:
			terr := apply(v)
			if terr == nil {
				return nil
			}
			err = fmt.Errorf("rewrite: %w", terr)
		default:
			err = fmt.Errorf("unknown action %q", v.Action)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err() // the caller gave up: not the hook's failure
	}
	outcome := "open"
	if h.failClosed {
		outcome = "closed"
	}
	s.log.WarnContext(ctx, "message review failed", slog.String("roomId", req.RoomID), slog.String("kind", string(req.Kind)),
		slog.String("failure", outcome), slog.Duration("after", time.Since(start)), slog.Bool("timeout", errors.Is(err, context.DeadlineExceeded)), slog.Any("error", err))
	if h.metrics != nil {
		_ = h.metrics.Emit(map[string]string{"Outcome": outcome}, []emf.Metric{{Name: "ReviewFailures", Unit: emf.Count, Value: 1}}, nil)
	}
	if h.failClosed {
		return errReviewUnavailable()
	}
	return nil
}

// reviewReason is the hook's reason as the sender sees it: valid UTF-8,
// one line, at most maxReasonBytes; a generic one when it gave none.
func reviewReason(reason string) string {
	reason = strings.ToValidUTF8(reason, "")
	reason = strings.Join(strings.Fields(reason), " ")
	if len(reason) > maxReasonBytes {
		cut := maxReasonBytes
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut] + "…"
	}
	if reason == "" {
		return "the message was rejected by this workspace's review rules"
	}
	return reason
}

// scheduledConnPrefix starts the connection id a scheduled message is
// sent from (sendScheduled): no one's connection.
const scheduledConnPrefix = "scheduled:"

func attachmentNames(atts []chat.Attachment) []string {
	if len(atts) == 0 {
		return nil
	}
	names := make([]string, len(atts))
	for i, a := range atts {
		names[i] = a.Name
	}
	return names
}
