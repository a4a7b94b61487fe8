// Package chattest holds in-memory fakes of the chat ports for unit tests.
// The fakes follow the contracts documented in internal/chat/store.go as
// strictly as the DynamoDB adapter must (NotFound, Conflict, partial
// deletes, empty keys rejected, copies instead of shared slices), so a
// service that passes its tests against them does not rely on behaviour the
// real store lacks.
package chattest

import (
	"context"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.Store = (*Store)(nil)

// Store is an in-memory chat.Store. The zero value is not usable; call
// NewStore.
type Store struct {
	mu sync.Mutex
	// Now is the clock of the rate limiter's fixed windows.
	Now func() time.Time

	faults map[string]error
	once   map[string]error

	connections map[string]chat.Connection
	terms       map[string]chat.TermsAcceptance           // user -> last acceptance
	userConns   map[string]map[string]bool                // user -> connection ids
	roomConns   map[string]map[string]chat.RoomConnection // room -> connection id -> item

	profiles  map[string]chat.Profile
	lastRooms map[string]lastRoom // user -> last open room

	rooms   map[string]chat.Room
	members map[string]map[string]chat.Member // room -> user -> member
	names   map[string]string                 // lowercased channel name -> room id holding it

	messages  map[string]map[int64]chat.Message // room -> seq -> message
	clientIDs map[string]int64                  // room|sender|clientId -> seq

	counters map[string]int // rate-limit key|window start -> count

	widgets map[string]chat.Widget        // widgets.go (issue #17)
	resumes map[string]chat.VisitorResume // visitor|hash -> resume record

	bans    map[string]map[string]chat.Ban // room -> user -> ban
	invites map[string]map[string]chat.Invite
	reports map[string]chat.Report
	audit   []chat.AuditEntry

	pref     *prefState                           // preferences, visibility, push subscriptions
	rkeys    map[string]chat.WrappedRoomKey       // room|device|epoch -> wrapped room key (e2ee_roomkeys.go)
	integ    map[string]chat.Integration          // slash commands and outgoing webhooks, by id (integrations.go)
	changes  map[string][]chat.Change             // room -> change log
	pins     map[string][]int64                   // room -> pinned seqs
	versions map[string][]chat.MessageVersion     // room|seq -> earlier texts
	saved    map[string]map[string]chat.SavedItem // user -> room|seq -> item
	follows  map[string]chat.ThreadFollow         // room|parent|user -> follow
	// sched: user -> id -> scheduled item (scheduled.go)
	sched map[string]map[string]chat.ScheduledItem
	// exports: user -> latest export (export.go)
	exports map[string]chat.Export
	// hooks: room|id -> webhook (webhooks.go)
	hooks map[string]chat.Webhook
	// settings: the workspace settings, nil until stored (retention.go)
	settings *chat.WorkspaceSettings
	// botz: the bot accounts (bots.go), nil until the first is made
	botz *botState
	// supp: customer support (support.go), nil until first used
	supp *supportState
	// transcripts: requestTranscript's requests (supporthours.go)
	transcripts []TranscriptRequest
	// WorkspaceRestamps records ContinueWorkspaceRestamp's cursors, in order.
	WorkspaceRestamps []string
	// Restamps records ContinueRestamp's calls ("room@from"), in order.
	Restamps []string
	// calls: room -> its call (calls.go), nil until the first
	calls map[string]chat.Call
	// e2ee: the key directory (e2ee_keys.go), nil until first used
	e2ee *keyDirState
}

// NewStore returns an empty store whose clock is time.Now.
func NewStore() *Store {
	return &Store{
		Now:         time.Now,
		faults:      map[string]error{},
		once:        map[string]error{},
		connections: map[string]chat.Connection{},
		userConns:   map[string]map[string]bool{},
		roomConns:   map[string]map[string]chat.RoomConnection{},
		profiles:    map[string]chat.Profile{},
		rooms:       map[string]chat.Room{},
		members:     map[string]map[string]chat.Member{},
		names:       map[string]string{},
		messages:    map[string]map[int64]chat.Message{},
		clientIDs:   map[string]int64{},
		counters:    map[string]int{},
		bans:        map[string]map[string]chat.Ban{},
		invites:     map[string]map[string]chat.Invite{},
		reports:     map[string]chat.Report{},
		changes:     map[string][]chat.Change{},
		pins:        map[string][]int64{},
		versions:    map[string][]chat.MessageVersion{},
		saved:       map[string]map[string]chat.SavedItem{},
		follows:     map[string]chat.ThreadFollow{},
		sched:       map[string]map[string]chat.ScheduledItem{},
	}
}

// FailOn makes every later call of the named method (for example
// "AppendMessage") return err, until FailOn(method, nil).
func (s *Store) FailOn(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.faults, method)
		return
	}
	s.faults[method] = err
}

// FailOnce makes the next call of the named method return err, as if
// another writer had raced it.
func (s *Store) FailOnce(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.once[method] = err
}

// fault returns the injected error of method. Callers hold s.mu.
func (s *Store) fault(method string) error {
	if err, ok := s.once[method]; ok {
		delete(s.once, method)
		return err
	}
	return s.faults[method]
}

// begin locks the store and returns the injected fault of method, if any,
// or an Internal error when one of keys is empty: DynamoDB rejects empty
// key attributes, so the fake does too. Callers must defer s.mu.Unlock().
func (s *Store) begin(ctx context.Context, method string, keys ...string) error {
	s.mu.Lock()
	if err := ctx.Err(); err != nil {
		return chat.Wrap(err, "%s", method)
	}
	if err := s.fault(method); err != nil {
		return err
	}
	for _, k := range keys {
		if k == "" {
			return chat.Errorf(chat.Internal, "%s: empty key attribute", method)
		}
	}
	return nil
}
