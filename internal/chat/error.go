package chat

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error so handlers can map it to a reply without
// inspecting messages. Only Internal errors are logged by handlers.
type Code string

const (
	Invalid     Code = "invalid"
	NotFound    Code = "not_found"
	Forbidden   Code = "forbidden"
	Conflict    Code = "conflict"
	TooLarge    Code = "too_large"
	RateLimited Code = "rate_limited"
	// SessionExpired: the token that opened this connection has expired;
	// reconnect with a fresh one (the client does, silently).
	SessionExpired Code = "session_expired"
	// TermsRequired: the person has not accepted the current terms; only
	// acceptTerms, getState and ping are answered until they do.
	TermsRequired Code = "terms_required"
	// Rejected: the deployment's message review hook denied the message
	// (the message is the hook's reason), or the hook failed and the
	// deployment fails closed; nothing was stored (review.go).
	Rejected Code = "rejected"
	// ReadOnly: the room takes no more writes because nobody is left to
	// read them: a direct conversation whose every other member deleted
	// their account (chat.Access.DirectGone). Reading, marking read,
	// saving and deleting one's own messages still work.
	ReadOnly Code = "read_only"
	// StaleKey: a message in an encrypted room used an epoch that is not
	// the room's current one, or the room's key must rotate first; the
	// client shares a new room key (or refreshes) and sends again.
	StaleKey Code = "stale_key"
	Internal Code = "internal"
)

// Error is the one error type of the domain. Message is safe to show to the
// client; Err is the cause, kept for logs only.
type Error struct {
	Code    Code
	Message string
	Err     error
	// Until, when set, is when a refusal ends (a mute): the error event
	// carries it as "until" for clients to show in local time.
	Until time.Time
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a coded error with a client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap makes an Internal error around a cause that must not reach clients.
func Wrap(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of err, Internal for errors of other types and
// "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the client-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// ErrorUntil returns when the refusal err ends, or the zero time.
func ErrorUntil(err error) time.Time {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Until
	}
	return time.Time{}
}

// Sentinel causes a Poster reports; fan-out treats them specially.
var (
	ErrGone      = errors.New("connection gone")
	ErrThrottled = errors.New("throttled")
)
