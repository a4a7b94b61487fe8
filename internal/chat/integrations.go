package chat

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Slash commands and outgoing webhooks (issue 16): a room's owners and
// workspace admins register a URL that Backchannel calls, signed
// (internal/outhook): a command when a member types /name, an outgoing
// webhook for the room's messages (all, or those with a trigger word).

// IntegrationKind tells the two registrations apart.
type IntegrationKind string

const (
	KindCommand  IntegrationKind = "command"
	KindOutgoing IntegrationKind = "outgoing"
)

// Unavailable: something the action depends on outside Backchannel (a
// slash command's URL) failed, answered badly or not in time; the message
// says which and how. Retrying later may work.
const Unavailable Code = "unavailable"

// WorkspaceScope is the RoomID of a workspace-wide command.
const WorkspaceScope = ""

// Limits of a registration.
const (
	MaxCommandsPerScope  = 50
	MaxOutgoingPerRoom   = 10
	MaxTriggerWords      = 10
	MaxTriggerWordLength = 40
	MaxIntegrationURL    = 2048
	MaxCommandDesc       = 200
)

// Integration is one registration.
type Integration struct {
	ID   string          `json:"id"`
	Kind IntegrationKind `json:"kind"`
	// RoomID is the room, or WorkspaceScope for a workspace command.
	RoomID string `json:"roomId,omitempty"`
	// Command is the name without its slash (commands).
	Command     string `json:"command,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
	// TriggerWords (outgoing): a message fires the hook when one of them
	// is one of its words (case-insensitive); AllMessages fires on every
	// message instead.
	TriggerWords []string `json:"triggerWords,omitempty"`
	AllMessages  bool     `json:"allMessages,omitempty"`
	// Secret signs the requests. It is shown once, at registration, and
	// kept so the server can sign (docs/ARCHITECTURE.md explains why it is
	// not hashed).
	Secret    string    `json:"-"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

// IntegrationStore keeps the registrations (internal/dynamo; the fakes in
// chattest).
type IntegrationStore interface {
	// PutIntegration stores a new registration: Conflict when the scope
	// already has the command, or max registrations of the kind.
	PutIntegration(ctx context.Context, it Integration, max int) error
	// ListIntegrations lists a scope's registrations of a kind ("" both).
	ListIntegrations(ctx context.Context, roomID string, kind IntegrationKind) ([]Integration, error)
	// DeleteIntegration deletes one by id; NotFound when absent.
	DeleteIntegration(ctx context.Context, roomID, id string) (Integration, error)
	// IntegrationsBy lists every registration the person created (export).
	IntegrationsBy(ctx context.Context, userID string) ([]Integration, error)
}

var commandName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// BuiltinCommands are reserved: /me and /shrug for the client, /help, and
// /remind, which the sample bot answers from the event bus (an
// unregistered /command is sent as an ordinary message).
var BuiltinCommands = []string{"me", "shrug", "help", "remind"}

// NormalizeCommand checks a command name ("/deploy" or "deploy") and
// returns it without the slash, lower case.
func NormalizeCommand(name string) (string, error) {
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "/"))
	if !commandName.MatchString(n) {
		return "", Errorf(Invalid, "a command is / and 1 to 32 letters, digits, - or _")
	}
	for _, b := range BuiltinCommands {
		if n == b {
			return "", Errorf(Invalid, "/%s is built in", n)
		}
	}
	return n, nil
}

// NormalizeTriggerWords lower-cases, trims and de-duplicates trigger words.
func NormalizeTriggerWords(words []string) ([]string, error) {
	var out []string
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if len([]rune(w)) > MaxTriggerWordLength || strings.ContainsAny(w, " \t\n") {
			return nil, Errorf(Invalid, "a trigger word is one word of at most %d characters", MaxTriggerWordLength)
		}
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	if len(out) > MaxTriggerWords {
		return nil, Errorf(Invalid, "at most %d trigger words", MaxTriggerWords)
	}
	return out, nil
}

// Fires says whether an outgoing webhook fires for a message's text: on
// every message, or when a trigger word is one of the text's words
// (compared lower case, punctuation around a word ignored).
func (it Integration) Fires(text string) bool {
	if it.Kind != KindOutgoing {
		return false
	}
	if it.AllMessages {
		return true
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == ',' || r == '.' || r == '!' || r == '?' || r == ';' || r == ':' || r == '(' || r == ')' || r == '"' || r == '\''
	}) {
		for _, t := range it.TriggerWords {
			if w == t {
				return true
			}
		}
	}
	return false
}

// ParseCommandText splits a message "/deploy prod now" into "deploy" and
// "prod now"; ok is false when the text is not a command.
func ParseCommandText(text string) (name, rest string, ok bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "/") || strings.HasPrefix(t, "//") {
		return "", "", false
	}
	name, rest, _ = strings.Cut(t[1:], " ")
	name = strings.ToLower(name)
	if !commandName.MatchString(name) {
		return "", "", false
	}
	return name, strings.TrimSpace(rest), true
}
