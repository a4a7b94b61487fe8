package chat

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Polls (issue 14): a message that asks a question with 2 to 10 options,
// single or multiple choice, anonymous or not. The votes are stored on the
// message (Poll.Votes, one entry per voter, written atomically per voter:
// docs/ARCHITECTURE.md "Polls"); what leaves the server is the tally
// (Tally), never Votes: counts per option, the voters per option only when
// the poll is not anonymous, and the caller's own choice (Mine, ForViewer).

// Limits of a poll.
const (
	PollMinOptions     = 2
	PollMaxOptions     = 10
	PollMaxQuestion    = 300 // characters
	PollMaxOptionChars = 100 // characters
	// PollMaxVoters bounds the votes one poll keeps: each is about 40
	// bytes of the message item (a user id and the option numbers), so a
	// full poll is about 80 KB, well under DynamoDB's 400 KB item limit.
	PollMaxVoters = 2000
)

// Poll is the poll of a poll message.
type Poll struct {
	Question  string       `json:"question"`
	Options   []PollOption `json:"options"`
	Multiple  bool         `json:"multiple,omitempty"`
	Anonymous bool         `json:"anonymous,omitempty"`
	// Voters is how many people voted (Tally).
	Voters int `json:"voters"`
	// Mine is the caller's choice (option numbers, [] when they did not
	// vote) in replies, history and resume (ForViewer); absent from the
	// room's live messageUpdated, where the client keeps what it knows.
	Mine []int `json:"mine,omitzero"`
	// ClosedBy and ClosedAt are set once the poll is closed: it takes no
	// more votes.
	ClosedBy string    `json:"closedBy,omitempty"`
	ClosedAt time.Time `json:"closedAt,omitzero"`
	// Votes is who chose which options, as stored. Never sent: Tally
	// derives what may be.
	Votes map[string][]int `json:"-"`
}

// PollOption is one answer of a poll and its tally: Count people chose it;
// VoterIDs are who, only when the poll is not anonymous.
type PollOption struct {
	Text     string   `json:"text"`
	Count    int      `json:"count"`
	VoterIDs []string `json:"voterIds,omitempty"`
}

// Closed says whether the poll takes no more votes.
func (p *Poll) Closed() bool { return !p.ClosedAt.IsZero() }

// NewPoll validates a poll's question and options and returns it, trimmed
// and without votes. Each rule has its own Invalid message.
func NewPoll(question string, options []string, multiple, anonymous bool) (Poll, error) {
	q := strings.TrimSpace(question)
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return Poll{}, Errorf(Invalid, "a poll needs a question")
	case n > PollMaxQuestion:
		return Poll{}, Errorf(Invalid, "a poll's question is at most %d characters (this one has %d)", PollMaxQuestion, n)
	}
	if !utf8.ValidString(q) {
		return Poll{}, Errorf(Invalid, "the question is not valid UTF-8")
	}
	if len(options) < PollMinOptions || len(options) > PollMaxOptions {
		return Poll{}, Errorf(Invalid, "a poll has %d to %d options (this one has %d)", PollMinOptions, PollMaxOptions, len(options))
	}
	p := Poll{Question: q, Multiple: multiple, Anonymous: anonymous, Options: make([]PollOption, 0, len(options))}
	seen := map[string]int{}
	for i, o := range options {
		t := strings.TrimSpace(o)
		switch n := utf8.RuneCountInString(t); {
		case n == 0:
			return Poll{}, Errorf(Invalid, "option %d is empty", i+1)
		case n > PollMaxOptionChars:
			return Poll{}, Errorf(Invalid, "option %d is longer than %d characters", i+1, PollMaxOptionChars)
		}
		if !utf8.ValidString(t) {
			return Poll{}, Errorf(Invalid, "option %d is not valid UTF-8", i+1)
		}
		key := strings.ToLower(t)
		if j, dup := seen[key]; dup {
			return Poll{}, Errorf(Invalid, "options %d and %d are the same", j+1, i+1)
		}
		seen[key] = i
		p.Options = append(p.Options, PollOption{Text: t})
	}
	return p, nil
}

// CheckVote validates a vote on p: option numbers in range, distinct,
// exactly one for a single-choice poll (none retracts the vote), and an
// open poll. It returns the choice sorted.
func (p *Poll) CheckVote(options []int) ([]int, error) {
	if p.Closed() {
		return nil, Errorf(Conflict, "this poll is closed: it takes no more votes")
	}
	out := slices.Sorted(slices.Values(options))
	for i, o := range out {
		if o < 0 || o >= len(p.Options) {
			return nil, Errorf(Invalid, "option %d does not exist: the poll has options 0 to %d", o, len(p.Options)-1)
		}
		if i > 0 && out[i-1] == o {
			return nil, Errorf(Invalid, "option %d is chosen twice", o)
		}
	}
	if !p.Multiple && len(out) > 1 {
		return nil, Errorf(Invalid, "this poll takes one choice: pick exactly one option")
	}
	return out, nil
}

// MineOf returns userID's choice on p, [] when none.
func (p *Poll) MineOf(userID string) []int {
	if v, ok := p.Votes[userID]; ok {
		return slices.Clone(v)
	}
	return []int{}
}

// ApplyVote returns a copy of p with userID's choice replaced by options
// (already checked by CheckVote; none removes the vote), tallied, and
// whether anything changed. Past PollMaxVoters a new voter is Invalid.
func (p Poll) ApplyVote(userID string, options []int) (Poll, bool, error) {
	old, had := p.Votes[userID]
	if (had && slices.Equal(old, options)) || (!had && len(options) == 0) {
		return p, false, nil
	}
	if !had && len(p.Votes) >= PollMaxVoters {
		return p, false, Errorf(Invalid, "this poll has %d voters, the most it takes", PollMaxVoters)
	}
	out := p.Clone()
	if len(options) == 0 {
		delete(out.Votes, userID)
	} else {
		out.Votes[userID] = slices.Clone(options)
	}
	out.Tally()
	return out, true, nil
}

// Clone copies p deeply.
func (p Poll) Clone() Poll {
	out := p
	out.Options = slices.Clone(p.Options)
	for i := range out.Options {
		out.Options[i].VoterIDs = slices.Clone(p.Options[i].VoterIDs)
	}
	out.Mine = slices.Clone(p.Mine)
	out.Votes = make(map[string][]int, len(p.Votes))
	for u, v := range p.Votes {
		out.Votes[u] = slices.Clone(v)
	}
	return out
}

// Tally fills the options' counts and, unless the poll is anonymous,
// their voters (sorted), and the number of voters, from Votes.
func (p *Poll) Tally() {
	for i := range p.Options {
		p.Options[i].Count, p.Options[i].VoterIDs = 0, nil
	}
	p.Voters = 0
	for _, u := range slices.Sorted(maps.Keys(p.Votes)) {
		counted := false
		for _, o := range p.Votes[u] {
			if o < 0 || o >= len(p.Options) {
				continue
			}
			p.Options[o].Count++
			if !p.Anonymous {
				p.Options[o].VoterIDs = append(p.Options[o].VoterIDs, u)
			}
			counted = true
		}
		if counted {
			p.Voters++
		}
	}
}

// ForViewer returns m as userID may see it: a poll with their own choice
// (Mine). Other messages are returned as they are.
func (m Message) ForViewer(userID string) Message {
	if m.Poll == nil {
		return m
	}
	p := m.Poll.Clone()
	p.Mine = m.Poll.MineOf(userID)
	m.Poll = &p
	return m
}

// MessagesForViewer applies ForViewer to each message (in place).
func MessagesForViewer(msgs []Message, userID string) []Message {
	for i := range msgs {
		msgs[i] = msgs[i].ForViewer(userID)
	}
	return msgs
}

// PollStore stores votes and the closing of polls.
type PollStore interface {
	// Vote replaces userID's choice on the poll of message seq with
	// options (none removes it), atomically per voter: concurrent votes of
	// different people never overwrite each other. Returns the message as
	// stored. NotFound without a message, Invalid when it has no poll or
	// PollMaxVoters is reached, Conflict on a tombstone or a closed poll.
	Vote(ctx context.Context, roomID string, seq int64, userID string, options []int) (Message, error)
	// ClosePoll closes the poll (by, at); closing a closed poll changes
	// nothing and returns it. NotFound, Invalid, Conflict as for Vote.
	ClosePoll(ctx context.Context, roomID string, seq int64, by string, at time.Time) (Message, error)
}

// EventPollChanged is an in-process event only, like EventMessageReacted:
// a vote or the closing of a poll, for the WebSocket push (messageUpdated).
const EventPollChanged EventType = "poll.changed"

// PollChanged: someone voted on a poll, changed or retracted their vote,
// or closed it. Message is the poll message as stored (its tally), Chg its
// change number.
type PollChanged struct {
	Actor   Actor
	Message Message
	Chg     int64
}

func (PollChanged) Type() EventType { return EventPollChanged }
