package chattest

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.Fanout = (*Fanout)(nil)

// Fanout is a chat.Fanout that records every payload sent to every
// connection. Connections marked gone count as Gone instead of Delivered.
type Fanout struct {
	mu    sync.Mutex
	sends []Send
	gone  map[string]bool
}

// Send is one recorded call of Fanout.Send.
type Send struct {
	ConnectionIDs []string
	Payload       []byte
}

// Delivery is one payload as one connection received it.
type Delivery struct {
	ConnectionID string
	Type         string // the event's "type" field
	Payload      []byte
}

// Decode unmarshals the payload into v.
func (d Delivery) Decode(v any) error { return json.Unmarshal(d.Payload, v) }

// NewFanout returns a recorder with nothing sent.
func NewFanout() *Fanout { return &Fanout{gone: map[string]bool{}} }

// SetGone makes later sends to the connection count as Gone.
func (f *Fanout) SetGone(connectionID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gone[connectionID] = true
}

func (f *Fanout) Send(ctx context.Context, connectionIDs []string, payload []byte) chat.FanoutResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = append(f.sends, Send{ConnectionIDs: slices.Clone(connectionIDs), Payload: slices.Clone(payload)})
	res := chat.FanoutResult{Recipients: len(connectionIDs)}
	for _, id := range connectionIDs {
		if f.gone[id] {
			res.Gone++
		} else {
			res.Delivered++
		}
	}
	return res
}

// Sends returns every recorded call, oldest first.
func (f *Fanout) Sends() []Send {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sends)
}

// Deliveries lists what connectionID received (gone or not), oldest first.
func (f *Fanout) Deliveries(connectionID string) []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Delivery
	for _, s := range f.sends {
		if slices.Contains(s.ConnectionIDs, connectionID) {
			out = append(out, Delivery{ConnectionID: connectionID, Type: eventType(s.Payload), Payload: s.Payload})
		}
	}
	return out
}

// Types lists the event types connectionID received, oldest first.
func (f *Fanout) Types(connectionID string) []string {
	var out []string
	for _, d := range f.Deliveries(connectionID) {
		out = append(out, d.Type)
	}
	return out
}

// OfType lists what connectionID received of one event type.
func (f *Fanout) OfType(connectionID, typ string) []Delivery {
	var out []Delivery
	for _, d := range f.Deliveries(connectionID) {
		if d.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// Reset forgets everything sent.
func (f *Fanout) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = nil
}

func eventType(payload []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return "!invalid-json"
	}
	return head.Type
}
