package chattest

import (
	"context"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.EventSubscriber = (*Events)(nil)

// Events is a chat.EventSubscriber that records every event published.
type Events struct {
	mu     sync.Mutex
	events []chat.Event
}

// NewEvents returns a recorder with nothing recorded.
func NewEvents() *Events { return &Events{} }

// Notify records ev; it delivers to no client.
func (e *Events) Notify(_ context.Context, ev chat.Event) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
	return 0
}

// All returns the recorded events, oldest first.
func (e *Events) All() []chat.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.events)
}

// Types returns the recorded events' types, oldest first.
func (e *Events) Types() []chat.EventType {
	var out []chat.EventType
	for _, ev := range e.All() {
		out = append(out, ev.Type())
	}
	return out
}

// Reset forgets everything recorded.
func (e *Events) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = nil
}
