package dynamo

import "strings"

// StreamKeyRule names one kind of item by its keys: pk begins with
// PKPrefix, and sk equals SK (when set) or begins with SKPrefix (when set).
// Rules use only "equals" and "begins with" because those are what Lambda
// event filtering offers (it has no "anything but a prefix").
type StreamKeyRule struct {
	Kind     string // what the item is, for docs and tests
	PKPrefix string
	SK       string
	SKPrefix string
}

// The kinds of item that make domain events.
const (
	KindMessage = "message"
	KindRoom    = "room"
	KindMember  = "member"
	KindProfile = "profile"
)

// EventSourceKeys are the items whose changes become domain events:
// messages, room META items, memberships and profiles. Every other item
// (connections, the room-connection index, user-connection links, rate
// counters, channel-name claims, message idempotency items, room message
// counters) changes far more often and never makes one; the stream's event
// source mapping (infra/chatstack) filters on these rules, so the stream
// function is not even invoked for them (but for the inserts and removals
// of connections, AnalyticsSourceKeys, which usage analytics counts).
var EventSourceKeys = []StreamKeyRule{
	// Message sort keys are seqSK: 20 zero-padded digits, and an int64 has
	// at most 19, so every one begins with "0". The idempotency items of
	// the same partition (CLIENT#…) begin with a letter.
	{Kind: KindMessage, PKPrefix: prefixMsg, SKPrefix: "0"},
	// Exactly META: the message counter META#SEQ changes on every message.
	{Kind: KindRoom, PKPrefix: prefixRoom, SK: skMeta},
	{Kind: KindMember, PKPrefix: prefixRoom, SKPrefix: prefixMember},
	{Kind: KindProfile, PKPrefix: prefixUser, SK: skProfile},
}

// Match reports whether an item with these keys is of the rule's kind.
func (r StreamKeyRule) Match(pk, sk string) bool {
	if !strings.HasPrefix(pk, r.PKPrefix) {
		return false
	}
	if r.SK != "" && sk != r.SK {
		return false
	}
	return strings.HasPrefix(sk, r.SKPrefix)
}

// EventSourceKind is the kind of the first rule of EventSourceKeys the
// keys match, or "" when the item never makes a domain event.
func EventSourceKind(pk, sk string) string {
	for _, r := range EventSourceKeys {
		if r.Match(pk, sk) {
			return r.Kind
		}
	}
	return ""
}
