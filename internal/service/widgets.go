package service

import (
	"context"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"sync/atomic"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// Support widgets and visitor sessions (issue #17; docs/SUPPORT.md). The
// admin actions keep chat.Widget items; StartVisitorSession is the HTTP
// API's POST /widget/v1/{id}/session (internal/httpapi/widget.go): the
// widget's origin check, the rate limits, the proof of work or a resume
// token, an identified visitor's signature, and the visitor token.

// Visitor session limits (the defaults of VisitorLimits).
const (
	DefaultVisitorSessionsPerIP     = 20  // per widget and IP per VisitorLimitWindow
	DefaultVisitorSessionsPerWidget = 600 // per widget per VisitorLimitWindow
	DefaultVisitorChallengesPerIP   = 60
	DefaultVisitorLimitWindow       = 10 * time.Minute
)

// VisitorLimits are the session route's rate limits (in the store: they
// hold across every Lambda instance).
type VisitorLimits struct {
	SessionsPerIP     int
	SessionsPerWidget int
	ChallengesPerIP   int
	Window            time.Duration
	// Difficulty of the proof of work (0: visitor.DefaultDifficulty).
	Difficulty int
}

func (l VisitorLimits) withDefaults() VisitorLimits {
	l.SessionsPerIP = orDefault(l.SessionsPerIP, DefaultVisitorSessionsPerIP)
	l.SessionsPerWidget = orDefault(l.SessionsPerWidget, DefaultVisitorSessionsPerWidget)
	l.ChallengesPerIP = orDefault(l.ChallengesPerIP, DefaultVisitorChallengesPerIP)
	l.Window = orDefault(l.Window, DefaultVisitorLimitWindow)
	l.Difficulty = orDefault(l.Difficulty, visitor.DefaultDifficulty)
	return l
}

type widgetState struct {
	keys   atomic.Pointer[visitorKeys]
	limits atomic.Pointer[VisitorLimits]
	open   atomic.Pointer[func(ctx context.Context, teamID string, now time.Time) bool]
}

type visitorKeys struct{ src visitor.Source }

// SetVisitorKeys names where the visitor keys come from (the DigestKey
// secret). Without it the widget routes answer "not configured" and the
// admin actions cannot show identity secrets.
func (s *Chat) SetVisitorKeys(src visitor.Source) { s.widgets.keys.Store(&visitorKeys{src: src}) }

// SetVisitorLimits replaces the session route's limits (zero fields keep
// their defaults).
func (s *Chat) SetVisitorLimits(l VisitorLimits) {
	l = l.withDefaults()
	s.widgets.limits.Store(&l)
}

// SetSupportOpen replaces how the widget config tells whether a team
// answers now (default: supportOpen, from the support store).
func (s *Chat) SetSupportOpen(open func(ctx context.Context, teamID string, now time.Time) bool) {
	s.widgets.open.Store(&open)
}

func (s *Chat) visitorLimits() VisitorLimits {
	if l := s.widgets.limits.Load(); l != nil {
		return *l
	}
	return VisitorLimits{}.withDefaults()
}

// VisitorKeys returns the visitor keys, or Internal "not configured".
func (s *Chat) VisitorKeys(ctx context.Context) (*visitor.Keys, error) {
	h := s.widgets.keys.Load()
	if h == nil || h.src == nil {
		return nil, &chat.Error{Code: chat.Internal, Message: "the support widget is not configured on this deployment", Err: visitor.ErrNoKey}
	}
	k, err := h.src.Keys(ctx)
	if err != nil {
		return nil, &chat.Error{Code: chat.Internal, Message: "the support widget's key is not available", Err: err}
	}
	return k, nil
}

func (s *Chat) widgetStore() (chat.WidgetStore, error) {
	ws, ok := s.store.(chat.WidgetStore)
	if !ok {
		return nil, chat.Errorf(chat.Internal, "the store keeps no widgets")
	}
	return ws, nil
}

func (s *Chat) identitySecret(ctx context.Context, w chat.Widget) (string, error) {
	k, err := s.VisitorKeys(ctx)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k.IdentitySecret(w.ID, w.IdentitySecretVersion)), nil
}

// CreateWidget creates a widget (admins); the reply carries its identity
// secret, this once.
func (s *Chat) CreateWidget(ctx context.Context, c chat.Connection, r protocol.WidgetRequest) (protocol.WidgetEvent, error) {
	if err := chat.Authorize(chat.ActCreateWidget, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.WidgetEvent{}, err
	}
	ws, err := s.widgetStore()
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	w, err := chat.NormalizeWidget(r.Widget)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	existing, err := ws.ListWidgets(ctx)
	if err != nil {
		return protocol.WidgetEvent{}, storeErr(err, "list widgets")
	}
	if len(existing) >= chat.MaxWidgetsPerWorkspace {
		return protocol.WidgetEvent{}, chat.Errorf(chat.Conflict, "the workspace has %d widgets, the most it can have: delete one first", chat.MaxWidgetsPerWorkspace)
	}
	now := s.clock().UTC()
	w.ID = chat.WidgetIDPrefix + newID()
	w.IdentitySecretVersion = 1
	// No createdBy: the audit log names who (and erasure handles it there).
	w.CreatedBy, w.CreatedAt, w.UpdatedAt = "", now, now
	secret, err := s.identitySecret(ctx, w)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	if err := ws.CreateWidget(ctx, w); err != nil {
		return protocol.WidgetEvent{}, storeErr(err, "create widget")
	}
	s.audit(ctx, c, chat.ActCreateWidget, "", w.ID, 0, "", w.Name)
	return protocol.WidgetEvent{Head: protocol.Head{Type: protocol.EventWidget}, Widget: w, IdentitySecret: secret}, nil
}

// adminWidget authorizes an admin's action on a widget and reads it, with
// the store to write it back to.
func (s *Chat) adminWidget(ctx context.Context, c chat.Connection, act chat.Action, widgetID string) (chat.WidgetStore, chat.Widget, error) {
	if err := chat.Authorize(act, chat.Access{Groups: c.Groups}); err != nil {
		return nil, chat.Widget{}, err
	}
	ws, err := s.widgetStore()
	if err != nil {
		return nil, chat.Widget{}, err
	}
	w, err := ws.GetWidget(ctx, widgetID)
	if err != nil {
		return nil, chat.Widget{}, storeErr(err, "get widget")
	}
	return ws, w, nil
}

// UpdateWidget replaces a widget's configuration (admins).
func (s *Chat) UpdateWidget(ctx context.Context, c chat.Connection, r protocol.WidgetRequest) (protocol.WidgetEvent, error) {
	ws, old, err := s.adminWidget(ctx, c, chat.ActUpdateWidget, r.Widget.ID)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	w, err := chat.NormalizeWidget(r.Widget)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	w.ID, w.IdentitySecretVersion, w.CreatedBy, w.CreatedAt = old.ID, old.IdentitySecretVersion, old.CreatedBy, old.CreatedAt
	w.UpdatedAt = s.clock().UTC()
	if err := ws.UpdateWidget(ctx, w); err != nil {
		return protocol.WidgetEvent{}, storeErr(err, "update widget")
	}
	s.audit(ctx, c, chat.ActUpdateWidget, "", w.ID, 0, "", w.Name)
	return protocol.WidgetEvent{Head: protocol.Head{Type: protocol.EventWidget}, Widget: w}, nil
}

// DeleteWidget deletes a widget (admins): its script stops working at
// once; its visitors' connections are refused from their next $connect.
func (s *Chat) DeleteWidget(ctx context.Context, c chat.Connection, r protocol.WidgetRef) (protocol.WidgetEvent, error) {
	ws, w, err := s.adminWidget(ctx, c, chat.ActDeleteWidget, r.WidgetID)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	if err := ws.DeleteWidget(ctx, w.ID); err != nil {
		return protocol.WidgetEvent{}, storeErr(err, "delete widget")
	}
	s.audit(ctx, c, chat.ActDeleteWidget, "", w.ID, 0, "", w.Name)
	return protocol.WidgetEvent{Head: protocol.Head{Type: protocol.EventWidget}, Widget: w, Deleted: true}, nil
}

// ListWidgets lists the workspace's widgets (admins), never a secret.
func (s *Chat) ListWidgets(ctx context.Context, c chat.Connection) (protocol.WidgetsEvent, error) {
	if err := chat.Authorize(chat.ActListWidgets, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.WidgetsEvent{}, err
	}
	ws, err := s.widgetStore()
	if err != nil {
		return protocol.WidgetsEvent{}, err
	}
	list, err := ws.ListWidgets(ctx)
	if err != nil {
		return protocol.WidgetsEvent{}, storeErr(err, "list widgets")
	}
	return protocol.WidgetsEvent{Head: protocol.Head{Type: protocol.EventWidgets}, Widgets: list}, nil
}

// RotateWidgetSecret bumps the widget's identity secret version (admins):
// signatures made with the old secret stop verifying at once; the reply
// carries the new secret, this once.
func (s *Chat) RotateWidgetSecret(ctx context.Context, c chat.Connection, r protocol.WidgetRef) (protocol.WidgetEvent, error) {
	ws, w, err := s.adminWidget(ctx, c, chat.ActRotateWidgetSecret, r.WidgetID)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	w.IdentitySecretVersion++
	w.UpdatedAt = s.clock().UTC()
	secret, err := s.identitySecret(ctx, w)
	if err != nil {
		return protocol.WidgetEvent{}, err
	}
	if err := ws.UpdateWidget(ctx, w); err != nil {
		return protocol.WidgetEvent{}, storeErr(err, "rotate widget secret")
	}
	s.audit(ctx, c, chat.ActRotateWidgetSecret, "", w.ID, 0, "", w.Name)
	return protocol.WidgetEvent{Head: protocol.Head{Type: protocol.EventWidget}, Widget: w, IdentitySecret: secret}, nil
}

// ErrOriginNotAllowed is the refusal of a request from an origin the
// widget does not allow (or of a widget that does not exist: the two are
// not told apart, so the route does not reveal which ids exist).
var ErrOriginNotAllowed = chat.Errorf(chat.Forbidden, "origin not allowed")

// WidgetForOrigin returns the widget if origin is one of its allowed
// origins; ErrOriginNotAllowed otherwise (also for an unknown widget).
func (s *Chat) WidgetForOrigin(ctx context.Context, widgetID, origin string) (chat.Widget, error) {
	ws, err := s.widgetStore()
	if err != nil {
		return chat.Widget{}, err
	}
	if !strings.HasPrefix(widgetID, chat.WidgetIDPrefix) || len(widgetID) > 64 {
		return chat.Widget{}, ErrOriginNotAllowed
	}
	w, err := ws.GetWidget(ctx, widgetID)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Widget{}, ErrOriginNotAllowed
	}
	if err != nil {
		return chat.Widget{}, storeErr(err, "get widget")
	}
	if !w.OriginAllowed(origin) {
		return chat.Widget{}, ErrOriginNotAllowed
	}
	return w, nil
}

// WidgetConfig is the public configuration for an allowed origin.
func (s *Chat) WidgetConfig(ctx context.Context, widgetID, origin string) (chat.WidgetPublic, error) {
	w, err := s.WidgetForOrigin(ctx, widgetID, origin)
	if err != nil {
		return chat.WidgetPublic{}, err
	}
	now := s.clock()
	open := func(team string) bool { return s.supportOpen(ctx, team, now) }
	if f := s.widgets.open.Load(); f != nil && *f != nil {
		open = func(team string) bool { return (*f)(ctx, team, now) }
	}
	return w.Public(open), nil
}

// WidgetChallenge is a proof-of-work challenge for an allowed origin,
// rate limited per IP.
func (s *Chat) WidgetChallenge(ctx context.Context, widgetID, origin, ip string) (visitor.Challenge, error) {
	if _, err := s.WidgetForOrigin(ctx, widgetID, origin); err != nil {
		return visitor.Challenge{}, err
	}
	k, err := s.VisitorKeys(ctx)
	if err != nil {
		return visitor.Challenge{}, err
	}
	l := s.visitorLimits()
	if err := s.visitorAllow(ctx, "wchal:"+widgetID+":"+ip, l.ChallengesPerIP, l.Window, "challenges from this address"); err != nil {
		return visitor.Challenge{}, err
	}
	return k.NewChallenge(widgetID, l.Difficulty, s.clock()), nil
}

func (s *Chat) visitorAllow(ctx context.Context, key string, limit int, window time.Duration, what string) error {
	ok, err := s.store.Allow(ctx, key, limit, window)
	if err != nil {
		return storeErr(err, "visitor rate limit")
	}
	if !ok {
		start := s.clock().UnixMilli() / window.Milliseconds() * window.Milliseconds()
		return &chat.Error{Code: chat.RateLimited, Message: "too many " + what + ": try again later", Until: time.UnixMilli(start).Add(window).UTC()}
	}
	return nil
}

// VisitorSessionRequest is the body of POST /widget/v1/{id}/session.
type VisitorSessionRequest struct {
	Challenge   string `json:"challenge,omitempty"`
	Nonce       string `json:"nonce,omitempty"`
	ResumeToken string `json:"resumeToken,omitempty"`
	// ReopenToken is the token of a reopen link from a support mail
	// (supporthours.go): that visitor again, for that conversation.
	ReopenToken string            `json:"reopenToken,omitempty"`
	Identity    *visitor.Identity `json:"identity,omitempty"`
	// Name and Email are the pre-chat form's (anonymous visitors).
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// VisitorSession is the answer: a visitor token for the WebSocket and a
// resume token (30 days, replaced on each use) for the next page load.
type VisitorSession struct {
	Token       string    `json:"token"`
	ExpiresAt   time.Time `json:"expiresAt"`
	VisitorID   string    `json:"visitorId"`
	ResumeToken string    `json:"resumeToken"`
	Identified  bool      `json:"identified"`
	Name        string    `json:"name,omitempty"`
	WSURL       string    `json:"wsUrl,omitempty"`
	// Claims are what the token must say: the HTTP API signs it
	// (internal/visitor/vtoken; the service links no JWT library).
	Claims visitor.Claims `json:"-"`
}

// StartVisitorSession grants a visitor session to origin for widget, from
// address ip: the widget must allow origin; the per-IP and per-widget
// limits hold; the caller proves work (challenge + nonce, once) or shows
// a resume token of this widget (taken and replaced); an identity must be
// signed with the widget's current secret and fresh.
func (s *Chat) StartVisitorSession(ctx context.Context, widgetID, origin, ip string, r VisitorSessionRequest) (VisitorSession, error) {
	w, err := s.WidgetForOrigin(ctx, widgetID, origin)
	if err != nil {
		return VisitorSession{}, err
	}
	origin, _ = chat.NormalizeOrigin(origin)
	k, err := s.VisitorKeys(ctx)
	if err != nil {
		return VisitorSession{}, err
	}
	l := s.visitorLimits()
	now := s.clock()
	if err := s.visitorAllow(ctx, "wsess-ip:"+w.ID+":"+ip, l.SessionsPerIP, l.Window, "sessions from this address"); err != nil {
		return VisitorSession{}, err
	}
	if err := s.visitorAllow(ctx, "wsess:"+w.ID, l.SessionsPerWidget, l.Window, "sessions on this widget"); err != nil {
		return VisitorSession{}, err
	}
	ws, err := s.widgetStore()
	if err != nil {
		return VisitorSession{}, err
	}

	var claims visitor.Claims
	claims.WidgetID, claims.Origin = w.ID, origin
	switch {
	case r.ResumeToken != "":
		vid := visitor.ResumeTokenVisitor(r.ResumeToken)
		if vid == "" {
			return VisitorSession{}, chat.Errorf(chat.Invalid, "resumeToken is malformed")
		}
		prev, err := ws.TakeVisitorResume(ctx, vid, visitor.ResumeTokenHash(r.ResumeToken), now)
		if chat.ErrorCode(err) == chat.NotFound || (err == nil && prev.WidgetID != w.ID) {
			return VisitorSession{}, &chat.Error{Code: chat.SessionExpired, Message: "the resume token is unknown, used or expired: start a new session"}
		}
		if err != nil {
			return VisitorSession{}, storeErr(err, "resume visitor")
		}
		claims.VisitorID, claims.Name, claims.Email, claims.Identified = prev.VisitorID, prev.Name, prev.Email, prev.Identified
	case r.ReopenToken != "":
		if claims.VisitorID, claims.Name, claims.Email, err = s.reopenVisitor(ctx, k, w.ID, r.ReopenToken); err != nil {
			return VisitorSession{}, err
		}
	case r.Challenge != "":
		exp, err := k.CheckProof(w.ID, r.Challenge, r.Nonce, now)
		switch {
		case errors.Is(err, visitor.ErrWeakProof):
			return VisitorSession{}, chat.Errorf(chat.Invalid, "%v", err)
		case errors.Is(err, visitor.ErrChallengeExpired):
			return VisitorSession{}, &chat.Error{Code: chat.SessionExpired, Message: err.Error()}
		case err != nil:
			return VisitorSession{}, chat.Errorf(chat.Invalid, "%v", err)
		}
		// One session per challenge: the first use marks it.
		fresh, err := ws.MarkChallengeUsed(ctx, visitor.ChallengeID(r.Challenge), exp)
		if err != nil {
			return VisitorSession{}, storeErr(err, "mark challenge")
		}
		if !fresh {
			return VisitorSession{}, &chat.Error{Code: chat.SessionExpired, Message: "this challenge was used already: ask for a new one"}
		}
		claims.VisitorID = visitor.NewVisitorID()
	default:
		return VisitorSession{}, chat.Errorf(chat.Invalid, "send challenge and nonce (proof of work), resumeToken or reopenToken")
	}

	if r.Identity != nil {
		if err := visitor.CheckIdentity(k.IdentitySecret(w.ID, w.IdentitySecretVersion), *r.Identity, now); err != nil {
			return VisitorSession{}, chat.Errorf(chat.Forbidden, "identity refused: %v", err)
		}
		claims.VisitorID = k.IdentifiedVisitorID(w.ID, r.Identity.UserID)
		claims.Identified = true
		claims.Email = strings.TrimSpace(r.Identity.Email)
		if n := strings.TrimSpace(r.Identity.Name); n != "" {
			claims.Name = n
		}
	} else if !claims.Identified {
		if n := strings.TrimSpace(r.Name); n != "" {
			claims.Name = n
		}
		if e := strings.TrimSpace(r.Email); e != "" {
			claims.Email = e
		}
	}
	if len([]rune(claims.Name)) > 80 {
		return VisitorSession{}, chat.Errorf(chat.Invalid, "name is longer than 80 characters")
	}
	if claims.Email != "" {
		if a, err := mail.ParseAddress(claims.Email); err != nil || a.Address != claims.Email || len(claims.Email) > 254 {
			return VisitorSession{}, chat.Errorf(chat.Invalid, "email %q is not an email address", claims.Email)
		}
	}

	resume := visitor.NewResumeToken(claims.VisitorID)
	if err := ws.PutVisitorResume(ctx, chat.VisitorResume{VisitorID: claims.VisitorID, WidgetID: w.ID, TokenHash: visitor.ResumeTokenHash(resume),
		Name: claims.Name, Email: claims.Email, Identified: claims.Identified, CreatedAt: now, ExpiresAt: now.Add(chat.VisitorResumeTTL)}); err != nil {
		return VisitorSession{}, storeErr(err, "store resume token")
	}
	return VisitorSession{VisitorID: claims.VisitorID, ResumeToken: resume, Identified: claims.Identified, Name: claims.Name, Claims: claims}, nil
}

// CheckVisitorConnect is the $connect integration's check of a visitor
// the authorizer vouched for: the widget still exists and still allows the
// token's origin (an admin may have removed it since the token was issued).
func (s *Chat) CheckVisitorConnect(ctx context.Context, widgetID, origin string) error {
	_, err := s.WidgetForOrigin(ctx, widgetID, origin)
	return err
}

// supportOpen is the widget config's default "does someone answer now":
// the team (the first one when the widget names none) is not offline, its
// business hours are open, and one of its agents is online (availability
// "online", busy or not: the conversation waits in the queue). Without
// support teams configured nobody answers.
func (s *Chat) supportOpen(ctx context.Context, teamID string, now time.Time) bool {
	ss, ok := s.store.(chat.SupportStore)
	if !ok {
		return false
	}
	var t chat.SupportTeam
	var err error
	if teamID != "" {
		t, err = ss.GetSupportTeam(ctx, teamID)
	} else {
		var teams []chat.SupportTeam
		if teams, err = ss.ListSupportTeams(ctx); err == nil {
			if len(teams) == 0 {
				return false
			}
			t = teams[0]
		}
	}
	if err != nil || t.Offline || !t.Hours.OpenAt(now) {
		return false
	}
	for _, id := range t.Members() {
		if st, err := ss.GetAgentStatus(ctx, id); err == nil && st.Availability == chat.AgentOnline {
			return true
		}
	}
	return false
}
