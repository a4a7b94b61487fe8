package chat_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestNewPollRules(t *testing.T) {
	opts := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "option " + string(rune('a'+i))
		}
		return out
	}
	cases := []struct {
		name     string
		question string
		options  []string
		want     string // "" valid, else a part of the Invalid message
	}{
		{"valid", "Lunch?", []string{"Pizza", "Sushi"}, ""},
		{"ten options", "Q", opts(10), ""},
		{"trimmed", "  Lunch?  ", []string{" Pizza ", "Sushi"}, ""},
		{"no question", "   ", []string{"a", "b"}, "needs a question"},
		{"question 300", strings.Repeat("é", 300), []string{"a", "b"}, ""},
		{"question 301", strings.Repeat("é", 301), []string{"a", "b"}, "at most 300 characters"},
		{"one option", "Q", []string{"a"}, "2 to 10 options"},
		{"eleven options", "Q", opts(11), "2 to 10 options"},
		{"empty option", "Q", []string{"a", " "}, "option 2 is empty"},
		{"option 100", "Q", []string{strings.Repeat("x", 100), "b"}, ""},
		{"option 101", "Q", []string{strings.Repeat("x", 101), "b"}, "option 1 is longer than 100"},
		{"same options", "Q", []string{"Pizza", "sushi", " pizza"}, "options 1 and 3 are the same"},
		{"bad utf-8", "Q", []string{"a", "\xff"}, "not valid UTF-8"},
	}
	for _, tc := range cases {
		p, err := chat.NewPoll(tc.question, tc.options, false, false)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if len(p.Options) != len(tc.options) || p.Question != strings.TrimSpace(tc.question) || p.Options[0].Text != strings.TrimSpace(tc.options[0]) {
				t.Errorf("%s: poll = %+v", tc.name, p)
			}
			continue
		}
		if chat.ErrorCode(err) != chat.Invalid || !strings.Contains(chat.ErrorMessage(err), tc.want) {
			t.Errorf("%s: err = %v, want invalid %q", tc.name, err, tc.want)
		}
	}
}

func TestPollCheckVote(t *testing.T) {
	single, _ := chat.NewPoll("Q", []string{"a", "b", "c"}, false, false)
	multi, _ := chat.NewPoll("Q", []string{"a", "b", "c"}, true, false)
	closed := single.Clone()
	closed.ClosedBy = "u1"
	closed.ClosedAt = closed.ClosedAt.AddDate(2026, 0, 0)
	cases := []struct {
		name    string
		poll    chat.Poll
		options []int
		want    []int
		code    chat.Code
	}{
		{"single one", single, []int{1}, []int{1}, ""},
		{"single none retracts", single, nil, []int{}, ""},
		{"single two", single, []int{0, 1}, nil, chat.Invalid},
		{"out of range", single, []int{3}, nil, chat.Invalid},
		{"negative", multi, []int{-1}, nil, chat.Invalid},
		{"multi sorted", multi, []int{2, 0}, []int{0, 2}, ""},
		{"multi all", multi, []int{0, 1, 2}, []int{0, 1, 2}, ""},
		{"multi twice", multi, []int{1, 1}, nil, chat.Invalid},
		{"closed", closed, []int{0}, nil, chat.Conflict},
	}
	for _, tc := range cases {
		got, err := tc.poll.CheckVote(tc.options)
		if chat.ErrorCode(err) != tc.code {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.code)
			continue
		}
		if err == nil && !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: choice = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := closed.CheckVote([]int{0}); !strings.Contains(chat.ErrorMessage(err), "this poll is closed") {
		t.Errorf("closed poll: %v", err)
	}
}

func TestPollApplyVoteAndTally(t *testing.T) {
	p, _ := chat.NewPoll("Q", []string{"a", "b", "c"}, true, false)
	steps := []struct {
		user    string
		options []int
		changed bool
		counts  []int
		voters  int
	}{
		{"u1", []int{0}, true, []int{1, 0, 0}, 1},
		{"u2", []int{0, 2}, true, []int{2, 0, 1}, 2},
		{"u1", []int{0}, false, []int{2, 0, 1}, 2}, // the same again
		{"u1", []int{1}, true, []int{1, 1, 1}, 2},  // replaced
		{"u3", nil, false, []int{1, 1, 1}, 2},      // retracting no vote
		{"u2", nil, true, []int{0, 1, 0}, 1},       // retracted
	}
	for i, s := range steps {
		next, changed, err := p.ApplyVote(s.user, s.options)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if changed != s.changed {
			t.Errorf("step %d: changed = %v", i, changed)
		}
		if changed {
			p = next
		}
		var counts []int
		for _, o := range p.Options {
			counts = append(counts, o.Count)
		}
		if !slices.Equal(counts, s.counts) || p.Voters != s.voters {
			t.Errorf("step %d: counts %v voters %d, want %v %d", i, counts, p.Voters, s.counts, s.voters)
		}
	}
	if got := p.Options[1].VoterIDs; !slices.Equal(got, []string{"u1"}) {
		t.Errorf("voters of b = %v", got)
	}
	if got := p.MineOf("u1"); !slices.Equal(got, []int{1}) {
		t.Errorf("mine of u1 = %v", got)
	}
	if got := p.MineOf("u9"); got == nil || len(got) != 0 {
		t.Errorf("mine of a non-voter = %#v, want []", got)
	}
}

func TestPollMaxVoters(t *testing.T) {
	p, _ := chat.NewPoll("Q", []string{"a", "b"}, false, true)
	p.Votes = map[string][]int{}
	for i := range chat.PollMaxVoters {
		p.Votes[string(rune(0x4e00+i))] = []int{0}
	}
	if _, _, err := p.ApplyVote("new", []int{1}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("a new voter past the cap: %v", err)
	}
	// A voter already counted may still change their vote.
	if _, changed, err := p.ApplyVote(string(rune(0x4e00)), []int{1}); err != nil || !changed {
		t.Errorf("changing a counted vote at the cap: %v %v", changed, err)
	}
}

// The wire form of a poll never carries its votes; an anonymous poll has
// no voters per option, and Mine is only in ForViewer's copy.
func TestPollWireFormHidesVotes(t *testing.T) {
	for _, anon := range []bool{false, true} {
		p, _ := chat.NewPoll("Q", []string{"a", "b"}, false, anon)
		p, _, _ = p.ApplyVote("alice-id", []int{0})
		p, _, _ = p.ApplyVote("bob-id", []int{1})
		m := chat.Message{RoomID: "r", Seq: 1, Text: "Q", Poll: &p}
		raw, _ := json.Marshal(m)
		if anon && (strings.Contains(string(raw), "alice-id") || strings.Contains(string(raw), "bob-id")) {
			t.Errorf("anonymous poll names a voter: %s", raw)
		}
		if !anon && !strings.Contains(string(raw), `"voterIds":["alice-id"]`) {
			t.Errorf("open poll without its voters: %s", raw)
		}
		if strings.Contains(string(raw), `"mine"`) {
			t.Errorf("room's copy has mine: %s", raw)
		}
		if !strings.Contains(string(raw), `"count":1`) || !strings.Contains(string(raw), `"voters":2`) {
			t.Errorf("no tally: %s", raw)
		}
		mine, _ := json.Marshal(m.ForViewer("bob-id"))
		if !strings.Contains(string(mine), `"mine":[1]`) {
			t.Errorf("bob's copy: %s", mine)
		}
		none, _ := json.Marshal(m.ForViewer("carol-id"))
		if !strings.Contains(string(none), `"mine":[]`) {
			t.Errorf("carol's copy: %s", none)
		}
		if m.Poll.Mine != nil {
			t.Errorf("ForViewer changed the shared poll")
		}
	}
}
