package service

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Terms and guidelines (docs/ARCHITECTURE.md "Terms and guidelines"): the
// deployment publishes one version for its terms of service, privacy
// policy and community guidelines (TERMS_VERSION). Until a person has
// accepted that version, acceptTerms, getState and ping are all they may
// do (the rows of protocol.ActionTable with BeforeTerms, and ping, which
// needs no connection); everything else answers terms_required. A person
// who accepted an older version is asked again: a version bump asks
// everyone again on their next action.

// termsGate holds the current version and the people known to have
// accepted it. The cache holds only acceptances of the current version
// (an acceptance is never withdrawn; a new version is a new deployment,
// new instances and a new cache, or SetTermsVersion, which empties it), so
// the gate costs one GetItem per person per instance, then nothing.
type termsGate struct {
	version  atomic.Pointer[string]
	mu       sync.Mutex
	accepted map[string]bool // user ids that accepted the current version
}

// maxTermsCache bounds the cache; past it, it starts again (the next
// action of each person reads their item once more).
const maxTermsCache = 50_000

func newTermsGate(version string) *termsGate {
	g := &termsGate{accepted: map[string]bool{}}
	g.version.Store(&version)
	return g
}

func (g *termsGate) current() string { return *g.version.Load() }

func (g *termsGate) known(userID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.accepted[userID]
}

func (g *termsGate) remember(userID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.accepted) >= maxTermsCache {
		clear(g.accepted)
	}
	g.accepted[userID] = true
}

// TermsVersion is the current terms version; "" when the deployment
// publishes none (no gate).
func (s *Chat) TermsVersion() string { return s.terms.current() }

// SetTermsVersion changes the current version while running: `make dev`'s
// POST /dev/terms, standing in for a deployment with a new TERMS_VERSION.
// Everybody is asked again.
func (s *Chat) SetTermsVersion(version string) {
	s.terms.mu.Lock()
	defer s.terms.mu.Unlock()
	s.terms.version.Store(&version)
	clear(s.terms.accepted)
}

// RequireTerms refuses c's action with terms_required while the caller
// has not accepted the current version. The dispatcher (wsapi) calls it
// for every action with a connection whose row lacks BeforeTerms.
func (s *Chat) RequireTerms(ctx context.Context, c chat.Connection) error {
	current := s.terms.current()
	if current == "" || s.terms.known(c.UserID) || c.IsBot() || c.IsVisitor() { // a visitor is under the site's terms (issue 17)
		return nil // a bot's terms are its admins' (chat/bots.go)
	}
	a, err := s.store.TermsAcceptance(ctx, c.UserID)
	if err != nil {
		return storeErr(err, "get terms acceptance")
	}
	if a.Version != current {
		return chat.Errorf(chat.TermsRequired, "accept the terms of service, privacy policy and community guidelines (version %s) first", current)
	}
	s.terms.remember(c.UserID)
	return nil
}

// termsState is what getState says of the terms; nil without a version.
func (s *Chat) termsState(ctx context.Context, userID string) (*protocol.TermsState, error) {
	current := s.terms.current()
	if current == "" {
		return nil, nil
	}
	a, err := s.store.TermsAcceptance(ctx, userID)
	if err != nil {
		return nil, storeErr(err, "get terms acceptance")
	}
	return &protocol.TermsState{Version: current, Accepted: a.Version, AcceptedAt: a.AcceptedAt, Required: a.Version != current}, nil
}

// AcceptTerms records that the caller (the verified identity, never a
// field of the request) accepted the current version: r.Version must be
// it, so a client that showed an older text cannot accept the new one
// unseen. The caller's other connections get the same terms event.
func (s *Chat) AcceptTerms(ctx context.Context, c chat.Connection, r protocol.AcceptTermsRequest) (protocol.TermsEvent, error) {
	if err := chat.Authorize(chat.ActAcceptTerms, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.TermsEvent{}, err
	}
	current := s.terms.current()
	if current == "" {
		return protocol.TermsEvent{}, chat.Errorf(chat.Invalid, "this workspace publishes no versioned terms to accept")
	}
	if !validTermsVersion(r.Version) {
		return protocol.TermsEvent{}, chat.Errorf(chat.Invalid, "version must be 1 to %d printable characters", chat.MaxTermsVersionLen)
	}
	if r.Version != current {
		return protocol.TermsEvent{}, chat.Errorf(chat.Invalid, "the terms changed: version %s is current, not %s; read them again", current, r.Version)
	}
	a := chat.TermsAcceptance{Version: current, AcceptedAt: s.clock()}
	if err := s.store.AcceptTerms(ctx, c.UserID, a); err != nil {
		return protocol.TermsEvent{}, storeErr(err, "record terms acceptance")
	}
	s.terms.remember(c.UserID)
	s.log.InfoContext(ctx, "terms accepted", "userId", c.UserID, "version", current)
	ev := protocol.TermsEvent{
		Head:       protocol.Head{Type: protocol.EventTerms},
		TermsState: protocol.TermsState{Version: current, Accepted: current, AcceptedAt: a.AcceptedAt},
	}
	s.toUser(ctx, c.UserID, c.ID, ev)
	return ev, nil
}

func validTermsVersion(v string) bool {
	if v == "" || len(v) > chat.MaxTermsVersionLen || strings.TrimSpace(v) != v {
		return false
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
